/**
 * CLIP's two towers as separate ONNX graphs with random weights, in the layout of the hub's
 * `Xenova/clip-vit-base-patch16` export (`CLIPVisionModelWithProjection`, `CLIPTextModelWithProjection`;
 * see fixtures/clip-vision-tiny and fixtures/clip-text-tiny for the op patterns):
 * - vision: `pixel_values` [B, 3, 224, 224] -> `image_embeds` [B, P] (pre-LayerNorm, pre-norm layers
 *   with quick-GELU, post-LayerNorm on the class token, projection without bias) and
 *   `last_hidden_state` [B, 1 + n², C] (the last layer's output, before the post-LayerNorm);
 * - text: `input_ids` [B, L] int64 -> `text_embeds` [B, P] (causal mask only, as the export: no
 *   attention_mask input; pooled at the end token, the largest id) and `last_hidden_state` [B, L, C].
 * CLIPSeg's towers are CLIP ViT-B/16's, so the layers are CLIPSeg's (./clipsegLayers.ts).
 */
import { ClipSegLayers, STD } from './clipsegLayers';
import { RD64_REFINED, TINY, type ClipSegSize } from './clipsegSize';
import type { GraphWriter } from './graphWriter';

/** ViT-B/16 CLIP at 224 px (openai/clip-vit-base-patch16); the decoder fields are unused here. */
export const CLIP_B16: ClipSegSize = {
  ...RD64_REFINED,
  vision: { ...RD64_REFINED.vision, image: 224 },
  extract: [],
};
/** The same two towers at toy size (smoke runs). */
export const CLIP_TINY: ClipSegSize = {
  ...TINY,
  vision: { ...TINY.vision, layers: 3, image: 224 },
  extract: [],
};

export class ClipTowers extends ClipSegLayers {
  constructor(w: GraphWriter, s: ClipSegSize) {
    super(w, s);
  }

  /** Emits the vision tower; outputs named `image_embeds` and `last_hidden_state`. */
  vision(pixels: string): { embeds: string; hidden: string } {
    const w = this.w;
    const v = this.s.vision;
    const scope = '/vision_model/embeddings';
    const grid = v.image / v.patch;
    const tokens = this.visionTokens(scope, pixels, 'vision_model');
    // The export folds Gather(position_embedding, position_ids) into one constant.
    const pos = w.weight('vision_model.embeddings.position_embedding', [1, grid * grid + 1, v.hidden], STD);
    let x = this.layerNorm(
      '/vision_model',
      w.op(scope, 'Add', [tokens, pos]),
      v.hidden,
      'vision_model.pre_layrnorm',
    );
    for (let i = 0; i < v.layers; i++)
      x = this.clipLayer(x, v.hidden, v.heads, v.mlp, `vision_model.encoder.layers.${i}`);
    const hidden = this.rename(x, 'last_hidden_state');
    const clsToken = w.op('/vision_model', 'Gather', [hidden, w.constI64('/vision_model', [0], [])], {
      axis: 1,
    });
    const pooled = this.layerNorm('/vision_model', clsToken, v.hidden, 'vision_model.post_layernorm');
    const embeds = this.named('/visual_projection', 'MatMul', 'image_embeds', [
      pooled,
      w.weight('visual_projection.weight_t', [v.hidden, this.s.projection], STD),
    ]);
    return { embeds, hidden };
  }

  /** Emits the text tower; outputs named `text_embeds` and `last_hidden_state`. */
  text(ids: string): { embeds: string; hidden: string } {
    const w = this.w;
    const t = this.s.text;
    const scope = '/text_model';
    const { n, len, causal, x: input } = this.textInput(scope, ids, 'text_model');
    let x = input;
    // Additive causal mask [1, 1, L, L].
    const mask = w.op(scope, 'Unsqueeze', [
      w.op(scope, 'Where', [causal, w.constF(scope, 0), w.constF(scope, -3.4028234663852886e38)]),
      w.constI64(scope, [0, 1]),
    ]);
    for (let i = 0; i < t.layers; i++)
      x = this.clipLayer(x, t.hidden, t.heads, t.mlp, `text_model.encoder.layers.${i}`, mask);
    x = this.layerNorm(scope, x, t.hidden, 'text_model.final_layer_norm');
    const hidden = this.rename(x, 'last_hidden_state');
    const pooled = this.poolAtEnd(scope, ids, hidden, n, len);
    const embeds = this.named('/text_projection', 'MatMul', 'text_embeds', [
      pooled,
      w.weight('text_projection.weight_t', [t.hidden, this.s.projection], STD),
    ]);
    return { embeds, hidden };
  }

  /**
   * Gives the just-emitted tensor `x` a graph-output name, as the export names its outputs (no
   * Identity in between: the dense-CLIP surgery walks from the last layer to the pooling).
   */
  private rename(x: string, name: string): string {
    const last = this.w.nodes.at(-1);
    if (!last?.output || last.output[0] !== x) throw new Error(`rename: ${x} is not the last node's output`);
    last.output[0] = name;
    return name;
  }

  private named(scope: string, type: string, out: string, inputs: string[]): string {
    this.w.nodes.push({ op_type: type, input: inputs, output: [out], name: `${scope}/${type}_${out}` });
    return out;
  }
}
