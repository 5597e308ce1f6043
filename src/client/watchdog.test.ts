import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkerHungError } from '../errors';
import type { RequestMessage, WorkerMessage } from '../shared/protocol';
import { SEGMENT_FLOOR_MS, STEP_NAMES } from './deadlines';
import { Watchdog } from './watchdog';

const load = (id: number): RequestMessage => ({
  kind: 'load',
  id,
  source: { kind: 'url', manifestUrl: 'u' },
  ep: 'wasm',
});
const segment = (id: number): RequestMessage => ({ kind: 'segment', id, threshold: 0 });
const vocabulary = (id: number, ...names: string[]): RequestMessage => ({
  kind: 'vocabulary',
  id,
  classes: [{ label: names[0]!, names }],
});
const reply = (id: number, result: unknown = {}) => ({ kind: 'reply', id, result }) as WorkerMessage;
const stage = (id: number, s: 'vocabulary' | 'image'): WorkerMessage => ({ kind: 'stage', id, stage: s });
const progress = (id: number, loaded: number): WorkerMessage => ({
  kind: 'progress',
  id,
  progress: { file: 'm.onnx', loaded, total: 2 ** 21 },
});

describe('Watchdog', () => {
  let hung: WorkerHungError[];
  let dog: Watchdog;
  /** Advances the clock to just before `ms`, then to `ms`: says whether it fired exactly then. */
  const firesAt = (ms: number) => {
    const before = hung.length;
    vi.advanceTimersByTime(ms - 1);
    const early = hung.length > before;
    vi.advanceTimersByTime(1);
    return !early && hung.length === before + 1;
  };
  beforeEach(() => {
    vi.useFakeTimers();
    hung = [];
    dog = new Watchdog((e) => hung.push(e));
  });
  afterEach(() => vi.useRealTimers());

  it('bounds only the running (oldest) request; the next one starts its clock when it ends', () => {
    dog.sent(segment(1));
    dog.sent(segment(2));
    vi.advanceTimersByTime(SEGMENT_FLOOR_MS - 10);
    dog.received(reply(1));
    expect(firesAt(SEGMENT_FLOOR_MS)).toBe(true);
    expect(hung[0]).toMatchObject({ kind: 'segment', stage: null, afterMs: SEGMENT_FLOOR_MS });
  });

  it('leaves requests that run no model code alone, and ignores messages of unknown ids', () => {
    dog.sent({ kind: 'storage', id: 1, prefixes: [] });
    dog.sent(segment(2)); // the head: its clock runs at once
    dog.received(stage(9, 'image'));
    expect(firesAt(SEGMENT_FLOOR_MS)).toBe(true);
  });

  it('a stage restarts the clock with that stage and names it when it fires', () => {
    dog.overrides = { segmentMs: 1_000 };
    dog.sent(segment(1));
    vi.advanceTimersByTime(900);
    dog.received(stage(1, 'image'));
    expect(firesAt(1_000)).toBe(true);
    expect(hung[0]!.message).toBe('The model stopped responding (the image model took over 1 s)');
  });

  it('a load may go longer for the bytes it brought; progress restarts its clock', () => {
    dog.sent(load(1));
    vi.advanceTimersByTime(100_000);
    dog.received(progress(1, 2 ** 20)); // 1 MB: 2 s more than the 120 s floor
    expect(firesAt(122_000)).toBe(true);
    expect(hung[0]).toMatchObject({ kind: 'load', afterMs: 122_000 });
  });

  it("each warm-up run, and each sign that it waits on the GPU, restarts a load's clock", () => {
    dog.sent(load(1));
    dog.received({ kind: 'stage', id: 1, stage: 'warm-up' });
    for (let done = 1; done <= 3; done++) {
      vi.advanceTimersByTime(119_000);
      dog.received({ kind: 'steps', id: 1, steps: { what: 'runs', done, total: 3 } });
      vi.advanceTimersByTime(119_000);
      dog.received({ kind: 'alive', id: 1 });
    }
    expect(hung).toEqual([]);
    expect(firesAt(120_000)).toBe(true);
    expect(hung[0]!.message).toBe('The model stopped responding (the warm-up run took over 120 s)');
  });

  it('notes that a warm-up waits on the GPU keep it alive for 10 load steps of its stage, no longer', () => {
    dog.sent(load(1));
    dog.received(progress(1, 2 ** 20)); // 122 s a step: alive for 1,220 s of warm-up
    dog.received({ kind: 'stage', id: 1, stage: 'warm-up' });
    for (let t = 100_000; t < 1_220_000; t += 100_000) {
      vi.advanceTimersByTime(100_000);
      dog.received({ kind: 'alive', id: 1 });
    }
    expect(hung).toEqual([]);
    vi.advanceTimersByTime(20_000); // 1,220 s into the warm-up: a note no longer restarts the clock,
    dog.received({ kind: 'alive', id: 1 }); // which runs from the last one that did (at 1,200 s)
    expect(firesAt(102_000)).toBe(true);
  });

  it('segmentation bounds scale with the warm-up of the last load that succeeded, until forgotten', () => {
    dog.sent(load(1));
    dog.received(reply(1, { warmupMs: 5_000 }));
    dog.sent(load(2));
    dog.received({ kind: 'error', id: 2, code: 'download-failed', message: 'x' });
    dog.sent(segment(3));
    expect(firesAt(50_000)).toBe(true);
    dog.cleared();
    dog.forgetWarmup();
    dog.sent(segment(4));
    expect(firesAt(SEGMENT_FLOOR_MS)).toBe(true);
  });

  it("the vocabulary step's bound grows with the names; a fixed override does not", () => {
    dog.sent(vocabulary(1, 'a', 'b', 'c', 'd'));
    dog.received(stage(1, 'vocabulary'));
    expect(firesAt(2 * SEGMENT_FLOOR_MS)).toBe(true);
    dog.cleared();
    dog.overrides = { segmentMs: 100 };
    dog.sent(vocabulary(2, 'a', 'b', 'c', 'd'));
    dog.received(stage(2, 'vocabulary'));
    expect(firesAt(100)).toBe(true);
  });

  it("the vocabulary step's bound stops growing at one text run of names; each reported step restarts it", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `n${i}`);
    dog.sent(vocabulary(1, ...many));
    dog.received(stage(1, 'vocabulary'));
    const cap = (1 + STEP_NAMES / 4) * SEGMENT_FLOOR_MS; // not (1 + 10,000 / 4) times
    vi.advanceTimersByTime(cap - 1);
    dog.received({ kind: 'steps', id: 1, steps: { what: 'prompts', done: 64, total: 10_000 } });
    expect(hung).toEqual([]);
    expect(firesAt(cap)).toBe(true);
  });

  it('cleared() stops every clock', () => {
    dog.sent(segment(1));
    dog.sent(load(2));
    dog.cleared();
    vi.advanceTimersByTime(10 * 120_000);
    expect(hung).toEqual([]);
  });

  it('a settled request leaves no clock behind', () => {
    dog.sent(segment(1));
    dog.received(reply(1));
    vi.advanceTimersByTime(10 * SEGMENT_FLOOR_MS);
    expect(hung).toEqual([]);
  });
});
