import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILY_LIST } from './families';
import { ManifestError, parseManifest } from './manifest';
import { PRESETS } from './presets';

const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const colours = () => readJson('public/models/colours/ovseg.json');
const dense = () => readJson('fixtures/clipseg-tiny/ovseg.json');

/** The ManifestError parseManifest throws for `json` (fails the test when it accepts it). */
function errorOf(json: unknown): Error {
  try {
    parseManifest(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as Error).name).toBe('ManifestError');
    return e as Error;
  }
  throw new Error(`accepted: ${JSON.stringify(json).slice(0, 200)}`);
}

/** Expects a rejection whose message contains `fragment` (the field's path, quoted, and more). */
function rejects(json: unknown, fragment: string): void {
  expect(errorOf(json).message).toContain(fragment);
}

describe('parseManifest accepts', () => {
  it('the embedded colours model', () => {
    const m = parseManifest(colours());
    expect(m.id).toBe('colours');
    if (m.family !== 'query') throw new Error('expected the query family');
    expect(m.input).toEqual({ kind: 'dynamic', longSide: 384, multiple: 8 });
    expect(m.image.files.fp32).toBe('image_model.onnx');
    expect(m.templates).toEqual(['{}']);
  });

  it('the query-ovseg-tiny and clipseg-tiny fixtures, and the presets', () => {
    const m = parseManifest(readJson('fixtures/query-ovseg-tiny/ovseg.json'));
    if (m.family !== 'query') throw new Error('expected the query family');
    expect(m.input).toEqual({ kind: 'fixed', height: 256, width: 320 });
    expect(Object.keys(m.image.files).sort()).toEqual(['fp16', 'fp32', 'q8']);
    expect(m.voidEmbedding).toHaveLength(16);
    expect(m.threshold).toBe(0);
    expect(parseManifest(dense()).family).toBe('dense');
    for (const p of PRESETS) expect(parseManifest(p.manifest)).toEqual(p.manifest);
  });

  it('a manifest without the optional fields', () => {
    const m = colours();
    for (const k of ['description', 'licence', 'source', 'voidEmbedding', 'threshold', 'vocabulary'])
      delete m[k];
    expect(parseManifest(m).id).toBe('colours');
  });

  it('file entries with their exact byte size, and a resampling choice', () => {
    const m = parseManifest({
      ...colours(),
      image: { files: { fp32: { path: 'image_model.onnx', size: 12345 }, q8: 'image_model_q8.onnx' } },
      tokenizer: { json: { path: 'tokenizer.json', size: 2_224_003 }, config: 'tokenizer_config.json' },
      input: { kind: 'fixed', height: 352, width: 352, resample: 'bicubic' },
    });
    if (m.family !== 'query') throw new Error('expected the query family');
    expect(m.image.files).toEqual({ fp32: 'image_model.onnx', q8: 'image_model_q8.onnx' });
    expect(m.image.fileSizes).toEqual({ fp32: 12345 });
    expect(m.tokenizer).toEqual({
      json: 'tokenizer.json',
      config: 'tokenizer_config.json',
      fileSizes: { json: 2_224_003 },
    });
    expect(m.input).toEqual({ kind: 'fixed', height: 352, width: 352, resample: 'bicubic' });
  });

  it('files on another path of the same host, and http(s) URLs (their origin is checked at load)', () => {
    for (const file of ['../shared/text.onnx', '/models/x.onnx', 'https://example.org/x.onnx', 'a b.onnx'])
      expect(parseManifest({ ...colours(), text: { files: { fp32: file } } }).id).toBe('colours');
  });
});

