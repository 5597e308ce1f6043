/**
 * SAM's image encoder (upstream ImageEncoderViT, transformers' SamVisionEncoder) as the graph
 * `vision_encoder`: `pixel_values` [B, 3, 1024, 1024] -> `image_embeddings` [B, C, 64, 64] and
 * `image_positional_embeddings` [B, C, 64, 64] (the prompt encoder's dense positional encoding of
 * the 64 x 64 grid, as transformers' export returns it beside the embeddings).
 *
 * Patch embedding Conv, absolute positions, pre-norm blocks: windowed attention (14 x 14 windows,
 * the 64 x 64 grid zero-padded to 70 x 70 after the norm, unpadded after) or global attention,
 * both with decomposed relative position biases (Einsum over gathered tables), exact-GELU MLP;
 * the neck (1x1 Conv, LayerNorm2d, 3x3 Conv, LayerNorm2d).
 */
import { fanIn, SamLayers } from './samLayers';
import { gridOf, type SamSize } from './samSize';

const PE = 'prompt_encoder.pe_layer';

/** get_rel_pos's indices for equal query and key sizes: (i − j) + (size − 1), as a [size, size] table. */
function relPosIndex(size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out.push(i - j + size - 1);
  return out;
}

export class SamEncoderBuilder extends SamLayers {
  /** Emits the graph from `pixel_values`; its outputs are named as transformers.js's export names them. */
  build(s: SamSize): void {
    const e = s.encoder;
    const g = gridOf(s);
    const w = this.w;
    const scope = '/image_encoder/patch_embed';
    const conv = w.op(
      scope,
      'Conv',
      [
        'pixel_values',
        w.weight(
          'image_encoder.patch_embed.proj.weight',
          [e.hidden, 3, e.patch, e.patch],
          fanIn(3 * e.patch ** 2),
        ),
        w.weight('image_encoder.patch_embed.proj.bias', [e.hidden], 0.02),
      ],
      {
        dilations: [1, 1],
        group: 1,
        kernel_shape: [e.patch, e.patch],
        pads: [0, 0, 0, 0],
        strides: [e.patch, e.patch],
      },
    );
    let x = w.op(scope, 'Transpose', [conv], { perm: [0, 2, 3, 1] }); // B, H, W, C
    x = w.op(scope, 'Add', [x, w.weight('image_encoder.pos_embed', [1, g, g, e.hidden], 0.02)]);
    for (let i = 0; i < e.layers; i++) x = this.block(x, i, s);
    this.neck(x, s);
    this.densePe(s);
  }

  private block(x: string, i: number, s: SamSize): string {
    const e = s.encoder;
    const w = this.w;
    const name = `image_encoder.blocks.${i}`;
    const scope = `/${name}`;
    const normed = this.layerNorm(scope, x, e.hidden, `${name}.norm1`, e.eps);
    const a = e.global.includes(i)
      ? this.attention(scope, normed, gridOf(s), `${name}.attn`, s)
      : this.windowed(scope, normed, `${name}.attn`, s);
    const h = w.op(scope, 'Add', [x, a]);
    const normed2 = this.layerNorm(scope, h, e.hidden, `${name}.norm2`, e.eps);
    const up = this.gelu(scope, this.linear(scope, normed2, e.hidden, e.mlp, `${name}.mlp.lin1`));
    return w.op(scope, 'Add', [h, this.linear(scope, up, e.mlp, e.hidden, `${name}.mlp.lin2`)]);
  }

  /** window_partition (zero padding at the bottom and right to whole windows), attention, window_unpartition. */
  private windowed(scope: string, x: string, name: string, s: SamSize): string {
    const w = this.w;
    const { window: side, hidden: d } = s.encoder;
    const g = gridOf(s);
    const n = Math.ceil(g / side);
    const pad = n * side - g;
    const reshape = (t: string, dims: number[]) => w.op(scope, 'Reshape', [t, w.constI64(scope, dims)]);
    const swap = (t: string) => w.op(scope, 'Transpose', [t], { perm: [0, 1, 3, 2, 4, 5] });
    const padded = w.op(scope, 'Pad', [x, w.constI64(scope, [0, 0, 0, 0, 0, pad, pad, 0])], {
      mode: 'constant',
    });
    const windows = reshape(swap(reshape(padded, [-1, n, side, n, side, d])), [-1, side, side, d]);
    const attended = this.attention(scope, windows, side, name, s);
    const whole = reshape(swap(reshape(attended, [-1, n, n, side, side, d])), [-1, n * side, n * side, d]);
    return this.slice(scope, this.slice(scope, whole, 1, 0, g), 2, 0, g);
  }

