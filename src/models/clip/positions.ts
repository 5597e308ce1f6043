/**
 * Position embeddings of a CLIP vision tower: finds them by structure (the constant added to the
 * [class; patches] tokens before the first encoder layer, behind an optional pre-LayerNorm) and, for
 * a larger single pass, replaces them at load by a bicubic resize of the patch part to a new grid
 * (Hugging Face's `interpolate_pos_encoding`: PyTorch bicubic, align_corners=False). The export must
 * compute its reshapes from runtime shapes (PyTorch exports of CLIP do); the patch grid follows the
 * input size through the patch Conv.
 */
import { resizeGridBicubic } from './maths/bicubic';
import { floatToHalf } from '../onnx/half';
import { floatTensor } from '../onnx/onnxBuilder';
import { DataType, type OnnxNode } from '../onnx/onnxProto';
import { ClipDenseError, type ConstValue, type GraphIndex } from './graphIndex';
import type { LayerNormMatch } from './layerNorm';
import type { EncoderBlock } from './structure';

export interface PositionInfo {
  /** Patch size (the patch Conv's kernel). */
  patch: number;
  /** Grid of the export's own position embeddings (224 / 16 = 14 for ViT-B/16). */
  baseGrid: { h: number; w: number };
  /** Grid the surgered model runs at. */
  grid: { h: number; w: number };
  /** Input size for `grid`: grid * patch. */
  size: { h: number; w: number };
}

const NOT_FOUND =
  'Not a CLIP vision tower this model family understands: looked for the position embeddings (a ' +
  'constant [1 + n*n, width] tensor added to the class and patch tokens before the first layer)';

/**
 * Finds the patch size and the position embeddings; when `grid` differs from the export's own, replaces
 * the embeddings by ones resized to it and declares the larger image input.
 */
export function resizePositions(
  g: GraphIndex,
  first: EncoderBlock,
  lns: LayerNormMatch[],
  grid?: { h: number; w: number },
): PositionInfo {
  const patch = patchSize(g);
  const found = findPositions(g, first, lns);
  const { side } = found;
  const baseGrid = { h: side, w: side };
  const target = grid ?? baseGrid;
  if (!(target.h >= 1 && target.w >= 1 && Number.isInteger(target.h) && Number.isInteger(target.w)))
    throw new ClipDenseError(`Invalid patch grid ${target.h}x${target.w}`);
  const size = { h: target.h * patch, w: target.w * patch };
  if (target.h === side && target.w === side) return { patch, baseGrid, grid: target, size };
  replacePositions(g, found, target);
  // The image input now has the size of the new grid.
  for (const vi of g.graph.input ?? []) {
    const d = vi.type?.tensor_type?.shape?.dim;
    if (vi.name === g.inputs[0] && d?.length === 4) {
      d[2] = { dim_value: size.h };
      d[3] = { dim_value: size.w };
    }
  }
  return { patch, baseGrid, grid: target, size };
}

/** The patch size: the kernel of the first Conv on the image (a square one). */
function patchSize(g: GraphIndex): number {
  const conv = g.order
    .map((i) => g.node(i))
    .find((n) => (n.op_type === 'Conv' || n.op_type === 'ConvInteger') && !g.isConst(n.input?.[0] ?? ''));
  const kernel =
    conv?.attribute?.find((a) => a.name === 'kernel_shape')?.ints ??
    g.constValue(conv?.input?.[1] ?? '')?.dims.slice(2);
  if (!kernel || kernel.length !== 2 || kernel[0] !== kernel[1])
    throw new ClipDenseError(
      'Not a CLIP vision tower: looked for the square patch Conv on the image and found none',
    );
  return Number(kernel[0]);
}

/** The position embeddings as found: the Add that applies them, at which input, and their value. */
interface FoundPositions {
  add: OnnxNode;
  slot: number;
  value: ConstValue;
  /** Side of the export's square patch grid. */
  side: number;
  width: number;
}

/**
 * The constant [1 + side², width] (or [1, 1 + side², width]) added to the tokens that enter the first
 * layer, behind its pre-LayerNorm if it has one.
 */
function findPositions(g: GraphIndex, first: EncoderBlock, lns: LayerNormMatch[]): FoundPositions {
  let x = first.input;
  const pre = lns.find((l) => l.output === x);
  if (pre) x = pre.input;
  const add = g.producerOf(x);
  const ins = add?.op_type === 'Add' ? (add.input ?? []) : [];
  const slot = ins.findIndex((t) => g.isConst(t));
  const value = slot >= 0 && !g.isConst(ins[1 - slot] ?? '') ? g.constValue(ins[slot]!) : undefined;
  if (!add || !value) throw new ClipDenseError(`${NOT_FOUND}.`);
  const dims = value.dims.filter((d, k) => !(k === 0 && d === 1 && value.dims.length === 3));
  const side = Math.round(Math.sqrt((dims[0] ?? 0) - 1));
  if (dims.length !== 2 || side * side + 1 !== dims[0])
    throw new ClipDenseError(`${NOT_FOUND}; found a constant of shape [${value.dims.join(', ')}] instead.`);
  return { add, slot, value, side, width: dims[1]! };
}

/**
 * Adds the embeddings resized to `target` (class row kept, patch rows resized bicubically; float16
 * when the export's are) as a new initializer and points the Add at it.
 */
function replacePositions(
  g: GraphIndex,
  { add, slot, value, side, width }: FoundPositions,
  target: { h: number; w: number },
): void {
  const src = Float32Array.from(value.data.subarray(width));
  const resized = resizeGridBicubic(src, width, side, side, target.h, target.w);
  const all = new Float32Array((1 + target.h * target.w) * width);
  all.set(Float32Array.from(value.data.subarray(0, width)));
  all.set(resized, width);
  const name = `clipdense/position_embedding_${target.h}x${target.w}`;
  const dimsOut = [1, 1 + target.h * target.w, width];
  g.graph.initializer!.push(
    value.type === DataType.FLOAT16
      ? {
          name,
          dims: dimsOut,
          data_type: DataType.FLOAT16,
          raw_data: new Uint8Array(floatToHalf(all).buffer),
        }
      : floatTensor(name, dimsOut, all),
  );
  add.input![slot] = name;
}
