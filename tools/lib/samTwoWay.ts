/**
 * SAM's TwoWayTransformer (upstream modeling/transformer.py): `depth` two-way attention blocks
 * (token self-attention, token-to-image attention, a ReLU MLP on the tokens, image-to-token
 * attention; post-norm), a final token-to-image attention and its norm. Attention as upstream's
 * `Attention`: q, k, v projected to dim / downsample, split into heads, softmax(q·kᵀ / √c) · v.
 */
import { SamLayers } from './samLayers';
import type { SamSize } from './samSize';

/** The transformer's outputs: the tokens [N, T, C] and the image keys [N, HW, C]. */
export interface TwoWayOut {
  queries: string;
  keys: string;
}

export class SamTwoWay extends SamLayers {
  /** Upstream Attention(q, k, v) on [N, Tq, C], [N, Tk, C], [N, Tk, C]. */
  protected attention(
    q: string,
    k: string,
    v: string,
    dim: number,
    inner: number,
    heads: number,
    name: string,
  ): string {
    const w = this.w;
    const scope = `/${name}`;
    const hd = inner / heads;
    const split = (t: string, perm: number[]) =>
      w.op(scope, 'Transpose', [w.op(scope, 'Reshape', [t, w.constI64(scope, [0, 0, heads, hd])])], { perm });
    const qh = split(this.linear(scope, q, dim, inner, `${name}.q_proj`), [0, 2, 1, 3]);
    const kt = split(this.linear(scope, k, dim, inner, `${name}.k_proj`), [0, 2, 3, 1]);
    const vh = split(this.linear(scope, v, dim, inner, `${name}.v_proj`), [0, 2, 1, 3]);
    const scores = w.op(scope, 'Div', [w.op(scope, 'MatMul', [qh, kt]), w.constF(scope, Math.sqrt(hd))]);
    const probs = w.op(scope, 'Softmax', [scores], { axis: -1 });
    const ctx = w.op(scope, 'Transpose', [w.op(scope, 'MatMul', [probs, vh])], { perm: [0, 2, 1, 3] });
    const merged = w.op(scope, 'Reshape', [ctx, w.constI64(scope, [0, 0, inner])]);
    return this.linear(scope, merged, inner, dim, `${name}.out_proj`);
  }

  /** TwoWayAttentionBlock.forward; the first block skips the PE in its self-attention. */
  private block(
    i: number,
    queries: string,
    keys: string,
    queryPe: string,
    keyPe: string,
    s: SamSize,
  ): TwoWayOut {
    const w = this.w;
    const m = s.decoder;
    const d = s.prompt.dim;
    const inner = d / m.downsample;
    const name = `mask_decoder.transformer.layers.${i}`;
    const scope = `/${name}`;
    const add = (a: string, b: string) => w.op(scope, 'Add', [a, b]);
    const norm = (x: string, k: number) => this.layerNorm(scope, x, d, `${name}.norm${k}`, m.blockEps);
    let q: string;
    if (i === 0) {
      q = this.attention(queries, queries, queries, d, d, m.heads, `${name}.self_attn`);
    } else {
      const qp = add(queries, queryPe);
      q = add(queries, this.attention(qp, qp, queries, d, d, m.heads, `${name}.self_attn`));
    }
    q = norm(q, 1);
    const kp = add(keys, keyPe);
    const t2i = this.attention(
      add(q, queryPe),
      kp,
      keys,
      d,
      inner,
      m.heads,
      `${name}.cross_attn_token_to_image`,
    );
    q = norm(add(q, t2i), 2);
    const hidden = w.op(scope, 'Relu', [this.linear(scope, q, d, m.mlp, `${name}.mlp.lin1`)]);
    q = norm(add(q, this.linear(scope, hidden, m.mlp, d, `${name}.mlp.lin2`)), 3);
    const i2t = this.attention(
      kp,
      add(q, queryPe),
      q,
      d,
      inner,
      m.heads,
      `${name}.cross_attn_image_to_token`,
    );
    return { queries: q, keys: norm(add(keys, i2t), 4) };
  }

  /**
   * TwoWayTransformer.forward with the image and its PE already flattened to [N, HW, C]; `tokens`
   * [N, T, C] are both the first queries and their PE.
   */
  protected twoWay(image: string, imagePe: string, tokens: string, s: SamSize): TwoWayOut {
    const w = this.w;
    const m = s.decoder;
    const d = s.prompt.dim;
    let out: TwoWayOut = { queries: tokens, keys: image };
    for (let i = 0; i < m.depth; i++) out = this.block(i, out.queries, out.keys, tokens, imagePe, s);
    const name = 'mask_decoder.transformer';
    const scope = `/${name}`;
    const q = w.op(scope, 'Add', [out.queries, tokens]);
    const k = w.op(scope, 'Add', [out.keys, imagePe]);
    const a = this.attention(
      q,
      k,
      out.keys,
      d,
      d / m.downsample,
      m.heads,
      `${name}.final_attn_token_to_image`,
    );
    const queries = this.layerNorm(
      scope,
      w.op(scope, 'Add', [out.queries, a]),
      d,
      `${name}.norm_final_attn`,
      m.finalEps,
    );
    return { queries, keys: out.keys };
  }
}
