/**
 * A hostile bundle for cache-poisoning tests: the embedded colours model's manifest (same `id`, same
 * name) with another text model, one that embeds "red", "green" and "blue" all as red. Were cached
 * text results keyed by the manifest's id, this model's embeddings would later be served to the real
 * colours model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildModelBytes, floatTensor, int64Tensor, node, valueInfo } from '../src/models/onnx/onnxBuilder';
import { DataType, decodeModel, encodeModel } from '../src/models/onnx/onnxProto';
import { textGraph } from '../tools/colours/graphs';
import { spinLoop } from './spinLoop';
import { AXES, D } from '../tools/colours/palette';

const COLOURS_DIR = fileURLToPath(new URL('../public/models/colours/', import.meta.url));
export const coloursFile = (name: string): string => `${COLOURS_DIR}${name}`;

export function hostileColoursBundle(): { manifest: Record<string, unknown>; textModel: Uint8Array } {
  const manifest = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
  const vocab = (
    JSON.parse(readFileSync(coloursFile('tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    }
  ).model.vocab;
  const red = Array.from({ length: D }, (_, i) => (AXES[i] === 'red' ? 1 : 0));
  const words = ['red', 'green', 'blue'];
  const textModel = buildModelBytes(
    textGraph({ tokenIds: words.map((w) => vocab[`${w}</w>`]!), weights: words.map(() => red) }),
  );
  return { manifest, textModel };
}

/** Ways a text model can break the family's contract (float32 [prompts, width], finite values). */
export type TextFault = 'int64' | 'one-row' | 'not-finite';

/**
 * The colours text model with its output broken one way: cast to int64, cut to the first prompt's
 * row whatever the batch, or divided by zero (infinities, and NaN where an embedding is 0).
 */
export function brokenColoursText(fault: TextFault): Uint8Array {
  const vocab = (
    JSON.parse(readFileSync(coloursFile('tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    }
  ).model.vocab;
  const words = ['red', 'green', 'blue'];
  const weights = words.map((w) => Array.from({ length: D }, (_, i) => (AXES[i] === w ? 1 : 0)));
  const spec = textGraph({ tokenIds: words.map((w) => vocab[`${w}</w>`]!), weights });
  const nodes = spec.graph.node ?? [];
  const inits = spec.graph.initializer ?? [];
  // The honest output becomes an inner value; one more node makes the broken one.
  nodes.at(-1)!.output = ['embeds_ok'];
  let output = spec.graph.output ?? [];
  if (fault === 'int64') {
    nodes.push(node('Cast', ['embeds_ok'], ['text_embeds'], { to: DataType.INT64 }));
    output = [valueInfo('text_embeds', DataType.INT64, ['batch', D])];
  } else if (fault === 'one-row') {
    inits.push(
      int64Tensor('starts', [1], [0]),
      int64Tensor('ends', [1], [1]),
      int64Tensor('axes0', [1], [0]),
    );
    nodes.push(node('Slice', ['embeds_ok', 'starts', 'ends', 'axes0'], ['text_embeds']));
    output = [valueInfo('text_embeds', DataType.FLOAT, [1, D])];
  } else {
    inits.push(floatTensor('zero_div', [], [0]));
    nodes.push(node('Div', ['embeds_ok', 'zero_div'], ['text_embeds']));
  }
  spec.graph = { ...spec.graph, node: nodes, initializer: inits, output };
  return buildModelBytes(spec);
}

/** Ways an image model can break the query family's contract (shapes, finite values). */
export type ImageFault = 'mask-rank' | 'not-finite-masks';

/**
 * The colours image model with `pred_masks` broken one way: one more axis in front (rank 5), or
 * divided by zero (infinities, NaN where a mask logit is 0).
 */
export function brokenColoursImage(fault: ImageFault): Uint8Array {
  const model = decodeModel(new Uint8Array(readFileSync(coloursFile('image_model.onnx'))));
  const g = model.graph!;
  const nodes = g.node ?? [];
  nodes.find((n) => n.output?.[0] === 'pred_masks')!.output = ['masks_ok'];
  if (fault === 'mask-rank') {
    g.initializer = [...(g.initializer ?? []), int64Tensor('front_axis', [1], [0])];
    nodes.push(node('Unsqueeze', ['masks_ok', 'front_axis'], ['pred_masks']));
  } else {
    g.initializer = [...(g.initializer ?? []), floatTensor('zero_div', [], [0])];
    nodes.push(node('Div', ['masks_ok', 'zero_div'], ['pred_masks']));
  }
  g.node = nodes;
  g.output = (g.output ?? []).map((o) =>
    o.name === 'pred_masks'
      ? valueInfo(
          'pred_masks',
          DataType.FLOAT,
          fault === 'mask-rank' ? [1, 1, 'q', 'h', 'w'] : [1, 'q', 'h', 'w'],
        )
      : o,
  );
  return encodeModel(model);
}

/**
 * The colours image model with one more output, the input repeated `copies` times: a model whose
 * every run (its warm-up included) makes ONNX Runtime's WebAssembly memory grow by
 * copies x 3 x H x W floats (at the embedded model's 384 x 384 warm-up: 1.7 MiB a copy), memory that never shrinks.
 */
export function memoryHogImage(copies: number): Uint8Array {
  const model = decodeModel(new Uint8Array(readFileSync(coloursFile('image_model.onnx'))));
  const g = model.graph!;
  g.initializer = [...(g.initializer ?? []), int64Tensor('hog_shape', [4], [copies, 1, 1, 1])];
  g.node = [...(g.node ?? []), node('Expand', ['pixel_values', 'hog_shape'], ['memory_hog'])];
  g.output = [...(g.output ?? []), valueInfo('memory_hog', DataType.FLOAT, [copies, 3, 'height', 'width'])];
  return encodeModel(model);
}

/**
 * The colours image model with one more output that spins 2^55 times per pixel row the input's
 * height differs from `height` (the warm-up's): it loads and warms up, then hangs on any picture of
 * another shape (a webcam's frames).
 */
export function hangsOffShape(height: number): Uint8Array {
  const model = decodeModel(new Uint8Array(readFileSync(coloursFile('image_model.onnx'))));
  const g = model.graph!;
  const loop = spinLoop('spin_trip', 'spin_keep', 'spin_v0', 'spin');
  g.initializer = [
    ...(g.initializer ?? []),
    int64Tensor('spin_axis', [], [2]),
    int64Tensor('spin_height', [], [height]),
    int64Tensor('spin_big', [], [2 ** 55]),
    int64Tensor('spin_flat', [1], [-1]),
    { name: 'spin_keep', dims: [], data_type: DataType.BOOL, raw_data: new Uint8Array([1]) },
  ];
  g.node = [
    ...(g.node ?? []),
    node('Shape', ['pixel_values'], ['spin_shape']),
    node('Gather', ['spin_shape', 'spin_axis'], ['spin_h']),
    node('Sub', ['spin_h', 'spin_height'], ['spin_d']),
    node('Abs', ['spin_d'], ['spin_ad']),
    node('Mul', ['spin_ad', 'spin_big'], ['spin_trip']),
    // Depends on the pixels, so no optimiser can fold the loop away.
    node('ReduceMean', ['pixel_values'], ['spin_mean'], { keepdims: 0 }),
    node('Reshape', ['spin_mean', 'spin_flat'], ['spin_v0']),
    loop,
  ];
  g.output = [...(g.output ?? []), valueInfo('spin', DataType.FLOAT, [1])];
  return encodeModel(model);
}
