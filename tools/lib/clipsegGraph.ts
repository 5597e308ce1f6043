/**
 * CLIPSeg (`CLIPSegForImageSegmentation`) as one ONNX graph with random weights, in the op patterns of
 * a traced torch export (see fixtures/clipseg-tiny/model.onnx): MatMul + bias Add linears, pre-norm
 * CLIP layers with quick-GELU, a causal + padding mask on the text side, pooling at the end token
 * (argmax of the ids), FiLM conditioning (Gemm), post-norm decoder layers, the "complex" transposed
 * convolution. Inputs and output as the hub export: `input_ids`, `attention_mask` [N, S] int64,
 * `pixel_values` [B, 3, H, W] -> `logits` [N, H, W] (one image broadcasts against N prompts).
 *
 * As in a traced export, what the output does not need is absent: vision layers after the last
 * extracted one, the vision post-LayerNorm and projection. The position embeddings are one constant
 * at the export size (a traced export bakes the interpolation from 224 px in).
 */
import { FloatAttr } from '../../src/models/onnx/onnxBuilder';
import { ClipSegLayers, STD } from './clipsegLayers';
import type { ClipSegSize } from './clipsegSize';
import type { GraphWriter } from './graphWriter';

export { RD64_REFINED, TINY, torchParameterCount, type ClipSegSize } from './clipsegSize';

/**
 * The convolution stack gets He-scaled weights (std √(2/fan-in)): at 0.02 the logits would shrink
 * to a near-constant bias and the prompts' maps would differ by rounding noise only, making
 * label-map comparisons meaningless.
 */
const kaiming = (fanIn: number) => Math.sqrt(2 / fanIn);
const INT64_MAX = Number.MAX_SAFE_INTEGER; // Slice "to the end" (any end past the size works)

class ClipSegBuilder extends ClipSegLayers {
  /** Vision tower: the hidden states after each extracted layer. */
  vision(pixels: string): string[] {
    const w = this.w;
    const v = this.s.vision;
    const scope = '/vision/embeddings';
    const grid = v.image / v.patch;
    const tokens = this.visionTokens(scope, pixels, 'vision');
    const pos = w.weight(
      'vision.embeddings.position_embedding.interpolated',
      [1, grid * grid + 1, v.hidden],
      STD,
    );
    let x = this.layerNorm('/vision', w.op(scope, 'Add', [tokens, pos]), v.hidden, 'vision.pre_layrnorm');
    const last = Math.max(...this.s.extract);
    const states: string[] = [];
    for (let i = 0; i <= last; i++) {
      x = this.clipLayer(x, v.hidden, v.heads, v.mlp, `vision.encoder.layers.${i}`);
      if (this.s.extract.includes(i)) states.push(x);
    }
    return states;
  }

  /** Text tower: the projected embedding at each prompt's end token, [N, projection]. */
  text(ids: string, attentionMask: string): string {
    const w = this.w;
    const t = this.s.text;
    const scope = '/text';
    const { n, len, causal, x: input } = this.textInput(scope, ids, 'text');
    let x = input;
    // Additive mask [N, 1, S, S]: key j is seen from query i when j <= i and j is not padding.
    const keep = w.op(scope, 'Unsqueeze', [
      w.op(scope, 'Cast', [attentionMask], { to: 9 }),
      w.constI64(scope, [1, 2]),
    ]);
    const allowed = w.op(scope, 'And', [causal, keep]);
    const mask = w.op(scope, 'Where', [allowed, w.constF(scope, 0), w.constF(scope, -3.4028234663852886e38)]);
    for (let i = 0; i < t.layers; i++)
      x = this.clipLayer(x, t.hidden, t.heads, t.mlp, `text.encoder.layers.${i}`, mask);
    x = this.layerNorm(scope, x, t.hidden, 'text.final_layer_norm');
    const pooled = this.poolAtEnd(scope, ids, x, n, len);
    return w.op('/text_projection', 'MatMul', [
      pooled,
      w.weight('text_projection.weight_t', [t.hidden, this.s.projection], STD),
    ]);
  }

