import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../clip/constants';
import { checkFileOrigins, parseManifest } from '../manifest';
import { CLIP_DENSE } from '../presets';

/** A minimal clip-dense manifest: the two towers, tokenizer, input and pixel statistics. */
const minimal = (): Record<string, unknown> => ({
  id: 'x',
  name: 'x',
  family: 'clip-dense',
  image: { files: { fp32: 'vision_model.onnx' } },
  text: { files: { fp32: 'text_model.onnx' } },
  tokenizer: { json: 'tokenizer.json' },
  input: { kind: 'fixed', height: 224, width: 224 },
  pixel: { mean: [0.48, 0.46, 0.41], std: [0.27, 0.26, 0.28] },
});

const message = (json: unknown): string => {
  try {
    parseManifest(json);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the manifest was accepted');
};

describe('clip-dense manifest', () => {
  it('fills in CLIP templates, logit scale 100 and 224-pixel windows over a 448 short side', () => {
    const m = parseManifest(minimal());
    if (m.family !== 'clip-dense') throw new Error('expected clip-dense');
    expect(m.templates).toEqual(DEFAULT_TEMPLATES);
    expect(m.logitScale).toBe(100);
    expect(m.window).toEqual({ shortSide: 448, stride: 112 });
    expect(m.resolution).toBe('windows');
    const single = parseManifest({ ...minimal(), resolution: 'single', window: { shortSide: 336 } });
    expect(single).toMatchObject({ resolution: 'single', window: { shortSide: 336, stride: 112 } });
  });

  it('the preset parses to itself and names the public CLIP ViT-B/16 files', () => {
    expect(parseManifest(CLIP_DENSE.manifest)).toEqual(CLIP_DENSE.manifest);
    const m = CLIP_DENSE.manifest;
    if (m.family !== 'clip-dense') throw new Error('expected clip-dense');
    expect(CLIP_DENSE.id).toBe('clip-vit-b16-dense');
    expect(m.image.repo).toBe('Xenova/clip-vit-base-patch16');
    expect(m.image.files).toEqual({
      fp32: 'onnx/vision_model.onnx',
      fp16: 'onnx/vision_model_fp16.onnx',
      q8: 'onnx/vision_model_quantized.onnx',
    });
    expect(m.text.files.q8).toBe('onnx/text_model_quantized.onnx');
  });

  it('refuses windows that leave gaps, unknown resolutions and a missing tower', () => {
    expect(message({ ...minimal(), window: { stride: 300 } })).toContain(
      '"window.stride" must be an integer in 8..224 (got 300)',
    );
    expect(message({ ...minimal(), window: { shortSide: 100 } })).toContain(
      '"window.shortSide" must be an integer in 224..4096',
    );
    expect(message({ ...minimal(), resolution: 'double' })).toContain(
      '"resolution" must be "windows" or "single"',
    );
    expect(message({ ...minimal(), logitScale: 0 })).toContain('"logitScale" must be a number in 1..1000');
    const m = minimal();
    delete m.text;
    expect(message(m)).toContain('"text" is missing');
  });

  it('both towers come from the manifest origin or the hub only', () => {
    const third = { ...minimal(), text: { files: { fp32: 'https://elsewhere.example/t.onnx' } } };
    expect(() =>
      checkFileOrigins(parseManifest(third), 'https://app.example/m/ovseg.json', 'https://hub.example'),
    ).toThrow('"text.files.fp32" points to https://elsewhere.example');
    const hubFiles = { ...minimal(), image: { repo: 'a/b', files: { fp32: 'onnx/vision_model.onnx' } } };
    expect(() => checkFileOrigins(parseManifest(hubFiles), null, 'https://hub.example')).not.toThrow();
  });
});
