/**
 * SAM's two graphs as transformers.js's exports lay them out (e.g. `Xenova/slimsam-77-uniform`):
 * `vision_encoder` (`pixel_values` [1,3,1024,1024] -> `image_embeddings`,
 * `image_positional_embeddings` [1,C,64,64]) runs once per picture and its outputs are kept (in GPU
 * buffers on WebGPU, fed to the decoder from there); `prompt_encoder_mask_decoder` (`input_points`
 * [1,P,n,2] in the 1024 frame, `input_labels` [1,P,n] int64 and the two embeddings -> `iou_scores`
 * [1,P,3], `pred_masks` [1,P,3,256,256] logits) runs per batch of points or per click.
 */
import { ModelGraphUnsupportedError, NoImageError } from '../../errors';
import { createSession, ort, type Ep } from '../runtime/ortRuntime';

const ENCODER = { inputs: ['pixel_values'], outputs: ['image_embeddings', 'image_positional_embeddings'] };
const DECODER = {
  inputs: ['input_points', 'input_labels', 'image_embeddings', 'image_positional_embeddings'],
  outputs: ['iou_scores', 'pred_masks'],
};

/** The side of SAM's square input (the picture's long side is resized to it, the rest padded). */
export const SAM_SIDE = 1024;

/** Refuses a graph that is not what it should be, naming what was looked for. */
function checkIo(s: ort.InferenceSession, want: typeof ENCODER, what: string): void {
  const missing = [
    ...want.inputs.filter((n) => !s.inputNames.includes(n)).map((n) => `input "${n}"`),
    ...want.outputs.filter((n) => !s.outputNames.includes(n)).map((n) => `output "${n}"`),
  ];
  if (missing.length)
    throw new ModelGraphUnsupportedError(
      `${what} is not a SAM export in transformers.js's layout: it has no ${missing.join(', ')} ` +
        `(looked for inputs ${want.inputs.join(', ')} and outputs ${want.outputs.join(', ')}; ` +
        `it has ${s.inputNames.join(', ')} -> ${s.outputNames.join(', ')})`,
    );
}

/** A batch of the decoder's answers: per point and output, the predicted IoU and the low-res logits. */
export interface Decoded {
  /** [P, 3]. */
  iou: Float32Array;
  /** [P, 3, h, w]. */
  masks: Float32Array;
  h: number;
  w: number;
}

export class SamModel {
  /** The current picture's embeddings (on the GPU on WebGPU); null before a picture. */
  private embeddings: { image: ort.Tensor; positions: ort.Tensor } | null = null;
  encoderRuns = 0;
  decoderPoints = 0;

  private constructor(
    private encoder: ort.InferenceSession,
    private decoder: ort.InferenceSession,
  ) {}

  static async create(
    encoder: { bytes: Uint8Array; file: string },
    decoder: { bytes: Uint8Array; file: string },
    ep: Ep,
  ): Promise<SamModel> {
    const encWhat = `the SAM image encoder (${encoder.file})`;
    const decWhat = `the SAM prompt decoder (${decoder.file})`;
    // WebGPU: the embeddings stay in GPU buffers, read only by the decoder.
    const [enc, dec] = await Promise.all([
      createSession(
        encoder.bytes,
        ep,
        encWhat,
        ep === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' } : {},
      ),
      createSession(decoder.bytes, ep, decWhat),
    ]);
    try {
      checkIo(enc, ENCODER, encWhat);
      checkIo(dec, DECODER, decWhat);
    } catch (e) {
      await Promise.all([enc.release(), dec.release()]);
      throw e;
    }
    return new SamModel(enc, dec);
  }

  /**
   * Encodes a picture given as normalised pixels [3, height, width] (its long side 1024): padded
   * with zeros at the bottom and right to 1024 x 1024, as SAM's processor pads it.
   */
  async encode(pixels: Float32Array, width: number, height: number): Promise<void> {
    this.forget();
    const padded = new Float32Array(3 * SAM_SIDE * SAM_SIDE);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < height; y++)
        padded.set(
          pixels.subarray((c * height + y) * width, (c * height + y + 1) * width),
          (c * SAM_SIDE + y) * SAM_SIDE,
        );
    const out = await this.encoder.run({
      pixel_values: new ort.Tensor('float32', padded, [1, 3, SAM_SIDE, SAM_SIDE]),
    });
    this.embeddings = { image: out.image_embeddings!, positions: out.image_positional_embeddings! };
    this.encoderRuns++;
  }

  /**
   * The decoder on the current picture for P prompts of n points each: `points` [P, n, 2] in the
   * 1024 frame, `labels` [P, n] (1 on the object, 0 off it).
   */
  async decode(points: Float32Array, labels: ArrayLike<number>, P: number, n: number): Promise<Decoded> {
    if (!this.embeddings) throw new NoImageError();
    const out = await this.decoder.run({
      input_points: new ort.Tensor('float32', points, [1, P, n, 2]),
      input_labels: new ort.Tensor('int64', BigInt64Array.from(Array.from(labels, BigInt)), [1, P, n]),
      image_embeddings: this.embeddings.image,
      image_positional_embeddings: this.embeddings.positions,
    });
    this.decoderPoints += P * n;
    const masks = out.pred_masks!;
    const [h, w] = masks.dims.slice(-2) as [number, number];
    const decoded: Decoded = {
      iou: (await out.iou_scores!.getData()) as Float32Array,
      masks: (await masks.getData()) as Float32Array,
      h,
      w,
    };
    out.iou_scores!.dispose();
    masks.dispose();
    return decoded;
  }

  /** Diagnostics: the current picture's embeddings, read back (tests compare them with references). */
  async readEmbeddings(): Promise<{ image: Float32Array; positions: Float32Array }> {
    if (!this.embeddings) throw new NoImageError();
    const [image, positions] = await Promise.all([
      this.embeddings.image.getData(),
      this.embeddings.positions.getData(),
    ]);
    return { image: image as Float32Array, positions: positions as Float32Array };
  }

  /** Frees the current picture's embeddings (GPU buffers on WebGPU). */
  private forget(): void {
    this.embeddings?.image.dispose();
    this.embeddings?.positions.dispose();
    this.embeddings = null;
  }

  async release(): Promise<void> {
    this.forget();
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
