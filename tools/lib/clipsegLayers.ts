/**
 * The layers of a CLIPSeg graph in a traced torch export's op patterns: MatMul + bias Add linears,
 * LayerNormalization, quick-GELU (x · sigmoid(1.702 x)), multi-head attention with Reshape/Transpose
 * head splits, pre-norm CLIP layers and post-norm CLIPSeg decoder layers.
 */
import { FloatAttr } from '../../src/models/onnx/onnxBuilder';
import type { ClipSegSize } from './clipsegSize';
import type { GraphWriter } from './graphWriter';

export const STD = 0.02;

export class ClipSegLayers {
  constructor(
    protected readonly w: GraphWriter,
    protected readonly s: ClipSegSize,
  ) {}

  protected linear(scope: string, x: string, inDim: number, outDim: number, name: string): string {
    const W = this.w.weight(`${name}.weight_t`, [inDim, outDim], STD);
    const b = this.w.weight(`${name}.bias`, [outDim], STD);
    return this.w.op(scope, 'Add', [b, this.w.op(scope, 'MatMul', [x, W])]);
  }

  protected layerNorm(scope: string, x: string, dim: number, name: string): string {
    const g = this.w.filled(`${name}.weight`, [dim], 1);
    const b = this.w.filled(`${name}.bias`, [dim], 0);
    return this.w.op(scope, 'LayerNormalization', [x, g, b], { axis: -1, epsilon: new FloatAttr(1e-5) });
  }

  protected quickGelu(scope: string, x: string): string {
    const k = this.w.constF(scope, 1.702);
    const sig = this.w.op(scope, 'Sigmoid', [this.w.op(scope, 'Mul', [x, k])]);
    return this.w.op(scope, 'Mul', [x, sig]);
  }

  /** The vision tower's tokens [B, 1 + n², width]: the class embedding, then the patch Conv's patches. */
  protected visionTokens(scope: string, pixels: string, prefix: string): string {
    const w = this.w;
    const v = this.s.vision;
    const patchW = w.weight(
      `${prefix}.embeddings.patch_embedding.weight`,
      [v.hidden, 3, v.patch, v.patch],
      STD,
    );
    const conv = w.op(scope, 'Conv', [pixels, patchW], {
      dilations: [1, 1],
      group: 1,
      kernel_shape: [v.patch, v.patch],
      pads: [0, 0, 0, 0],
      strides: [v.patch, v.patch],
    });
    const patches = w.op(
      scope,
      'Transpose',
      [w.op(scope, 'Reshape', [conv, w.constI64(scope, [0, v.hidden, -1])])],
      { perm: [0, 2, 1] },
    );
    const batch = w.op(scope, 'Slice', [
      w.op(scope, 'Shape', [pixels]),
      w.constI64(scope, [0]),
      w.constI64(scope, [1]),
    ]);
    const clsShape = w.op(scope, 'Concat', [batch, w.constI64(scope, [1, v.hidden])], { axis: 0 });
    const cls = w.op(scope, 'Expand', [
      w.weight(`${prefix}.embeddings.class_embedding`, [v.hidden], STD),
      clsShape,
    ]);
    return w.op(scope, 'Concat', [cls, patches], { axis: 1 });
  }

  /**
   * The text tower's input: token + position embeddings of `ids` [N, L] (weights under `prefix`),
   * N and L as scalars, and the causal pattern [L, L] (key j seen from query i when j <= i).
   */
  protected textInput(scope: string, ids: string, prefix: string) {
    const w = this.w;
    const t = this.s.text;
    const shape = w.op(scope, 'Shape', [ids]);
    const n = w.op(scope, 'Gather', [shape, w.constI64(scope, [0], [])], { axis: 0 });
    const len = w.op(scope, 'Gather', [shape, w.constI64(scope, [1], [])], { axis: 0 });
    const positions = w.constI64(
      scope,
      Array.from({ length: t.positions }, (_, i) => i),
      [1, t.positions],
    );
    const posIds = w.op(scope, 'Slice', [
      positions,
      w.constI64(scope, [0]),
      w.op(scope, 'Unsqueeze', [len, w.constI64(scope, [0])]),
      w.constI64(scope, [1]),
    ]);
    const tok = w.op(scope, 'Gather', [
      w.weight(`${prefix}.embeddings.token_embedding.weight`, [t.vocab, t.hidden], STD),
      ids,
    ]);
    const pos = w.op(scope, 'Gather', [
      w.weight(`${prefix}.embeddings.position_embedding.weight`, [t.positions, t.hidden], STD),
      posIds,
    ]);
    const x = w.op(scope, 'Add', [tok, pos]);
    const range = w.op(scope, 'Range', [w.constI64(scope, [0], []), len, w.constI64(scope, [1], [])]);
    const rows = w.op(scope, 'Unsqueeze', [range, w.constI64(scope, [1])]);
    const cols = w.op(scope, 'Unsqueeze', [range, w.constI64(scope, [0])]);
    const causal = w.op(scope, 'LessOrEqual', [cols, rows]);
    return { n, len, x, causal };
  }

