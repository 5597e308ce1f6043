/**
 * Checks a manifest cannot make at parse time, made at load with the real engine: the void
 * embedding's length against the text model's embeddings, and where the bundle's files come from.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fsFetcher, newSegmenter } from '../../tools/lib/nodeSegmenter';
import { ManifestError, parseManifest, type Manifest } from '../models/manifest';
import { ModelOutputInvalidError } from '../errors';
import { WIDE_TEXT_WIDTH, wideTextModel } from '../../e2e/support/wideText';
import type { Fetcher } from './bundle';

const DIR = 'public/models/colours';
const raw = () => JSON.parse(readFileSync(`${DIR}/ovseg.json`, 'utf8')) as Record<string, unknown>;
const inline = (changes: Record<string, unknown>): Manifest => parseManifest({ ...raw(), ...changes });

async function loadError(manifest: Manifest, base?: string, fetcher?: Fetcher): Promise<Error | null> {
  const engine = newSegmenter();
  try {
    await engine.load(fetcher ?? fsFetcher(DIR), base ? { manifest, base } : { manifest }, 'wasm');
    return null;
  } catch (e) {
    return e as Error;
  } finally {
    await engine.dispose();
  }
}

describe('load-time manifest checks', () => {
  const dim = (raw().voidEmbedding as number[]).length;

  it('loads the bundle as it is (the control)', async () => {
    expect(await loadError(inline({}))).toBeNull();
  });

  it("refuses a void embedding whose length differs from the text model's embeddings", async () => {
    for (const n of [dim - 1, dim + 1, 1]) {
      const err = await loadError(inline({ voidEmbedding: Array.from({ length: n }, (_, i) => i + 1) }));
      expect(err).toBeInstanceOf(ManifestError);
      expect(err!.message).toContain(
        `"voidEmbedding" has ${n} numbers, but the text model's embeddings have ${dim}`,
      );
    }
  });

  it('refuses a text model whose embeddings are wider than any manifest may declare, at load', async () => {
    const files = fsFetcher(DIR);
    const wide: Fetcher = async (path, ...rest) =>
      path === 'wide_text.onnx' ? wideTextModel() : files(path, ...rest);
    const err = await loadError(inline({ text: { files: { fp32: 'wide_text.onnx' } } }), undefined, wide);
    expect(err).toBeInstanceOf(ModelOutputInvalidError);
    expect(err!.message).toContain(
      `has ${WIDE_TEXT_WIDTH.toLocaleString('en')} numbers per prompt: at most 8,192`,
    );
  });

  it('refuses files on a third origin before fetching anything', async () => {
    const evil = inline({ image: { files: { fp32: 'https://evil.example/image_model.onnx' } } });
    const err = await loadError(evil, 'https://models.example/bundle/');
    expect(err).toBeInstanceOf(ManifestError);
    expect(err!.message).toMatch(/"image\.files\.fp32" points to https:\/\/evil\.example/);
  });
});
