import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, pickDtype } from './manifest';

const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const colours = () => readJson('public/models/colours/ovseg.json');

/** Expects parseManifest to reject `json` with a ManifestError whose message contains `fragment`. */
function rejects(json: unknown, fragment: string): void {
  let err: unknown;
  try {
    parseManifest(json);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ManifestError);
  expect((err as Error).name).toBe('ManifestError');
  expect((err as Error).message).toContain(fragment);
}

describe('parseManifest', () => {
  it('accepts the embedded colours model', () => {
    const m = parseManifest(colours());
    expect(m.id).toBe('colours');
    if (m.family !== 'query') throw new Error('expected the query family');
    expect(m.input).toEqual({ kind: 'dynamic', longSide: 384, multiple: 8 });
    expect(m.image.files.fp32).toBe('image_model.onnx');
    expect(m.templates).toEqual(['{}']);
  });

  it('accepts the query-ovseg-tiny fixture', () => {
    const m = parseManifest(readJson('fixtures/query-ovseg-tiny/ovseg.json'));
    expect(m.id).toBe('query-ovseg-tiny');
    if (m.family !== 'query') throw new Error('expected the query family');
    expect(m.input).toEqual({ kind: 'fixed', height: 256, width: 320 });
    expect(Object.keys(m.image.files).sort()).toEqual(['fp16', 'fp32', 'q8']);
    expect(m.voidEmbedding).toHaveLength(16);
    expect(m.threshold).toBe(0);
  });

  it('accepts a manifest without the optional fields', () => {
    const m = colours();
    for (const k of ['description', 'licence', 'source', 'voidEmbedding', 'threshold', 'vocabulary'])
      delete m[k];
    expect(parseManifest(m).id).toBe('colours');
  });

  it('rejects non-objects', () => {
    for (const v of [null, undefined, 42, 'ovseg', [], [colours()]]) rejects(v, 'not a JSON object');
  });

  it('rejects a missing or empty id and name', () => {
    const m = colours();
    delete m.id;
    rejects(m, '"id"');
    rejects({ ...colours(), id: '' }, '"id"');
    rejects({ ...colours(), id: 7 }, '"id"');
    rejects({ ...colours(), name: '' }, '"name"');
  });

  it('rejects a wrong family', () => {
    rejects({ ...colours(), family: 'clip' }, '"family"');
    const m = colours();
    delete m.family;
    rejects(m, '"family"');
  });

  it('rejects model parts with no files or bad files', () => {
    rejects({ ...colours(), image: { files: {} } }, '"image.files" lists no file');
    rejects({ ...colours(), text: { files: {} } }, '"text.files" lists no file');
    rejects({ ...colours(), image: {} }, '"image.files"');
    rejects({ ...colours(), text: 'text_model.onnx' }, '"text.files"');
    rejects({ ...colours(), image: { files: { fp32: '' } } }, '"image.files.fp32"');
  });

  it('rejects an unknown dtype key', () => {
    rejects({ ...colours(), image: { files: { int4: 'image_model.onnx' } } }, 'unknown dtype "int4"');
    rejects(
      { ...colours(), text: { files: { fp32: 'a.onnx', FP16: 'b.onnx' } } },
      '"text.files" has unknown dtype "FP16"',
    );
  });

  it('rejects a missing tokenizer file', () => {
    rejects({ ...colours(), tokenizer: {} }, '"tokenizer.json"');
    rejects({ ...colours(), tokenizer: 'tokenizer.json' }, '"tokenizer.json"');
  });

  it('rejects templates without "{}"', () => {
    rejects({ ...colours(), templates: ['a photo of a thing.'] }, '"templates"');
    rejects({ ...colours(), templates: ['{}', 'no placeholder'] }, '"templates"');
    rejects({ ...colours(), templates: [] }, '"templates"');
    rejects({ ...colours(), templates: '{}' }, '"templates"');
  });

  it('rejects a non-positive or non-numeric logitScale', () => {
    rejects({ ...colours(), logitScale: -1 }, '"logitScale"');
    rejects({ ...colours(), logitScale: 0 }, '"logitScale"');
    rejects({ ...colours(), logitScale: '50' }, '"logitScale"');
    rejects({ ...colours(), logitScale: Number.POSITIVE_INFINITY }, '"logitScale"');
  });

  it('rejects bad input policies', () => {
    rejects({ ...colours(), input: 'dynamic' }, '"input"');
    rejects({ ...colours(), input: { kind: 'auto' } }, '"input.kind"');
    rejects({ ...colours(), input: { kind: 'fixed', height: 256 } }, '"input" fixed needs height, width');
    rejects({ ...colours(), input: { kind: 'fixed', height: 0, width: 320 } }, '"input" fixed');
    rejects({ ...colours(), input: { kind: 'dynamic', longSide: 4, multiple: 8 } }, '"input.longSide"');
    rejects({ ...colours(), input: { kind: 'dynamic', longSide: 384, multiple: 0 } }, '"input.multiple"');
    rejects(
      { ...colours(), input: { kind: 'fixed', height: 8, width: 8, resample: 'lanczos' } },
      '"input.resample"',
    );
  });

  it('keeps the resize filter a manifest asks for', () => {
    const input = { kind: 'fixed', height: 224, width: 224, resample: 'bicubic' };
    expect(parseManifest({ ...colours(), input }).input).toEqual(input);
  });

  it('rejects bad pixel statistics', () => {
    rejects({ ...colours(), pixel: { mean: [0.5, 0.5], std: [0.2, 0.2, 0.2] } }, '"pixel"');
    rejects({ ...colours(), pixel: { mean: [0.5, 0.5, 0.5], std: [0.2, 0, 0.2] } }, '"pixel"');
  });

  it('rejects a bad threshold', () => {
    rejects({ ...colours(), threshold: 1.5 }, '"threshold"');
    rejects({ ...colours(), threshold: -0.1 }, '"threshold"');
    rejects({ ...colours(), threshold: '0.3' }, '"threshold"');
  });

  it('rejects a bad void embedding', () => {
    rejects({ ...colours(), voidEmbedding: [] }, '"voidEmbedding"');
    rejects({ ...colours(), voidEmbedding: [0, 'x'] }, '"voidEmbedding"');
  });
});

describe('pickDtype', () => {
  const files = { fp32: 'a.onnx', fp16: 'b.onnx', q8: 'c.onnx' };

  it('picks the first preferred dtype the bundle has', () => {
    expect(pickDtype(files, ['q8', 'fp32', 'fp16'])).toBe('q8');
    expect(pickDtype(files, ['fp32', 'fp16', 'q8'])).toBe('fp32');
    expect(pickDtype({ fp16: 'b.onnx', fp32: 'a.onnx' }, ['q4f16', 'q8', 'fp16', 'fp32'])).toBe('fp16');
    expect(pickDtype({ fp32: 'a.onnx' }, ['q8', 'fp16', 'fp32'])).toBe('fp32');
  });

  it('falls back to the first listed file when no preference matches', () => {
    expect(pickDtype({ fp16: 'b.onnx', fp32: 'a.onnx' }, ['q8'])).toBe('fp16');
    expect(pickDtype({ q8: 'c.onnx' }, [])).toBe('q8');
  });

  it('throws a ManifestError when there is no file at all', () => {
    expect(() => pickDtype({}, ['fp32'])).toThrow(ManifestError);
  });
});
