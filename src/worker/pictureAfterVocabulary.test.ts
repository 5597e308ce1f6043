/**
 * A vocabulary change followed by a new picture, as the page makes it (classes typed or a sample's
 * classes, then a picture dropped and decoded): the page's controller drives this worker's handler
 * in process on the real engine and the committed tiny bundles, and the families' own counters say
 * what ran. Only the new picture's work may run: its vision run(s) and one decoder row per class,
 * never rows for the picture it replaces; a picture that fails to decode leaves the current one
 * segmented with the new vocabulary.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelEntry } from '../services/catalogue';
import { Controller } from '../services/controller';
import type { FamilyStats } from '../models/families';
import type { RequestMessage } from '../shared/protocol';
import { useApp, type AppState, type LoadedImage } from '../store/store';
import { copyBitmap, fakePicture, inProcessWorker, type InProcessWorker } from './inProcessWorker.testing';

/** Loading splits and warms the model: seconds, more on a shared CPU. */
const TIMEOUT = 120_000;

const entry = (dir: string): ModelEntry => {
  const manifest = JSON.parse(readFileSync(`${dir}/ovseg.json`, 'utf8')) as { id: string; name: string };
  return {
    key: manifest.id,
    name: manifest.name,
    summary: '',
    licence: '',
    origin: 'test',
    source: { kind: 'inline', manifest, baseUrl: `https://models.test/${manifest.id}/` },
    cachePrefixes: [],
    sizes: {},
    embedded: false,
  };
};

