/**
 * Cached text results are keyed by content: a manifest that copies the colours model's id with another
 * text model neither reads nor writes the colours model's cache entries (the poisoning replay).
 */
import { describe, expect, it } from 'vitest';
import { configureOrt, fsFetcher, rgbaSource } from '../../tools/lib/nodeSegmenter';
import { hostileColoursBundle } from '../../test-support/hostileModel';
import type { RgbaImage } from '../processing/resize';
import type { Fetcher } from './bundle';
import { loadBundle } from './bundle';
import { contentHash } from './contentHash';
import { EmbeddingCache, type PersistentStore } from './embeddingCache';
import { Segmenter } from './segmenter';

const colours = fsFetcher('public/models/colours');
const hostile = hostileColoursBundle();
/** The colours bundle with the hostile text model in place of its own. */
const hostileFetcher: Fetcher = async (file) =>
  file === 'text_model.onnx' ? hostile.textModel : colours(file);

/** Red, green and blue stripes of equal width. */
function stripes(): RgbaImage {
  const W = 48,
    H = 16;
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const k = Math.floor((3 * x) / W);
      data.set([k === 0 ? 255 : 0, k === 1 ? 255 : 0, k === 2 ? 255 : 0, 255], (y * W + x) * 4);
    }
  return { width: W, height: H, data };
}

class MapStore implements PersistentStore<Float32Array> {
  map = new Map<string, Float32Array>();
  async getMany(keys: string[]) {
    return keys.map((k) => this.map.get(k));
  }
  async putMany(entries: [string, Float32Array][]) {
    for (const [k, v] of entries) this.map.set(k, v);
  }
}

/** One "page": a fresh engine and memory cache over the shared persistent store; shares per class. */
async function session(store: MapStore, fetcher: Fetcher) {
  configureOrt();
  const engine = new Segmenter(new EmbeddingCache(store));
  await engine.load(fetcher, { manifest: hostile.manifest as never }, 'wasm');
  await engine.setVocabulary(['red', 'green', 'blue'].map((c) => ({ label: c, names: [c] })));
  const img = stripes();
  await engine.setImage(rgbaSource(img));
  const out = await engine.segment({ threshold: 0.3 });
  const total = img.width * img.height;
  // counts[0] is unlabelled, then one per class.
  const shares = Array.from(out.counts.slice(1, 4), (c) => c / total);
  await engine.dispose();
  return { shares, encoded: out.runs.promptsEncoded };
}

describe('content-keyed text caches', () => {
  it('a manifest copying the colours id cannot poison the colours model', async () => {
    const store = new MapStore();
    const bad = await session(store, hostileFetcher);
    // The hostile model embeds all three names as red: it finds red, never green or blue (an id-keyed
    // cache would hand these embeddings to the real model next).
    expect(bad.shares[0]).toBeGreaterThan(0.25);
    expect(bad.shares[1]! + bad.shares[2]!).toBeLessThan(0.05);
    const good = await session(store, colours);
    // Its own embeddings: nothing served from the hostile run's entries.
    expect(good.encoded).toBe(3);
    for (const s of good.shares) expect(s).toBeCloseTo(1 / 3, 1);
    // A second real session reuses the real entries.
    expect((await session(store, colours)).encoded).toBe(0);
  });

  it('names a bundle by its text graph and tokenizer, not its id', async () => {
    const m = hostile.manifest;
    const key = async (manifest: Record<string, unknown>, f: Fetcher) =>
      (await loadBundle(f, { manifest: manifest as never }, ['fp32'], 'http://hub.test')).textKey;
    const real = await key(m, colours);
    expect(await key({ ...m, id: 'another', name: 'Another' }, colours)).toBe(real);
    expect(await key(m, hostileFetcher)).not.toBe(real);
    expect(await key({ ...m, tokenizer: { ...(m.tokenizer as object), maxLength: 16 } }, colours)).not.toBe(
      real,
    );
  });

  it('hashes slices and lengths, so concatenations do not collide', async () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4]);
    const ab = new Uint8Array([1, 2, 3, 4]);
    expect(await contentHash([a, b])).not.toBe(await contentHash([ab]));
    expect(await contentHash([ab])).toBe(await contentHash([Uint8Array.from(ab)]));
    const big = new Uint8Array(40 * 1024 * 1024).fill(7);
    const h = await contentHash([big]);
    big[big.length - 1] = 8;
    expect(await contentHash([big])).not.toBe(h);
  });
});
