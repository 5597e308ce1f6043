/**
 * The page's controller (src/services) driving this worker's message handler in process, with the
 * real engine on the colours model's files (here, beside the handler: the page's layers must not
 * import the worker). The load flow: every failure ends "ready" on the previous model, or, with none to
 * go back to, in an explicit failure with a retry. Never "loading" for good.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fsFetcher, newSegmenter } from '../../tools/lib/nodeSegmenter';
import type { WorkerLike } from '../client/workerClient';
import type { RequestMessage, WorkerMessage } from '../shared/protocol';
import { createHandler } from './handler';
import type { ModelEntry } from '../services/catalogue';
import { Controller } from '../services/controller';
import { useApp } from '../store/store';

const DIR = 'public/models/colours';
const colours = () => JSON.parse(readFileSync(`${DIR}/ovseg.json`, 'utf8')) as Record<string, unknown>;

/** The files the worker can reach; a test takes some away (as if evicted from the cache, offline). */
const unreachable = new Set<string>();

function inProcessWorker(): WorkerLike {
  const read = fsFetcher(DIR);
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (msg: RequestMessage) => void handle(msg),
    terminate: () => undefined,
  };
  const handle = createHandler({
    engine: newSegmenter(),
    post: (msg: WorkerMessage) =>
      queueMicrotask(() => worker.onmessage?.({ data: msg } as MessageEvent<WorkerMessage>)),
    fetcher: () => async (file) => {
      if (unreachable.has(file)) throw new Error(`Could not reach ${file} (offline)`);
      return read(file);
    },
    gpuInfo: async () => ({
      available: false,
      fallback: false,
      f16: false,
      description: 'none',
      maxBufferSize: 0,
      maxStorageBufferBindingSize: 0,
    }),
    sourceFromBitmap: () => {
      throw new Error('no images in this test');
    },
    toBitmap: async () => null,
  });
  return worker;
}

const entry = (key: string, manifest: Record<string, unknown>): ModelEntry => ({
  key,
  name: String(manifest.name),
  summary: '',
  licence: '',
  origin: 'test',
  source: { kind: 'inline', manifest, baseUrl: 'https://models.test/colours/' },
  cachePrefixes: [],
  sizes: {},
  embedded: false,
});

const good = entry('good', colours());
/** Loads, then fails at warm-up (after the worker released the previous model). */
const badVoid = entry('bad', { ...colours(), id: 'bad', name: 'Bad void', voidEmbedding: [1, 2, 3] });
const state = () => {
  const s = useApp.getState();
  return {
    ready: s.engineReady,
    model: s.model?.id ?? null,
    failure: s.loadFailure,
    loading: s.loadingEntry,
  };
};
const noticeTexts = () => useApp.getState().notices.map((n) => n.text);

beforeEach(() => {
  unreachable.clear();
  useApp.setState({ model: null, entry: null, engineReady: false, loadFailure: null, notices: [] });
});

describe('Controller.load', () => {
  it('a failed load after the previous model was released: back to ready on that model', async () => {
    const c = new Controller(inProcessWorker());
    expect(await c.load(good, 'wasm')).toBe(true);
    expect(state()).toEqual({ ready: true, model: 'colours', failure: null, loading: null });
    expect(await c.load(badVoid, 'wasm')).toBe(false);
    expect(state()).toEqual({ ready: true, model: 'colours', failure: null, loading: null });
    expect(noticeTexts()).toEqual([
      expect.stringMatching(/^Could not load Bad void: .*"voidEmbedding" has 3 numbers/),
    ]);
    expect(useApp.getState().entry?.key).toBe('good');
  });

  it('a manifest refused before anything loads: back to ready, the field named', async () => {
    const c = new Controller(inProcessWorker());
    await c.load(good, 'wasm');
    const hostile = entry('hostile', { ...colours(), description: { html: 'x' } });
    expect(await c.load(hostile, 'wasm')).toBe(false);
    expect(state()).toEqual({ ready: true, model: 'colours', failure: null, loading: null });
    expect(noticeTexts()[0]).toContain('"description" must be a text');
  });

  it('no model to go back to: an explicit failure with a retry, and the retry loads', async () => {
    const c = new Controller(inProcessWorker());
    unreachable.add('image_model.onnx');
    expect(await c.load(good, 'wasm')).toBe(false);
    expect(state()).toMatchObject({ ready: false, model: null, loading: null });
    expect(state().failure).toMatch(/^Could not load .*image_model\.onnx \(offline\)/);
    unreachable.clear();
    await c.retry();
    expect(state()).toEqual({ ready: true, model: 'colours', failure: null, loading: null });
  });

  it('going back fails too: the failure names the previous model, and its retry brings it back', async () => {
    const c = new Controller(inProcessWorker());
    await c.load(good, 'wasm');
    unreachable.add('text_model.onnx'); // the previous model's files are gone meanwhile
    expect(await c.load(badVoid, 'wasm')).toBe(false);
    expect(state()).toMatchObject({ ready: false, model: null, loading: null });
    expect(state().failure).toMatch(/^Could not load Colours .*text_model\.onnx/);
    unreachable.clear();
    await c.retry();
    expect(state()).toEqual({ ready: true, model: 'colours', failure: null, loading: null });
  });
});

describe('Controller vocabulary', () => {
  it('names the words the model does not know as soon as they are typed, before any image', async () => {
    vi.stubGlobal('location', { href: 'http://app.test/' });
    vi.stubGlobal('history', { replaceState: () => undefined });
    try {
      const c = new Controller(inProcessWorker());
      await c.load(good, 'wasm');
      expect(useApp.getState().image).toBeNull();
      c.setClasses('red, zebra | stripes, blue');
      await vi.waitFor(() => expect(useApp.getState().unknownNames).toEqual(['zebra', 'stripes']));
      c.setClasses('red, blue');
      await vi.waitFor(() => expect(useApp.getState().unknownNames).toEqual([]));
      c.setClasses('red, okapi');
      await vi.waitFor(() => expect(useApp.getState().unknownNames).toEqual(['okapi']));
      // A reload releases the worker's vocabulary: it is sent again, and answered again.
      useApp.setState({ unknownNames: [] });
      expect(await c.load(good, 'wasm')).toBe(true);
      await vi.waitFor(() => expect(useApp.getState().unknownNames).toEqual(['okapi']));
      expect(noticeTexts()).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
