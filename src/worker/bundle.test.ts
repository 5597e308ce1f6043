/** What a bundle's files may turn out to be: a web page where the server has no such file. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFileInvalidError } from '../errors';
import { loadBundle, looksLikeHtml, type Fetcher } from './bundle';

const DIR = 'public/models/colours';
const INDEX = new TextEncoder().encode('\n  <!DOCTYPE html>\n<html lang="en"><head><title>ovseg-web</title>');
/** The colours bundle's files, except the given paths, answered with the app's index page. */
const serving =
  (pages: string[]): Fetcher =>
  async (path) =>
    pages.includes(path) ? INDEX : new Uint8Array(readFileSync(`${DIR}/${path}`));

describe('looksLikeHtml', () => {
  it('tells a page from JSON and ONNX bytes', () => {
    expect(looksLikeHtml(INDEX)).toBe(true);
    expect(looksLikeHtml(new TextEncoder().encode('<html><body>404</body></html>'))).toBe(true);
    expect(looksLikeHtml(new Uint8Array(readFileSync(`${DIR}/ovseg.json`)))).toBe(false);
    expect(looksLikeHtml(new Uint8Array(readFileSync(`${DIR}/image_model.onnx`)))).toBe(false);
    expect(looksLikeHtml(new Uint8Array(0))).toBe(false);
  });
});

describe('loadBundle', () => {
  it('says the server answered a web page, not a manifest', async () => {
    const err = await loadBundle(
      serving(['ovseg.json']),
      { path: 'ovseg.json' },
      ['fp32'],
      'https://hub',
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ModelFileInvalidError);
    expect((err as Error).message).toBe(
      'The model manifest is a web page, not JSON: the server has no such file at that address (check it)',
    );
  });

  it('says so for a graph too, and loads the bundle when every file is there (the control)', async () => {
    const err = await loadBundle(
      serving(['image_model.onnx']),
      { path: 'ovseg.json' },
      ['fp32'],
      'https://hub',
    ).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^image_model\.onnx is a web page, not an ONNX model/);
    const ok = await loadBundle(serving([]), { path: 'ovseg.json' }, ['fp32'], 'https://hub');
    expect(Object.keys(ok.parts)).toEqual(['image', 'text']);
  });
});
