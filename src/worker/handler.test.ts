import { decode } from 'fast-png';
import { describe, expect, it, vi } from 'vitest';
import { fsFetcher, newSegmenter, rgbaSource } from '../../tools/lib/nodeSegmenter';
import type {
  ModelInfo,
  RequestMessage,
  Requests,
  SegmentResult,
  WorkerCounts,
  WorkerMessage,
} from '../shared/protocol';
import type { RgbaImage } from '../processing/resize';
import type { VocabClass } from '../processing/vocabulary';
import type { Fetcher } from './bundle';
import { createHandler } from './handler';
import { liveSessionCount } from '../models/runtime/ortRuntime';
import { NO_GPU as noGpu } from './noGpu';

const W = 40,
  H = 30;
/** Left half pure red, right half pure blue. */
function twoColourImage(): RgbaImage {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) data.set(x < W / 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * W + x) * 4);
  return { width: W, height: H, data };
}

const vocab = (...classes: string[][]): VocabClass[] => classes.map((names) => ({ label: names[0]!, names }));

type Posted = { msg: WorkerMessage; transfer: Transferable[] | undefined };
/** A request without its id (the protocol's intersections do not survive a plain Omit). */
type Req = { kind: RequestMessage['kind'] } & Record<string, unknown>;
const msg = (m: Req, id: number) => ({ ...m, id }) as unknown as RequestMessage;

function setup() {
  const posted: Posted[] = [];
  const base = fsFetcher('public/models/colours');
  // The file fetcher reports no progress itself; report one event a file, like a download would.
  const fetcher: Fetcher = async (file, onProgress) => {
    // The manifest is asked for by its URL; the bundle's folder stands in for that URL here.
    const bytes = await base(file.endsWith('ovseg.json') ? 'ovseg.json' : file);
    onProgress?.({ file, loaded: bytes.length, total: bytes.length });
    return bytes;
  };
  const sourceFromBitmap = vi.fn((_: ImageBitmap) => rgbaSource(twoColourImage()));
  const toBitmap = vi.fn(async (_rgba: Uint8ClampedArray, _w: number, _h: number) => null);
  const handle = createHandler({
    engine: newSegmenter(),
    post: (msg, transfer) => posted.push({ msg, transfer }),
    fetcher: () => fetcher,
    gpuInfo: async () => noGpu,
    sourceFromBitmap,
    toBitmap,
    sessions: liveSessionCount,
  });
  let nextId = 1;
  /**
   * Sends one request, waits for it, returns what was posted for it (progress, then one answer);
   * stage notes are left out (`stages` has them).
   */
  const send = async (m: Req): Promise<Posted[]> => {
    const id = nextId++;
    await handle(msg(m, id));
    return posted.filter((p) => p.msg.id === id && p.msg.kind !== 'stage');
  };
  const stages = (id: number) =>
    posted.flatMap((p) => (p.msg.id === id && p.msg.kind === 'stage' ? [p.msg.stage] : []));
  return { posted, handle, send, stages, sourceFromBitmap, toBitmap };
}

