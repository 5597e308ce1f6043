import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModelBytes, floatTensor, node, valueInfo } from '../onnx/onnxBuilder';
import { DataType, decodeModel, encodeModel } from '../onnx/onnxProto';
import { ClipDenseError } from './graphIndex';
import { clearClipSurgery } from './surgery';
import { bytesOf } from './testFixtures.testing';

/** The surgery's load errors say what it looked for. */
function failure(bytes: Uint8Array): Error {
  try {
    clearClipSurgery(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ClipDenseError);
    return e as Error;
  }
  throw new Error('the surgery accepted the model');
}

describe('dense-CLIP surgery on graphs it cannot understand', () => {
  it('rejects bytes that are not an ONNX model', () => {
    expect(
      failure(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])).message,
    ).toMatch(/Not an ONNX model/);
  });

  it('rejects a graph without transformer layers, saying what it looked for', () => {
    const bytes = buildModelBytes({
      graph: {
        name: 'conv-only',
        node: [node('Conv', ['pixel_values', 'w'], ['y'], { kernel_shape: [16, 16], strides: [16, 16] })],
        initializer: [floatTensor('w', [4, 3, 16, 16], new Float32Array(4 * 3 * 16 * 16))],
        input: [valueInfo('pixel_values', DataType.FLOAT, ['batch', 3, 224, 224])],
        output: [valueInfo('y', DataType.FLOAT, ['batch', 4, 14, 14])],
      },
    });
    expect(failure(bytes).message).toMatch(/looked for encoder layers \(LayerNorm -> attention.*found none/);
  });

  it('rejects a model with two inputs (a CLIPSeg graph)', () => {
    const bytes = new Uint8Array(readFileSync('fixtures/clipseg-tiny/model.onnx'));
    expect(failure(bytes).message).toMatch(/one input \(pixel_values\).*input_ids/);
  });

  it('rejects a CLIP text tower: no patch Conv on an image', () => {
    const bytes = new Uint8Array(readFileSync('fixtures/clip-text-tiny/text_model.onnx'));
    expect(failure(bytes).message).toMatch(/looked for the square patch Conv/);
  });

  it('does not rewrite an earlier layer when the last layer attention is not recognised', () => {
    const m = decodeModel(bytesOf('vision_model.onnx'));
    const softmaxes = m.graph!.node!.filter((n) => n.op_type === 'Softmax');
    softmaxes[softmaxes.length - 1]!.op_type = 'Sigmoid';
    expect(failure(encodeModel(m)).message).toMatch(/looked for the post-LayerNorm right after it.*found/);
  });

  it('rejects a tower without a visual projection', () => {
    const m = decodeModel(bytesOf('vision_model.onnx'));
    const g = m.graph!;
    const proj = g.node!.find((n) => n.output?.[0] === 'image_embeds')!;
    g.node = g.node!.filter((n) => n !== proj);
    g.output = [valueInfo(proj.input![0]!, DataType.FLOAT, ['batch', 32])];
    expect(failure(encodeModel(m)).message).toMatch(/looked for the visual projection/);
  });
});