  /** Each prompt's hidden state [N, width] at its end token (id 49407, the largest: argmax of the ids). */
  protected poolAtEnd(scope: string, ids: string, hidden: string, n: string, len: string): string {
    const w = this.w;
    const end = w.op(scope, 'ArgMax', [w.op(scope, 'Cast', [ids], { to: 6 })], {
      axis: -1,
      keepdims: 0,
      select_last_index: 0,
    });
    const rowStart = w.op(scope, 'Mul', [
      w.op(scope, 'Range', [w.constI64(scope, [0], []), n, w.constI64(scope, [1], [])]),
      len,
    ]);
    const flat = w.op(scope, 'Reshape', [hidden, w.constI64(scope, [-1, this.s.text.hidden])]);
    return w.op(
      scope,
      'Gather',
      [flat, w.op(scope, 'Add', [w.op(scope, 'Cast', [end], { to: 7 }), rowStart])],
      { axis: 0 },
    );
  }

  /** Multi-head self-attention over [B, S, D]; `mask` is an additive [B|1, 1, S, S] float tensor. */
  protected attention(
    scope: string,
    x: string,
    dim: number,
    heads: number,
    name: string,
    mask?: string,
  ): string {
    const w = this.w;
    const hd = dim / heads;
    const q = this.linear(scope, x, dim, dim, `${name}.q_proj`);
    const k = this.linear(scope, x, dim, dim, `${name}.k_proj`);
    const v = this.linear(scope, x, dim, dim, `${name}.v_proj`);
    const split = (t: string) => w.op(scope, 'Reshape', [t, w.constI64(scope, [0, 0, heads, hd])]);
    const qh = w.op(scope, 'Transpose', [split(q)], { perm: [0, 2, 1, 3] });
    const kh = w.op(scope, 'Transpose', [split(k)], { perm: [0, 2, 3, 1] });
    const vh = w.op(scope, 'Transpose', [split(v)], { perm: [0, 2, 1, 3] });
    let scores = w.op(scope, 'Mul', [w.op(scope, 'MatMul', [qh, kh]), w.constF(scope, 1 / Math.sqrt(hd))]);
    if (mask) scores = w.op(scope, 'Add', [scores, mask]);
    const probs = w.op(scope, 'Softmax', [scores], { axis: -1 });
    const ctx = w.op(scope, 'Transpose', [w.op(scope, 'MatMul', [probs, vh])], { perm: [0, 2, 1, 3] });
    const merged = w.op(scope, 'Reshape', [ctx, w.constI64(scope, [0, 0, dim])]);
    return this.linear(scope, merged, dim, dim, `${name}.out_proj`);
  }

  protected mlp(scope: string, x: string, dim: number, hidden: number, name: string): string {
    const h = this.quickGelu(scope, this.linear(scope, x, dim, hidden, `${name}.fc1`));
    return this.linear(scope, h, hidden, dim, `${name}.fc2`);
  }

  /** CLIP encoder layer (pre-norm). */
  protected clipLayer(
    x: string,
    dim: number,
    heads: number,
    mlp: number,
    name: string,
    mask?: string,
  ): string {
    const scope = `/${name}`;
    const a = this.attention(
      scope,
      this.layerNorm(scope, x, dim, `${name}.layer_norm1`),
      dim,
      heads,
      `${name}.self_attn`,
      mask,
    );
    const h = this.w.op(scope, 'Add', [x, a]);
    const m = this.mlp(scope, this.layerNorm(scope, h, dim, `${name}.layer_norm2`), dim, mlp, `${name}.mlp`);
    return this.w.op(scope, 'Add', [h, m]);
  }

  /** CLIPSeg decoder layer (post-norm). */
  protected decoderLayer(x: string, name: string): string {
    const { reduce: d, decoderHeads, decoderMlp } = this.s;
    const scope = `/${name}`;
    const a = this.w.op(scope, 'Add', [x, this.attention(scope, x, d, decoderHeads, `${name}.self_attn`)]);
    const h = this.layerNorm(scope, a, d, `${name}.layer_norm1`);
    const m = this.w.op(scope, 'Add', [h, this.mlp(scope, h, d, decoderMlp, `${name}.mlp`)]);
    return this.layerNorm(scope, m, d, `${name}.layer_norm2`);
  }
}
