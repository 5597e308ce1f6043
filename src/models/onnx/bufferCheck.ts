import { formatBytes } from '../../shared/format';
import { GpuBufferTooSmallError } from '../../errors';
import { tensorBytes } from './graphTools';
import { decodeModel } from './onnxProto';

/** The largest weight tensor (initializer or Constant) of an ONNX model, in bytes. */
function largestTensorBytes(bytes: Uint8Array): { name: string; bytes: number } {
  const g = decodeModel(bytes).graph;
  let best = { name: '', bytes: 0 };
  for (const t of g?.initializer ?? []) {
    const n = tensorBytes(t);
    if (n > best.bytes) best = { name: t.name ?? '', bytes: n };
  }
  for (const node of g?.node ?? []) {
    if (node.op_type !== 'Constant') continue;
    for (const a of node.attribute ?? []) {
      if (!a.t) continue;
      const n = tensorBytes(a.t);
      if (n > best.bytes) best = { name: node.output?.[0] ?? '', bytes: n };
    }
  }
  return best;
}

export class BufferLimitError extends GpuBufferTooSmallError {
  override name = 'BufferLimitError';
}

/** Refuses a model whose largest tensor cannot be bound on this GPU, with a way out. */
export function checkGpuBuffers(bytes: Uint8Array, file: string, limit: number): void {
  const big = largestTensorBytes(bytes);
  if (big.bytes > limit) {
    throw new BufferLimitError(
      `${file} needs a GPU buffer of ${formatBytes(big.bytes)} (tensor "${big.name}"), but this GPU allows at most ${formatBytes(limit)}. ` +
        'Switch the backend to WASM, or use a smaller variant of the model.',
    );
  }
}