  /** Attention over [N, side, side, C] (windows or the whole grid) with decomposed relative positions. */
  private attention(scope: string, x: string, side: number, name: string, s: SamSize): string {
    const w = this.w;
    const { hidden: d, heads } = s.encoder;
    const hd = d / heads;
    const L = side * side;
    const reshape = (t: string, dims: number[]) => w.op(scope, 'Reshape', [t, w.constI64(scope, dims)]);
    const qkv = this.linear(scope, reshape(x, [-1, L, d]), d, 3 * d, `${name}.qkv`);
    // [N, L, 3, heads, hd] -> [3, N, heads, L, hd] -> [3, N * heads, L, hd]
    const perm = w.op(scope, 'Transpose', [reshape(qkv, [-1, L, 3, heads, hd])], { perm: [2, 0, 3, 1, 4] });
    const flat = reshape(perm, [3, -1, L, hd]);
    const [q, k, v] = [0, 1, 2].map((i) =>
      w.op(scope, 'Gather', [flat, w.constI64(scope, [i], [])], { axis: 0 }),
    ) as [string, string, string];
    const scaled = w.op(scope, 'Mul', [q, w.constF(scope, hd ** -0.5)]);
    const attn = w.op(scope, 'MatMul', [scaled, w.op(scope, 'Transpose', [k], { perm: [0, 2, 1] })]);
    const biased = reshape(this.relPos(scope, attn, q, side, hd, name), [-1, L, L]);
    const probs = w.op(scope, 'Softmax', [biased], { axis: -1 });
    // (attn @ v) [N * heads, L, hd] -> [N, heads, side, side, hd] -> [N, side, side, heads, hd]
    const out = reshape(w.op(scope, 'MatMul', [probs, v]), [-1, heads, side, side, hd]);
    const merged = reshape(w.op(scope, 'Transpose', [out], { perm: [0, 2, 3, 1, 4] }), [-1, side, side, d]);
    return this.linear(scope, merged, d, d, `${name}.proj`);
  }

  /**
   * add_decomposed_rel_pos: attn [N·heads, L, L] viewed as [.., qh, qw, kh, kw] plus
   * einsum(q, Rh)[..., None] and einsum(q, Rw)[..., None, :]; Rh, Rw [side, side, hd] gathered from
   * the [2·side − 1, hd] tables (the unscaled q, as upstream).
   */
  private relPos(scope: string, attn: string, q: string, side: number, hd: number, name: string): string {
    const w = this.w;
    const idx = w.constI64(scope, relPosIndex(side), [side, side]);
    const table = (axis: 'h' | 'w') =>
      w.op(scope, 'Gather', [w.weight(`${name}.rel_pos_${axis}`, [2 * side - 1, hd], 0.02), idx], {
        axis: 0,
      });
    const rq = w.op(scope, 'Reshape', [q, w.constI64(scope, [-1, side, side, hd])]);
    const relH = w.op(scope, 'Einsum', [rq, table('h')], { equation: 'bhwc,hkc->bhwk' });
    const relW = w.op(scope, 'Einsum', [rq, table('w')], { equation: 'bhwc,wkc->bhwk' });
    const a5 = w.op(scope, 'Reshape', [attn, w.constI64(scope, [-1, side, side, side, side])]);
    return w.op(scope, 'Add', [
      w.op(scope, 'Add', [a5, w.op(scope, 'Unsqueeze', [relH, w.constI64(scope, [4])])]),
      w.op(scope, 'Unsqueeze', [relW, w.constI64(scope, [3])]),
    ]);
  }

  private neck(x: string, s: SamSize): void {
    const e = s.encoder;
    const w = this.w;
    const scope = '/image_encoder/neck';
    const conv = (input: string, name: string, cin: number, k: number) =>
      w.op(scope, 'Conv', [input, w.weight(name, [e.out, cin, k, k], fanIn(cin * k * k))], {
        dilations: [1, 1],
        group: 1,
        kernel_shape: [k, k],
        pads: Array<number>(4).fill((k - 1) / 2),
        strides: [1, 1],
      });
    const nchw = w.op(scope, 'Transpose', [x], { perm: [0, 3, 1, 2] });
    const n1 = this.layerNorm2d(
      scope,
      conv(nchw, 'image_encoder.neck.0.weight', e.hidden, 1),
      e.out,
      'image_encoder.neck.1',
      e.eps,
    );
    const n3 = this.layerNorm2d(
      scope,
      conv(n1, 'image_encoder.neck.2.weight', e.out, 3),
      e.out,
      'image_encoder.neck.3',
      e.eps,
    );
    this.named('Identity', [n3], 'image_embeddings');
  }

  /** get_dense_pe(): the Fourier features of the grid's cell centres, [B, C, g, g] (repeated per image). */
  private densePe(s: SamSize): void {
    const w = this.w;
    const scope = `/${PE}`;
    const g = gridOf(s);
    const xy: number[] = [];
    for (let y = 0; y < g; y++) for (let x = 0; x < g; x++) xy.push((x + 0.5) / g, (y + 0.5) / g);
    const pe = this.fourier(scope, this.constTensor(scope, [g, g, 2], xy)); // [g, g, C]
    const chw = w.op(scope, 'Unsqueeze', [
      w.op(scope, 'Transpose', [pe], { perm: [2, 0, 1] }),
      w.constI64(scope, [0]),
    ]);
    const shape = w.op(
      scope,
      'Concat',
      [this.dims(scope, 'pixel_values', 0, 1), w.constI64(scope, [s.prompt.dim, g, g])],
      {
        axis: 0,
      },
    );
    this.named('Expand', [chw, shape], 'image_positional_embeddings');
  }
}