/** `n` one-name classes: one prompt, so one decoder row, each. */
const classes = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i}`);

const until = (pred: (s: AppState) => boolean) =>
  new Promise<void>((resolve) => {
    if (pred(useApp.getState())) return resolve();
    const stop = useApp.subscribe((s) => {
      if (!pred(s)) return;
      stop();
      resolve();
    });
  });

let pictures = 0;
const picture = (): LoadedImage => {
  const bitmap = fakePicture(++pictures) as unknown as ImageBitmap;
  return { bitmap, name: `picture ${pictures}`, width: 64, height: 48 };
};

/** A picture shown and segmented (its input begun, decoded, shown), and its result. */
async function show(c: Controller, image: LoadedImage) {
  c.setImage(image, c.beginInput());
  await until((s) => s.resultImage === image && !s.busy);
  return useApp.getState().result!;
}

/** The counters of the work that depends on the picture, by family. */
const FAMILIES: [string, string, (s: FamilyStats) => Record<string, number>][] = [
  ['CLIPSeg', 'fixtures/clipseg-tiny', (s) => ({ vision: s.dense!.vision, rows: s.dense!.decoderRows })],
  [
    'dense CLIP',
    'fixtures/clip-dense-tiny',
    (s) => ({ vision: (s['clip-dense'] as { vision: number }).vision }),
  ],
];

beforeAll(() => {
  vi.stubGlobal('location', { href: 'http://app.test/' });
  vi.stubGlobal('history', { replaceState: () => undefined });
  vi.stubGlobal('createImageBitmap', copyBitmap);
});
afterAll(() => vi.unstubAllGlobals());

describe.each(FAMILIES)('%s: a vocabulary change, then a new picture', (_name, dir, work) => {
  let c: Controller;
  let w: InProcessWorker;
  /** The work one new picture costs with `classes(n)` (vision runs, and on CLIPSeg n rows). */
  let onePicture: (n: number) => Record<string, number>;

  beforeAll(async () => {
    w = inProcessWorker(dir);
    c = new Controller(w.worker);
    expect(await c.load(entry(dir), 'wasm')).toBe(true);
    c.setClasses(classes(12, 'old').join(', '));
    const first = work((await show(c, picture())).stats!);
    const second = work((await show(c, picture())).stats!);
    onePicture = (n) =>
      Object.fromEntries(Object.keys(second).map((k) => [k, k === 'rows' ? n : second[k]! - first[k]!]));
  }, TIMEOUT);

  /** The vocabulary's answer after `from` posted messages (the worker has it from then on). */
  const vocabularyAnswered = (from: number) =>
    w.untilPosted(
      (m, request) =>
        request === 'vocabulary' && m.kind === 'reply' && w.posted.findIndex((p) => p.msg === m) >= from,
    );

  it.each([
    ['new names', 'new'],
    ['names encoded before (the vocabulary is answered at once)', 'old'],
  ])(
    '%s: the new picture decodes after the vocabulary was answered; only its work runs',
    async (_case, tag) => {
      const before = work(useApp.getState().result!.stats!);
      const names = classes(20, tag);
      const from = w.posted.length;
      c.setClasses(names.join(', '));
      const seq = c.beginInput(); // the picture is dropped: it decodes meanwhile
      await vocabularyAnswered(from);
      const image = picture();
      c.setImage(image, seq);
      await until((s) => s.resultImage === image && !s.busy);
      const result = useApp.getState().result!;
      const after = work(result.stats!);
      const ran = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));
      expect(ran).toEqual(onePicture(names.length));
      expect(result.classes).toEqual(names);
    },
    TIMEOUT,
  );

  it(
    'the new picture cannot be read: the current one is segmented with the new vocabulary',
    async () => {
      const shown = useApp.getState().resultImage;
      const before = work(useApp.getState().result!.stats!);
      const names = classes(16, 'other');
      const from = w.posted.length;
      c.setClasses(names.join(', '));
      const seq = c.beginInput();
      await vocabularyAnswered(from);
      c.inputFailed(seq);
      await until((s) => s.result?.classes.join() === names.join() && !s.busy);
      const after = work(useApp.getState().result!.stats!);
      const ran = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));
      // No vision run (the worker holds the picture); on CLIPSeg a row per new class.
      expect(ran).toEqual({
        ...Object.fromEntries(Object.keys(after).map((k) => [k, 0])),
        ...('rows' in after ? { rows: 16 } : {}),
      });
      expect(useApp.getState().resultImage).toBe(shown);
    },
    TIMEOUT,
  );
});

describe('the worker: a stop heard before a segmentation started its work', () => {
  it(
    'stops it there: neither its picture nor its rows run (a picture about to be replaced)',
    async () => {
      const dir = 'fixtures/clipseg-tiny';
      const w = inProcessWorker(dir);
      const source = entry(dir).source;
      const answer = async (id: number) => {
        await w.untilPosted((m) => m.id === id && (m.kind === 'reply' || m.kind === 'error'));
        return w.posted.find((p) => p.msg.id === id && p.msg.kind !== 'stage' && p.msg.kind !== 'steps')!.msg;
      };
      const segment = (id: number) =>
        w.handle({ kind: 'segment', id, bitmap: fakePicture(id) as unknown as ImageBitmap, threshold: 0 });
      const rows = (id: number) =>
        answer(id).then((m) => {
          const s = (m as { result: { stats: FamilyStats } }).result.stats.dense!;
          return { vision: s.vision, rows: s.decoderRows };
        });
      void w.handle({ kind: 'load', id: 1, source, ep: 'wasm', dtype: 'fp32' });
      expect((await answer(1)).kind).toBe('reply');
      void w.handle({
        kind: 'vocabulary',
        id: 2,
        classes: classes(8, 'x').map((n) => ({ label: n, names: [n] })),
      });
      void segment(3);
      const before = await rows(3);
      // The page stops the segmentation it sent as soon as it sends a newer picture: here the stop
      // comes while the request has not started (the worker's thread was busy, or on WebGPU while
      // its picture's vision run let messages in).
      void segment(4);
      void w.handle({ kind: 'supersede', id: 0 } as RequestMessage); // as the page's signal
      expect(await answer(4)).toMatchObject({ kind: 'error', code: 'request-superseded' });
      void segment(5);
      expect(await rows(5)).toEqual({ vision: before.vision + 1, rows: before.rows + 8 });
    },
    TIMEOUT,
  );
});
