/**
 * The label pass (`argmaxLabels`) run as a graph on the backend that ran the model: on WebGPU the
 * [C, P] class scores can stay a GPU tensor and only the label map and best scores are read back.
 * Same labels and scores as `argmaxLabels`, bit for bit (see `labelGraph.ts`).
 */
import { LABEL_GRAPH, labelGraphBytes, MAX_LABEL_CLASSES } from '../onnx/labelGraph';
import { createSession, ort, type Ep } from './ortRuntime';

export interface LabelPassResult {
  /** 0 = unlabelled, k + 1 = class k. */
  labels: Uint16Array;
  /** The best class score per pixel. */
  scores: Float32Array;
}

export class GraphLabelPass {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(ep: Ep): Promise<GraphLabelPass> {
    return new GraphLabelPass(await createSession(labelGraphBytes(), ep, 'the label pass'));
  }

  /**
   * Labels of [C, P] `scores` (a CPU array, or a tensor of that shape where the model left it: a GPU
   * buffer on WebGPU). `threshold`: as `argmaxLabels`'s, applied when above 0.
   */
  async run(
    scores: Float32Array | ort.Tensor,
    C: number,
    P: number,
    threshold: number,
  ): Promise<LabelPassResult> {
    if (C > MAX_LABEL_CLASSES)
      throw new RangeError(`The label pass labels ${MAX_LABEL_CLASSES} classes at most, not ${C}`);
    const input = scores instanceof Float32Array ? new ort.Tensor('float32', scores, [C, P]) : scores;
    const t = new ort.Tensor('float32', Float32Array.of(threshold > 0 ? threshold : -Infinity), [1]);
    const out = await this.session.run({ [LABEL_GRAPH.scores]: input, [LABEL_GRAPH.threshold]: t });
    try {
      const labels = Uint16Array.from((await out[LABEL_GRAPH.labels]!.getData()) as Int32Array);
      const best = (await out[LABEL_GRAPH.best]!.getData()) as Float32Array;
      // A view of ORT's memory on WASM: a copy the caller owns.
      return { labels, scores: best.slice() };
    } finally {
      for (const v of Object.values(out)) v.dispose();
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
