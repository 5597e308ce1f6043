/**
 * GKC's combine and label pass run as graphs on the backend that ran the image model
 * (`queryCombineGraph.ts`, then `GraphLabelPass`): on WebGPU the mask logits stay a GPU buffer from
 * the image model to the label pass, and only the label map and the best scores are read back, not
 * the [Q, h, w] masks nor the [C, H, W] class scores.
 *
 * Same definition as `querySemseg` + `argmaxLabels`, not the same arithmetic (float32 throughout, the
 * backend's summing order): labels agree except where two classes tie within float32 rounding (a few
 * pixels per boundary-rich picture, measured in `e2e/query-combine-gpu.spec.ts`). And on the app's
 * WebGPU backend (ONNX Runtime's JSEP build) the label pass's ArgMax keeps the class count of the
 * first run it compiled a shader for: after a run over C classes, a run over more looks at the first
 * C rows only (seen as label 1 everywhere after a 1-class warm-up; not seen on the native WebGPU
 * build). So the query runner uses this only when asked (`gpuCombine`), never by default.
 */
import { pairWeights } from '../gkc/querySemseg';
import { QUERY_COMBINE_GRAPH, queryCombineGraphBytes } from '../onnx/queryCombineGraph';
import { GraphLabelPass, type LabelPassResult } from '../runtime/labelPass';
import { createSession, ort, type Ep } from '../runtime/ortRuntime';

export interface GraphCombineInput {
  /** [1, Q, h, w] mask logits: a CPU array, or the image model's output tensor where it left it. */
  masks: Float32Array | ort.Tensor;
  /** [Q, C] class probabilities per query. */
  probs: Float32Array;
  Q: number;
  C: number;
  h: number;
  w: number;
  /** Score size. */
  H: number;
  W: number;
  /** As `argmaxLabels`'s: applied when above 0. */
  threshold: number;
}

export class GraphQueryCombine {
  private constructor(
    private readonly combine: ort.InferenceSession,
    private readonly pass: GraphLabelPass,
  ) {}

  static async create(ep: Ep): Promise<GraphQueryCombine> {
    // On WebGPU the class scores stay on the GPU for the label pass; on WASM there is nowhere else.
    const keep: ort.InferenceSession.SessionOptions =
      ep === 'webgpu' ? { preferredOutputLocation: { [QUERY_COMBINE_GRAPH.semseg]: 'gpu-buffer' } } : {};
    const [combine, pass] = await Promise.all([
      createSession(queryCombineGraphBytes(), ep, 'the query combine', keep),
      GraphLabelPass.create(ep),
    ]);
    return new GraphQueryCombine(combine, pass);
  }

  /** Labels (k + 1 = class k, 0 = unlabelled) and best class scores at H x W. */
  async run(i: GraphCombineInput): Promise<LabelPassResult> {
    const G = QUERY_COMBINE_GRAPH;
    const masks =
      i.masks instanceof Float32Array ? new ort.Tensor('float32', i.masks, [1, i.Q, i.h, i.w]) : i.masks;
    const out = await this.combine.run({
      [G.masks]: masks,
      [G.probs]: new ort.Tensor('float32', pairWeights(i.probs, i.Q, i.C), [i.C, i.Q]),
      [G.sizes]: new ort.Tensor('int64', BigInt64Array.from([1, i.Q, i.H, i.W], BigInt), [4]),
    });
    try {
      return await this.pass.run(out[G.semseg]!, i.C, i.H * i.W, i.threshold);
    } finally {
      for (const v of Object.values(out)) v.dispose();
    }
  }

  async release(): Promise<void> {
    await Promise.all([this.combine.release(), this.pass.release()]);
  }
}