const fakeBitmap = () => ({ close: vi.fn() }) as unknown as ImageBitmap & { close: ReturnType<typeof vi.fn> };
const answer = (ps: Posted[]) => ps[ps.length - 1]!;
const result = <T>(ps: Posted[]): T => {
  const a = answer(ps).msg;
  if (a.kind !== 'reply') throw new Error(`expected a reply, got ${JSON.stringify(a)}`);
  return a.result as T;
};
const segment = (bitmap?: ImageBitmap): Req => ({ kind: 'segment', threshold: 0.3, bitmap });
const vocabulary = (classes: VocabClass[]): Req => ({ kind: 'vocabulary', classes });
type VocabRes = Requests['vocabulary']['res'];
/** The code and message of an error answer (fails the test on a reply). */
const failure = (ps: Posted[]) => {
  const a = answer(ps).msg;
  if (a.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(a)}`);
  return { code: a.code, message: a.message };
};

describe('createHandler with the real engine and the colours model', () => {
  it('answers init, load, segment, vocabulary edits and export', async () => {
    const { send, sourceFromBitmap, toBitmap } = setup();

    // init
    const init = await send({ kind: 'init' });
    expect(init).toHaveLength(1);
    expect(init[0]!.msg).toEqual({ kind: 'reply', id: 1, result: { gpu: noGpu } });

    // load: progress for the downloads, a step for each warm-up run (the page's sign that a long
    // warm-up is alive), then one reply with the model info
    const load = await send({
      kind: 'load',
      source: { kind: 'url', manifestUrl: '/models/colours/ovseg.json' },
      ep: 'wasm',
    });
    const steps = load.flatMap((p) => (p.msg.kind === 'steps' ? [p.msg.steps] : []));
    expect(steps).toEqual([
      { what: 'runs', done: 1, total: 2 },
      { what: 'runs', done: 2, total: 2 },
    ]);
    expect(load.slice(-3, -1).map((p) => p.msg.kind)).toEqual(['steps', 'steps']);
    const progress = load.slice(0, -3);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p.msg.kind).toBe('progress');
    const files = progress.map((p) => (p.msg.kind === 'progress' ? p.msg.progress.file : ''));
    expect(files).toEqual(expect.arrayContaining(['image_model.onnx', 'text_model.onnx', 'tokenizer.json']));
    const info = result<ModelInfo>(load);
    expect(info).toMatchObject({
      id: 'colours',
      ep: 'wasm',
      imageDtype: 'fp32',
      textDtype: 'fp32',
      threshold: 0.3,
    });
    expect(info.vocabulary).toContain('red');

    // the vocabulary, then a segmentation with an image
    const v1 = result<VocabRes>(await send(vocabulary(vocab(['red'], ['blue']))));
    expect(v1).toMatchObject({ unknown: [], encoded: 2 });
    const b1 = fakeBitmap();
    const s1 = await send(segment(b1));
    expect(s1).toHaveLength(1);
    const r1 = result<SegmentResult>(s1);
    expect(b1.close).toHaveBeenCalledTimes(1);
    expect(sourceFromBitmap).toHaveBeenCalledWith(b1);
    expect([r1.width, r1.height, r1.labels.length]).toEqual([W, H, W * H]);
    expect(r1.labels).toBeInstanceOf(Uint16Array);
    expect(r1.classes).toEqual(['red', 'blue']);
    expect(r1.runs).toMatchObject({ image: 1, promptsEncoded: 2 });
    expect(r1.runs.text).toBeGreaterThanOrEqual(1);
    // The first segmentation with a vocabulary reports its text time.
    expect(r1.timings.text).toBe(v1.textMs);
    expect(r1.overlay).toBeNull();
    expect(r1.counts.length).toBe(3);
    expect(r1.counts.reduce((a, b) => a + b, 0)).toBe(W * H);
    // The colours model finds the red half and the blue half.
    expect(r1.labels[(H >> 1) * W + 5]).toBe(1);
    expect(r1.labels[(H >> 1) * W + W - 5]).toBe(2);
    // Result buffers travel in the transfer list.
    const transfer = answer(s1).transfer!;
    expect(transfer).toContain(r1.labels.buffer);
    expect(transfer).toContain(r1.scores.buffer);
    expect(transfer).toContain(r1.counts.buffer);
    expect(toBitmap).toHaveBeenCalledTimes(1);
    expect(toBitmap.mock.calls[0]![0].length).toBe(W * H * 4);
    expect(toBitmap.mock.calls[0]!.slice(1)).toEqual([W, H]);

    // A vocabulary edit: only the new prompts are encoded, and the unknown name is reported at once.
    const four = vocabulary(vocab(['red'], ['blue'], ['green', 'lime'], ['zebra']));
    const v2 = result<VocabRes>(await send(four));
    expect(v2).toMatchObject({ unknown: ['zebra'], encoded: 3 });
    // Segmenting again without an image: no image run.
    const r2 = result<SegmentResult>(await send(segment()));
    expect(r2.runs.image).toBe(1);
    expect(r2.runs.promptsEncoded).toBe(2 + 3);
    expect(r2.classes).toEqual(['red', 'blue', 'green', 'zebra']);
    expect(r2.timings.image).toBe(0);
    expect(r2.timings.text).toBe(v2.textMs);
    expect(r2.labels.length).toBe(W * H);
    expect(sourceFromBitmap).toHaveBeenCalledTimes(1);

    // The same vocabulary again: nothing re-encoded.
    expect(result<VocabRes>(await send(four))).toMatchObject({ unknown: ['zebra'], encoded: 0 });
    const r3 = result<SegmentResult>(await send(segment()));
    expect(r3.runs).toEqual(r2.runs);
    expect(Array.from(r3.labels)).toEqual(Array.from(r2.labels));

    // A new image with a known vocabulary: one more image run, no new prompts.
    const b2 = fakeBitmap();
    await send(vocabulary(vocab(['red'], ['blue'])));
    const r4 = result<SegmentResult>(await send(segment(b2)));
    expect(b2.close).toHaveBeenCalledTimes(1);
    expect(r4.runs.image).toBe(2);
    expect(r4.runs.promptsEncoded).toBe(5);
    expect(Array.from(r4.labels)).toEqual(Array.from(r1.labels));

    // export: a PNG of the last label map and its legend
    const ex = await send({ kind: 'export' });
    const { png, json } = result<Requests['export']['res']>(ex);
    expect(answer(ex).transfer).toEqual([png]);
    const img = decode(new Uint8Array(png));
    expect([img.width, img.height, img.channels, img.depth]).toEqual([W, H, 1, 8]);
    expect(Array.from(img.data)).toEqual(Array.from(r4.labels));
    expect(JSON.parse(json)).toEqual({
      model: 'colours',
      unlabelled: 0,
      classes: [
        { value: 1, label: 'red', names: ['red'] },
        { value: 2, label: 'blue', names: ['blue'] },
      ],
    });
  });

  it('answers errors as {kind: "error"} with the code of their kind and a clear message', async () => {
    const { send, toBitmap } = setup();
    const b = fakeBitmap();
    const early = await send(segment(b));
    expect(early.map((p) => p.msg.kind)).toEqual(['error']);
    expect(failure(early)).toEqual({ code: 'no-model-loaded', message: 'No model is loaded' });
    // A transferred image is released even when the request fails.
    expect(b.close).toHaveBeenCalledTimes(1);
    expect(failure(await send(vocabulary(vocab(['red']))))).toMatchObject({ code: 'no-model-loaded' });

    const ex = failure(await send({ kind: 'export' }));
    expect([ex.code, ex.message]).toEqual(['nothing-to-export', expect.stringMatching(/nothing to export/i)]);

    await send({ kind: 'load', source: { kind: 'url', manifestUrl: 'ovseg.json' }, ep: 'wasm' });
    // No image yet.
    expect(failure(await send(segment()))).toEqual({ code: 'no-image', message: 'No image to segment' });
    // An empty vocabulary is refused; an image with no vocabulary yet cannot be segmented.
    const empty = {
      code: 'vocabulary-empty',
      message: 'The vocabulary is empty: type at least one class name',
    };
    expect(failure(await send(vocabulary([])))).toEqual(empty);
    expect(failure(await send(segment(fakeBitmap())))).toEqual(empty);

    // An error not raised on purpose keeps its message, as an unexpected one.
    await send(vocabulary(vocab(['red'])));
    toBitmap.mockRejectedValueOnce(new TypeError('the canvas is gone'));
    expect(failure(await send(segment()))).toEqual({ code: 'unexpected', message: 'the canvas is gone' });
  });

  it('handles messages strictly in arrival order, one answer each', async () => {
    const { handle, posted } = setup();
    const msgs: RequestMessage[] = [
      msg({ kind: 'init' }, 1),
      msg({ kind: 'segment', threshold: 0 }, 2), // before load: error
      msg({ kind: 'load', source: { kind: 'url', manifestUrl: 'ovseg.json' }, ep: 'wasm' }, 3),
      msg(vocabulary(vocab(['red'], ['blue'])), 4),
      msg({ kind: 'segment', threshold: 0.3, bitmap: fakeBitmap() }, 5),
      msg({ kind: 'export' }, 6),
    ];
    // Sent all at once, without waiting for answers.
    const done = msgs.map((m) => handle(m));
    await Promise.all(done);
    const answers = posted
      .filter((p) => !['progress', 'stage', 'steps'].includes(p.msg.kind))
      .map((p) => [p.msg.id, p.msg.kind]);
    expect(answers).toEqual([
      [1, 'reply'],
      [2, 'error'],
      [3, 'reply'],
      [4, 'reply'],
      [5, 'reply'],
      [6, 'reply'],
    ]);
    // Progress of the load comes between the answers of requests 2 and 3.
    const order = posted.map((p) => p.msg.id);
    const firstProgress = posted.findIndex((p) => p.msg.kind === 'progress');
    expect(order[firstProgress]).toBe(3);
    expect(firstProgress).toBeGreaterThan(order.indexOf(2));
  });

  it('names each stage of a request, and its counts return to where they were after a burst', async () => {
    const { handle, send, stages } = setup();
    const counts = async () => result<WorkerCounts>(await send({ kind: 'counts' }));
    const sessionsBefore = (await counts()).sessions;
    await send({ kind: 'load', source: { kind: 'url', manifestUrl: 'ovseg.json' }, ep: 'wasm' });
    expect(stages(2)).toEqual(['download', 'compile', 'warm-up']);
    await send(vocabulary(vocab(['red'], ['blue'])));
    expect(stages(3)).toEqual(['vocabulary']);
    await send(segment(fakeBitmap()));
    expect(stages(4)).toEqual(['image', 'combine']);
    const before = await counts();
    // The colours model has two sessions; image outputs and the last label map stay.
    expect(before).toMatchObject({ sessions: sessionsBefore + 2, buffers: 2, queued: 0 });

    // A burst sent all at once: images, vocabulary edits, live frames, a reload of the model.
    const burst: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) {
      const live = i % 2 ? { live: { smoothing: 0.5 } } : {};
      burst.push(handle(msg(vocabulary(vocab(['red'], i % 3 ? ['blue'] : ['green'])), 10 + i)));
      burst.push(handle(msg({ ...segment(fakeBitmap()), ...live }, 20 + i)));
      if (i === 3)
        burst.push(
          handle(msg({ kind: 'load', source: { kind: 'url', manifestUrl: 'ovseg.json' }, ep: 'wasm' }, 30)),
        );
    }
    const during = await counts();
    expect(during.queued).toBe(13);
    expect(during.buffers).toBeGreaterThan(before.buffers); // the bitmaps waiting in the queue
    await Promise.all(burst);
    // Let the last frame be a still one, as before the burst.
    await send(segment(fakeBitmap()));
    expect(await counts()).toEqual(before);
  });
});
