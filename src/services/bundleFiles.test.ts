import { describe, expect, it } from 'vitest';
import { chooseBundleFiles, otherManifests } from './bundleFiles';

const file = (name: string, size = 3) => new File([new Uint8Array(size)], name);

describe('chooseBundleFiles', () => {
  it('uses the first file of a name and says so', () => {
    const first = file('text_model.onnx', 2048);
    const b = chooseBundleFiles([
      file('ovseg.json'),
      first,
      file('text_model.onnx', 10),
      file('text_model.onnx'),
    ]);
    expect(b.files['text_model.onnx']).toBe(first);
    expect(b.notes).toEqual([
      '3 of the chosen files are named "text_model.onnx": the first, "text_model.onnx" (2 kB), is used, the other 2 not.',
    ]);
  });

  it('prefers ovseg.json, else the first JSON that is not the tokenizer', () => {
    expect(chooseBundleFiles([file('a.json'), file('ovseg.json')]).manifest?.name).toBe('ovseg.json');
    expect(chooseBundleFiles([file('tokenizer.json'), file('b.json'), file('c.json')]).manifest?.name).toBe(
      'b.json',
    );
    expect(chooseBundleFiles([file('tokenizer.json'), file('x.onnx')]).manifest).toBeNull();
  });

  it('names rival manifests, but not JSON files the manifest names', () => {
    const b = chooseBundleFiles([file('other.json'), file('ovseg.json'), file('my-tokenizer.json')]);
    const json = { tokenizer: { json: 'sub/my-tokenizer.json' } };
    expect(otherManifests(b, json)).toBe(
      '2 of the chosen files could be the manifest: "ovseg.json" is used (ovseg.json comes first), not "other.json".',
    );
    expect(
      otherManifests(chooseBundleFiles([file('ovseg.json'), file('my-tokenizer.json')]), json),
    ).toBeNull();
  });
});