  /** Decoder: FiLM-conditioned on `cond` [N, P], over the vision states (deepest first). */
  decoder(states: string[], cond: string): string {
    const w = this.w;
    const { reduce: r, projection: p, vision: v } = this.s;
    const scope = '/decoder';
    let out: string | null = null;
    [...states].reverse().forEach((act, i) => {
      const reduced = this.linear(scope, act, v.hidden, r, `decoder.reduces.${i}`);
      out = out === null ? reduced : w.op(scope, 'Add', [reduced, out]);
      if (i === 0) {
        const gemm = (name: string) =>
          w.op(
            scope,
            'Gemm',
            [cond, w.weight(`${name}.weight`, [r, p], STD), w.weight(`${name}.bias`, [r], STD)],
            {
              alpha: new FloatAttr(1),
              beta: new FloatAttr(1),
              transB: 1,
            },
          );
        const perm = w.op(scope, 'Transpose', [out], { perm: [1, 0, 2] });
        const filmed = w.op(scope, 'Add', [
          w.op(scope, 'Mul', [gemm('decoder.film_mul'), perm]),
          gemm('decoder.film_add'),
        ]);
        out = w.op(scope, 'Transpose', [filmed], { perm: [1, 0, 2] });
      }
      out = this.decoderLayer(out, `decoder.layers.${i}`);
    });
    const grid = v.image / v.patch;
    const body = w.op(scope, 'Slice', [
      out!,
      w.constI64(scope, [1]),
      w.constI64(scope, [INT64_MAX]),
      w.constI64(scope, [1]),
      w.constI64(scope, [1]),
    ]);
    const chw = w.op(scope, 'Transpose', [body], { perm: [0, 2, 1] });
    // Batch size from the conditional embedding, as the traced export does.
    const n = w.op(scope, 'Gather', [w.op(scope, 'Shape', [cond]), w.constI64(scope, [0], [])], { axis: 0 });
    const c = w.op(scope, 'Gather', [w.op(scope, 'Shape', [chw]), w.constI64(scope, [1], [])], { axis: 0 });
    const unsq = (x: string) => w.op(scope, 'Unsqueeze', [x, w.constI64(scope, [0])]);
    const shape = w.op(
      scope,
      'Concat',
      [unsq(n), unsq(c), w.constI64(scope, [grid]), w.constI64(scope, [grid])],
      { axis: 0 },
    );
    const img = w.op(scope, 'Reshape', [chw, shape]);
    const k = v.patch / 4;
    const tc = 'decoder.transposed_convolution';
    const conv = w.op(
      scope,
      'Conv',
      [img, w.weight(`${tc}.0.weight`, [r, r, 3, 3], kaiming(r * 9)), w.weight(`${tc}.0.bias`, [r], STD)],
      {
        dilations: [1, 1],
        group: 1,
        kernel_shape: [3, 3],
        pads: [1, 1, 1, 1],
        strides: [1, 1],
      },
    );
    const up = (x: string, i: number, cin: number, cout: number) =>
      w.op(
        scope,
        'ConvTranspose',
        [
          x,
          w.weight(`${tc}.${i}.weight`, [cin, cout, k, k], kaiming(cin)),
          w.weight(`${tc}.${i}.bias`, [cout], STD),
        ],
        {
          dilations: [1, 1],
          group: 1,
          kernel_shape: [k, k],
          pads: [0, 0, 0, 0],
          strides: [k, k],
        },
      );
    const up1 = w.op(scope, 'Relu', [up(w.op(scope, 'Relu', [conv]), 2, r, r / 2)]);
    const up2 = up(up1, 4, r / 2, 1);
    const logits = 'logits';
    w.nodes.push({
      op_type: 'Squeeze',
      input: [up2, w.constI64(scope, [1])],
      output: [logits],
      name: 'decoder/Squeeze',
    });
    return logits;
  }
}

/** Emits the whole graph into `w` (inputs `input_ids`, `attention_mask`, `pixel_values`; output `logits`). */
export function buildClipSeg(w: GraphWriter, s: ClipSegSize): void {
  const b = new ClipSegBuilder(w, s);
  // Text first: the file's node order then matches a torch trace (an order the split must not need).
  const cond = b.text('input_ids', 'attention_mask');
  b.decoder(b.vision('pixel_values'), cond);
}
