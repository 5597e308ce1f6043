/**
 * SAM's prompt encoder and mask decoder as the graph `prompt_encoder_mask_decoder`, in the layout
 * of transformers.js's exports (transformers' SamPromptEncoder and SamMaskDecoder):
 * `input_points` [B, P, n, 2] float32 (x, y in the 1024 frame), `input_labels` [B, P, n] int64,
 * `image_embeddings` and `image_positional_embeddings` [B, C, 64, 64] -> `iou_scores` [B, P, 3] and
 * `pred_masks` [B, P, 3, 256, 256] (the multimask outputs' low-res logits). B, P and n are dynamic.
 *
 * Points: shifted to pixel centres, a not-a-point (0, 0, label −1) appended to each prompt, random
 * Fourier features of (x, y) / 1024, the not-a-point, padding (−10) and label embeddings by Where.
 * Decoder: the IoU and mask tokens before the points, the image plus the no-mask embedding repeated
 * per prompt, the two-way transformer, output upscaling (two 2x2 transposed convolutions,
 * LayerNorm2d, GELU), one hypernetwork MLP per mask token, the IoU head; output 0 (single mask)
 * dropped.
 */
import { int64Tensor } from '../../src/models/onnx/onnxBuilder';
import { fanIn } from './samLayers';
import { gridOf, type SamSize } from './samSize';
import { SamTwoWay } from './samTwoWay';

const MD = 'mask_decoder';
/** LayerNorm2d's default eps (upstream and transformers' SamLayerNorm). */
const LN2D_EPS = 1e-6;

export class SamDecoderBuilder extends SamTwoWay {
  build(s: SamSize): void {
    const w = this.w;
    const d = s.prompt.dim;
    const g = gridOf(s);
    const scope = `/${MD}`;
    const sparse = this.points(s); // [B, P, n + 1, C]
    const tokens = 1 + s.decoder.multimask; // mask tokens: the single-mask output's, then the multimask ones
    const bp = this.dims(scope, 'input_labels', 0, 2);
    const cat = (parts: string[]) => w.op(scope, 'Concat', parts, { axis: 0 });
    // Output tokens (iou_token, then the mask tokens: one table, as a trace folds the concat).
    const out = w.op(scope, 'Expand', [
      w.weight(`${MD}.output_tokens`, [1 + tokens, d], 1),
      cat([bp, w.constI64(scope, [1 + tokens, d])]),
    ]);
    const all = w.op(scope, 'Concat', [out, sparse], { axis: 2 });
    const flatTokens = w.op(scope, 'Reshape', [
      all,
      cat([w.constI64(scope, [-1]), this.dims(scope, all, 2, 4)]),
    ]);
    // The image (plus the no-mask embedding) and its PE repeated per prompt, as [B·P, HW, C].
    const perPrompt = (x: string) => {
      const rep = w.op(scope, 'Expand', [
        w.op(scope, 'Unsqueeze', [x, w.constI64(scope, [1])]),
        cat([bp, w.constI64(scope, [d, g, g])]),
      ]);
      const flat = w.op(scope, 'Reshape', [rep, w.constI64(scope, [-1, d, g * g])]);
      return w.op(scope, 'Transpose', [flat], { perm: [0, 2, 1] });
    };
    const src = w.op(scope, 'Add', [
      'image_embeddings',
      w.weight('prompt_encoder.no_mask_embed.weight', [1, d, 1, 1], 1),
    ]);
    const { queries, keys } = this.twoWay(
      perPrompt(src),
      perPrompt('image_positional_embeddings'),
      flatTokens,
      s,
    );
    const masks = this.masks(queries, keys, s); // [B·P, T, 4g, 4g]
    const iou = this.mlp(
      scope,
      w.op(scope, 'Gather', [queries, w.constI64(scope, [0], [])], { axis: 1 }),
      [d, ...Array<number>(s.decoder.iouDepth - 1).fill(s.decoder.iouHidden), tokens],
      `${MD}.iou_prediction_head`,
    );
    const k = s.decoder.multimask;
    this.named(
      'Reshape',
      [this.slice(scope, iou, 1, 1, tokens), cat([bp, w.constI64(scope, [k])])],
      'iou_scores',
    );
    this.named(
      'Reshape',
      [this.slice(scope, masks, 1, 1, tokens), cat([bp, w.constI64(scope, [k, 4 * g, 4 * g])])],
      'pred_masks',
    );
  }

