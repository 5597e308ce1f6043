/**
 * Class names are user text: names that are also Object's own property names ("constructor",
 * "__proto__", "toString") must segment like any other, through the whole worker path (vocabulary,
 * text encoder and its cache, GKC combine, palette and overlay).
 */
import { describe, expect, it } from 'vitest';
import { fsFetcher, newSegmenter, rgbaSource } from '../../tools/lib/nodeSegmenter';
import type { RequestMessage, Requests, SegmentResult, WorkerMessage } from '../shared/protocol';
import { parseVocabulary } from '../processing/vocabulary';
import { blobFetcher, createHandler } from './handler';

const W = 32,
  H = 16;

describe('class names that are property names', () => {
  it('segment with the real engine, the colours model and the overlay palette', async () => {
    const posted: WorkerMessage[] = [];
    const data = new Uint8ClampedArray(W * H * 4);
    for (let i = 0; i < W * H; i++) data.set(i % W < W / 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4);
    const drawn: Uint8ClampedArray[] = [];
    const handle = createHandler({
      engine: newSegmenter(),
      post: (m) => posted.push(m),
      fetcher: () => fsFetcher('public/models/colours'),
      gpuInfo: async () => ({
        available: false,
        fallback: false,
        f16: false,
        description: 'none',
        maxBufferSize: 0,
        maxStorageBufferBindingSize: 0,
      }),
      sourceFromBitmap: () => rgbaSource({ width: W, height: H, data }),
      toBitmap: async (rgba) => (drawn.push(rgba), null),
    });
    const send = async (m: Record<string, unknown>, id: number) => {
      await handle({ ...m, id } as unknown as RequestMessage);
      const a = posted.filter((p) => p.id === id).pop()!;
      if (a.kind !== 'reply') throw new Error(JSON.stringify(a));
      return a.result;
    };
    await send({ kind: 'load', source: { kind: 'url', manifestUrl: 'ovseg.json' }, ep: 'wasm' }, 1);
    const vocab = parseVocabulary('constructor, __proto__ | toString, red, hasOwnProperty, blue');
    expect(vocab.warnings).toEqual([]);
    const bitmap = { close: () => undefined } as unknown as ImageBitmap;
    const v = (await send(
      { kind: 'vocabulary', classes: vocab.classes },
      2,
    )) as Requests['vocabulary']['res'];
    const r = (await send({ kind: 'segment', threshold: 0.3, bitmap }, 3)) as SegmentResult;
    expect(r.classes).toEqual(['constructor', '__proto__', 'red', 'hasOwnProperty', 'blue']);
    // The colours model knows red and blue: they take their halves; the other names are unknown words.
    expect(v.unknown).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString']));
    expect(r.labels[0]).toBe(3);
    expect(r.labels[W - 1]).toBe(5);
    expect(drawn).toHaveLength(1);
    // A vocabulary edit with the same names again: from the embedding cache, same answer.
    await send({ kind: 'vocabulary', classes: vocab.classes }, 4);
    const again = (await send({ kind: 'segment', threshold: 0.3 }, 5)) as SegmentResult;
    expect(Array.from(again.labels)).toEqual(Array.from(r.labels));
  });
});

describe('dropped files named like property names', () => {
  it('are found by their own names only', async () => {
    const files = Object.fromEntries([
      ['constructor', new Blob([new Uint8Array([1, 2])])],
      ['__proto__', new Blob([new Uint8Array([3])])],
    ]);
    const read = blobFetcher(files);
    expect(Array.from(await read('constructor'))).toEqual([1, 2]);
    expect(Array.from(await read('models/__proto__'))).toEqual([3]);
    await expect(read('toString')).rejects.toThrow('The dropped files do not include toString');
    await expect(read('hasOwnProperty')).rejects.toThrow(/do not include/);
  });
});