describe('parseManifest rejects, naming the field', () => {
  it('non-objects', () => {
    for (const v of [null, undefined, 42, 'ovseg', [], [colours()]]) rejects(v, 'not a JSON object');
  });

  it('a missing, empty, non-text or overlong id and name', () => {
    const m = colours();
    delete m.id;
    rejects(m, '"id" is missing');
    rejects({ ...colours(), id: '' }, '"id" must be a non-empty text');
    rejects({ ...colours(), id: 7 }, '"id" must be a non-empty text');
    rejects({ ...colours(), name: '' }, '"name"');
    rejects({ ...colours(), name: { en: 'x' } }, '"name"');
    rejects({ ...colours(), name: 'x'.repeat(201) }, '"name" must be a non-empty text of at most 200');
  });

  it('a description, licence or source that is not a text (objects and arrays included)', () => {
    rejects({ ...colours(), description: { html: '<b>x</b>' } }, '"description" must be a text');
    rejects({ ...colours(), licence: ['MIT', 'Apache'] }, '"licence" must be a text');
    rejects({ ...colours(), source: 42 }, '"source" must be a text');
    rejects({ ...colours(), description: 'x'.repeat(2001) }, '"description"');
  });

  it('a wrong or missing family: the message lists every registered family', () => {
    rejects({ ...colours(), family: 'clip' }, '"family" must be "query", "dense", "clip-dense"');
    rejects({ ...colours(), family: 'clip' }, ' (got "clip")');
    for (const f of FAMILY_LIST) rejects({ ...colours(), family: 'clip' }, `"${f.id}"`);
    const m = colours();
    delete m.family;
    rejects(m, '"family"');
  });

  it('model parts with no files or bad files', () => {
    rejects({ ...colours(), image: { files: {} } }, '"image.files" lists no file');
    rejects({ ...colours(), text: { files: {} } }, '"text.files" lists no file');
    rejects({ ...colours(), image: {} }, '"image.files" is missing');
    rejects({ ...colours(), text: 'text_model.onnx' }, '"text" must be an object');
    rejects({ ...colours(), image: { files: { fp32: '' } } }, '"image.files.fp32"');
    rejects({ ...colours(), image: { files: { fp32: 5 } } }, '"image.files.fp32"');
    rejects({ ...dense(), model: { files: [] } }, '"model.files"');
  });

  it('an unknown dtype key', () => {
    rejects(
      { ...colours(), image: { files: { int4: 'image_model.onnx' } } },
      '"image.files.int4" is an unknown dtype',
    );
    rejects(
      { ...colours(), text: { files: { fp32: 'a.onnx', FP16: 'b.onnx' } } },
      '"text.files.FP16" is an unknown dtype',
    );
  });

  it('a repo that is not "owner/name"', () => {
    for (const repo of ['owner', '../..', 'a/b/c', 'owner/..', 'https://x.org/a/b', 7])
      rejects({ ...colours(), text: { repo, files: { fp32: 'x.onnx' } } }, '"text.repo" must look like');
  });

  it('file entries that are not relative paths or http(s) URLs', () => {
    for (const file of [
      'data:application/octet-stream;base64,CAE=',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'blob:https://example.org/1',
      'file:///etc/passwd',
      '//evil.example/x.onnx',
      'https:/x.onnx',
      'x\\..\\y.onnx',
      'x\n.onnx',
    ]) {
      rejects(
        { ...colours(), image: { files: { fp32: file } } },
        '"image.files.fp32" must be a path relative',
      );
      rejects({ ...colours(), tokenizer: { json: file } }, '"tokenizer.json" must be a path relative');
    }
    rejects(
      { ...colours(), tokenizer: { json: 'tokenizer.json', config: 'data:,{}' } },
      '"tokenizer.config"',
    );
  });

  it('a declared file size that is not a positive whole number of bytes', () => {
    for (const size of [0, -1, 1.5, '12', Number.NaN, 1e13])
      rejects({ ...colours(), image: { files: { fp32: { path: 'a.onnx', size } } } }, '"image.files.fp32');
  });

  it('a missing tokenizer file, or a maxLength out of range', () => {
    rejects({ ...colours(), tokenizer: {} }, '"tokenizer.json" is missing');
    rejects({ ...colours(), tokenizer: 'tokenizer.json' }, '"tokenizer" must be an object');
    rejects(
      { ...colours(), tokenizer: { json: 'tokenizer.json', maxLength: 1e6 } },
      '"tokenizer.maxLength" must be an integer in 2..1024',
    );
    rejects({ ...colours(), tokenizer: { json: 'tokenizer.json', maxLength: 7.5 } }, '"tokenizer.maxLength"');
  });

  it('templates without "{}", none, too many, or not texts', () => {
    rejects({ ...colours(), templates: ['a photo of a thing.'] }, '"templates[0]" must contain "{}"');
    rejects({ ...colours(), templates: ['{}', 'no placeholder'] }, '"templates[1]" must contain "{}"');
    rejects({ ...colours(), templates: [] }, '"templates" must list at least one');
    rejects({ ...colours(), templates: '{}' }, '"templates" must be a list');
    rejects({ ...colours(), templates: [{ t: '{}' }] }, '"templates[0]"');
    rejects(
      { ...colours(), templates: Array.from({ length: 65 }, () => '{}') },
      '"templates" must list at most 64',
    );
  });

  it('templates whose count times length is over the budget: every name would cost that much', () => {
    const long = `${'a very long template '.repeat(24)}{}`; // 506 characters, within the 512 a template may have
    const fits = Array.from({ length: 8 }, () => long);
    expect(parseManifest({ ...colours(), templates: fits }).templates).toHaveLength(8);
    rejects(
      { ...colours(), templates: Array.from({ length: 9 }, () => long) },
      '"templates" must total at most 4096 characters',
    );
  });

  it('a logitScale that is not a number in 1..1000 (absurd ones included)', () => {
    for (const s of [-1, 0, 0.5, 1e9, '50', Number.POSITIVE_INFINITY, Number.NaN, null])
      rejects({ ...colours(), logitScale: s }, '"logitScale" must be a number in 1..1000');
    const m = colours();
    delete m.logitScale;
    rejects(m, '"logitScale" is missing');
  });

  it('fixed input sizes that are not integers in 32..4096', () => {
    const fixed = (height: unknown, width: unknown) => ({
      ...colours(),
      input: { kind: 'fixed', height, width },
    });
    rejects(fixed(100000, 320), '"input.height" must be an integer in 32..4096 (got 100000)');
    rejects(fixed(256, 320.5), '"input.width" must be an integer in 32..4096 (got 320.5)');
    rejects(fixed(0, 320), '"input.height"');
    rejects(fixed(-256, 320), '"input.height"');
    rejects(fixed('256', 320), '"input.height"');
    rejects({ ...colours(), input: { kind: 'fixed', height: 256 } }, '"input.width" is missing');
  });

  it('dynamic input: long side and multiple bounded, multiple no larger than the long side', () => {
    const dyn = (longSide: unknown, multiple: unknown) => ({
      ...colours(),
      input: { kind: 'dynamic', longSide, multiple },
    });
    rejects(dyn(4, 8), '"input.longSide" must be an integer in 32..4096');
    rejects(dyn(1e5, 8), '"input.longSide"');
    rejects(dyn(384.5, 8), '"input.longSide"');
    rejects(dyn(384, 0), '"input.multiple" must be an integer in 1..256');
    rejects(dyn(384, 1.5), '"input.multiple"');
    rejects(dyn(64, 128), '"input.multiple" must not exceed "longSide" (got 128)');
  });

  it('an input that is not an object, of an unknown kind, or with an unknown resampling', () => {
    rejects({ ...colours(), input: 'dynamic' }, '"input"');
    rejects({ ...colours(), input: { kind: 'auto' } }, '"input.kind"');
    rejects(
      { ...colours(), input: { kind: 'fixed', height: 352, width: 352, resample: 'lanczos' } },
      '"input.resample" must be "bilinear" or "bicubic"',
    );
  });

  it('pixel statistics: three numbers each, mean in 0..1, std in 0.01..10', () => {
    rejects(
      { ...colours(), pixel: { mean: [0.5, 0.5], std: [0.2, 0.2, 0.2] } },
      '"pixel.mean[2]" is missing',
    );
    rejects(
      { ...colours(), pixel: { mean: [0.5, 0.5, 0.5], std: [0.2, 0, 0.2] } },
      '"pixel.std[1]" must be a number in 0.01..10 (got 0)',
    );
    rejects({ ...colours(), pixel: { mean: [0.5, 0.5, 0.5], std: [1e-9, 0.2, 0.2] } }, '"pixel.std[0]"');
    rejects(
      { ...colours(), pixel: { mean: [123.7, 116.3, 103.5], std: [0.2, 0.2, 0.2] } },
      '"pixel.mean[0]" must be a number in 0..1',
    );
    rejects(
      { ...colours(), pixel: { mean: [0.5, 0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] } },
      '"pixel.mean[3]" must be three numbers',
    );
    rejects({ ...colours(), pixel: { mean: [0.5, 0.5, 0.5], std: 'imagenet' } }, '"pixel.std"');
  });

  it('a threshold outside [0, 1]', () => {
    rejects({ ...colours(), threshold: 1.5 }, '"threshold" must be a number in 0..1');
    rejects({ ...colours(), threshold: -0.1 }, '"threshold"');
    rejects({ ...colours(), threshold: '0.3' }, '"threshold"');
  });

  it('a void embedding that is empty, not numbers, all zeros or too long', () => {
    rejects({ ...colours(), voidEmbedding: [] }, '"voidEmbedding" must be a list of 1..8192 finite numbers');
    rejects({ ...colours(), voidEmbedding: [0, 'x'] }, '"voidEmbedding[1]"');
    rejects({ ...colours(), voidEmbedding: [0, 0, 0] }, '"voidEmbedding" must be a list');
    rejects({ ...colours(), voidEmbedding: new Array(8193).fill(1) }, '"voidEmbedding"');
  });

  it('a vocabulary that is not a list of words, and an unknown classMode', () => {
    rejects({ ...colours(), vocabulary: ['red', { x: 1 }] }, '"vocabulary[1]"');
    rejects({ ...colours(), vocabulary: 'red green' }, '"vocabulary" must be a list of words');
    rejects({ ...dense(), classMode: 'sum' }, '"classMode" must be "max" or "mean"');
  });

  it('several faults at once: the first three fields are named, the rest counted', () => {
    const msg = errorOf({
      ...colours(),
      id: 1,
      name: 2,
      logitScale: 'x',
      threshold: 5,
      templates: [],
    }).message;
    expect(msg).toMatch(/^Invalid model manifest: "id" .*; "name" .*; "templates" .* \(and 2 more\)$/);
  });
});