  /** transformers' SamPromptEncoder._embed_points with no boxes: [B, P, n + 1, C]. */
  private points(s: SamSize): string {
    const w = this.w;
    const d = s.prompt.dim;
    const scope = '/prompt_encoder';
    const pts = w.op(scope, 'Add', ['input_points', w.constF(scope, 0.5)]);
    const bp = this.dims(scope, 'input_labels', 0, 2);
    const shape = (tail: number[]) => w.op(scope, 'Concat', [bp, w.constI64(scope, tail)], { axis: 0 });
    const padPoint = w.op(scope, 'ConstantOfShape', [shape([1, 2])]);
    const padLabel = w.op(scope, 'ConstantOfShape', [shape([1])], { value: int64Tensor('v', [1], [-1]) });
    const coords = w.op(scope, 'Div', [
      w.op(scope, 'Concat', [pts, padPoint], { axis: 2 }),
      w.constF(scope, s.encoder.image),
    ]);
    const labels = w.op(scope, 'Unsqueeze', [
      w.op(scope, 'Concat', ['input_labels', padLabel], { axis: 2 }),
      w.constI64(scope, [-1]),
    ]);
    const is = (v: number) => w.op(scope, 'Equal', [labels, w.constI64(scope, [v], [])]);
    let pe = this.fourier(scope, coords);
    pe = w.op(scope, 'Where', [is(-1), w.weight('prompt_encoder.not_a_point_embed.weight', [1, d], 1), pe]);
    pe = w.op(scope, 'Where', [is(-10), w.constF(scope, 0), pe]);
    for (const label of [0, 1]) {
      const e = w.weight(`prompt_encoder.point_embeddings.${label}.weight`, [1, d], 1);
      pe = w.op(scope, 'Where', [is(label), w.op(scope, 'Add', [pe, e]), pe]);
    }
    return pe;
  }

  /** Output upscaling and the hypernetworks: masks [N, T, 4g, 4g] from the tokens and image keys. */
  private masks(queries: string, keys: string, s: SamSize): string {
    const w = this.w;
    const d = s.prompt.dim;
    const g = gridOf(s);
    const scope = `/${MD}/output_upscaling`;
    const img = w.op(scope, 'Reshape', [
      w.op(scope, 'Transpose', [keys], { perm: [0, 2, 1] }),
      w.constI64(scope, [-1, d, g, g]),
    ]);
    const up = (x: string, i: number, cin: number, cout: number) =>
      w.op(
        scope,
        'ConvTranspose',
        [
          x,
          w.weight(`${MD}.output_upscaling.${i}.weight`, [cin, cout, 2, 2], fanIn(cin)),
          w.weight(`${MD}.output_upscaling.${i}.bias`, [cout], 0.02),
        ],
        { dilations: [1, 1], group: 1, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] },
      );
    const u1 = this.gelu(
      scope,
      this.layerNorm2d(scope, up(img, 0, d, d / 4), d / 4, `${MD}.output_upscaling.1`, LN2D_EPS),
    );
    const u2 = this.gelu(scope, up(u1, 3, d / 4, d / 8)); // [N, C/8, 4g, 4g]
    const hs = `/${MD}/hypernetworks`;
    const tokens = 1 + s.decoder.multimask;
    const hyper = Array.from({ length: tokens }, (_, i) => {
      const t = w.op(hs, 'Gather', [queries, w.constI64(hs, [1 + i], [])], { axis: 1 });
      const h = this.mlp(hs, t, [d, d, d, d / 8], `${MD}.output_hypernetworks_mlps.${i}`);
      return w.op(hs, 'Unsqueeze', [h, w.constI64(hs, [1])]);
    });
    const hyperIn = w.op(hs, 'Concat', hyper, { axis: 1 }); // [N, T, C/8]
    const flat = w.op(hs, 'Reshape', [u2, w.constI64(hs, [0, d / 8, -1])]);
    return w.op(hs, 'Reshape', [
      w.op(hs, 'MatMul', [hyperIn, flat]),
      w.constI64(hs, [-1, tokens, 4 * g, 4 * g]),
    ]);
  }
}
