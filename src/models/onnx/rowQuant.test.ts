import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../../tools/lib/nodeSegmenter';
import { HUB_OPS, quantizeDynamic } from '../../../tools/lib/quantizeDynamic';
import { prng } from '../../../test-support/prng';
import { ort } from '../runtime/ortRuntime';
import { buildModelBytes, floatTensor, node, valueInfo } from './onnxBuilder';
import { decodeModel, encodeModel, type OnnxGraph, type OnnxModel } from './onnxProto';
import { quantizePerRow } from './rowQuant';

/*
 * quantizePerRow on a small hand-made graph quantised with the hub's pattern (our quantizeDynamic,
 * onnxruntime's quantize_dynamic layout): a padded 3x3 Conv (ConvInteger), then Flatten and a Gemm
 * (MatMulInteger). Rows chosen for quantisation's edge cases: all zeros (max == min: scale 1), all
 * positive (the range widened down to 0), all negative (zero point 255), a wide random row.
 */
const C = 3;
const S = 5;
const K = 4;
const D = 6;

function hubModel(): OnnxModel {
  const r = prng(7);
  const rand = (n: number, a = 1) => Array.from({ length: n }, () => a * (2 * r() - 1));
  const graph: OnnxGraph = {
    name: 'rowq',
    node: [
      node('Conv', ['x', 'w1', 'b1'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv'),
      node('Relu', ['c'], ['cr'], {}, 'relu'),
      node('Sub', ['cr', 'half'], ['cs'], {}, 'shift'),
      node('Flatten', ['cs'], ['f'], { axis: 1 }, 'flat'),
      node('Gemm', ['f', 'w2', 'b2'], ['y'], {}, 'fc'),
    ],
    initializer: [
      floatTensor('w1', [K, C, 3, 3], rand(K * C * 9, 0.5)),
      floatTensor('b1', [K], rand(K, 0.1)),
      floatTensor('half', [], [0.3]),
      floatTensor('w2', [K * S * S, D], rand(K * S * S * D, 0.2)),
      floatTensor('b2', [D], rand(D, 0.1)),
    ],
    input: [valueInfo('x', 1, ['n', C, S, S])],
    output: [valueInfo('y', 1, ['n', D])],
  };
  return quantizeDynamic(decodeModel(buildModelBytes({ graph, opset: 17 })), HUB_OPS);
}

function rows(): Float32Array[] {
  const r = prng(11);
  const n = C * S * S;
  return [
    new Float32Array(n),
    Float32Array.from({ length: n }, () => 0.5 + r()),
    Float32Array.from({ length: n }, () => -0.5 - 3 * r()),
    Float32Array.from({ length: n }, () => 20 * r() - 5),
    Float32Array.from({ length: n }, () => 2 * r() - 1),
  ];
}

const session = (m: OnnxModel) => ort.InferenceSession.create(encodeModel(m));
async function run(s: ort.InferenceSession, xs: Float32Array[]): Promise<Float32Array> {
  const data = new Float32Array(xs.length * C * S * S);
  xs.forEach((x, i) => data.set(x, i * x.length));
  const out = await s.run({ x: new ort.Tensor('float32', data, [xs.length, C, S, S]) });
  return out.y!.data as Float32Array;
}

beforeAll(() => configureOrt());

describe('quantizePerRow', () => {
  const hub = hubModel();
  const perRow = quantizePerRow(hub.graph!, 17);
  const rewritten: OnnxModel = { ...hub, graph: perRow.graph };

  it('rewrites each DynamicQuantizeLinear that feeds integer ops, and leaves no whole-tensor one', () => {
    const ops = (g: OnnxGraph) => g.node!.map((n) => n.op_type);
    expect(ops(hub.graph!).filter((o) => o === 'DynamicQuantizeLinear')).toHaveLength(2);
    expect(ops(hub.graph!)).toEqual(expect.arrayContaining(['ConvInteger', 'MatMulInteger']));
    expect(perRow).toMatchObject({ rewritten: 2, kept: 0 });
    expect(ops(perRow.graph)).not.toContain('DynamicQuantizeLinear');
    // Below opset 13 QuantizeLinear has no axis: nothing is rewritten.
    expect(quantizePerRow(hub.graph!, 12)).toMatchObject({ rewritten: 0, kept: 2, graph: hub.graph });
  });

  it('gives each row of a batch exactly its one-row run of the hub graph', async () => {
    const [a, b] = await Promise.all([session(hub), session(rewritten)]);
    const xs = rows();
    const batched = await run(b, xs);
    for (let i = 0; i < xs.length; i++) {
      const alone = await run(a, [xs[i]!]);
      expect(Array.from(batched.subarray(i * D, (i + 1) * D))).toEqual(Array.from(alone));
      // And the rewritten graph on one row is the hub graph on it.
      expect(Array.from(await run(b, [xs[i]!]))).toEqual(Array.from(alone));
    }
    // The hub graph itself mixes rows: batched, its rows are not their one-row runs.
    const hubBatched = await run(a, xs);
    const alone0 = await run(a, [xs[4]!]);
    expect(Array.from(hubBatched.subarray(4 * D, 5 * D))).not.toEqual(Array.from(alone0));
  });

  it("keeps a row's result when a neighbour changes", async () => {
    const b = await session(rewritten);
    const xs = rows();
    const before = await run(b, xs);
    const wider = xs.map((x, i) => (i === 3 ? x.map((v) => v * 40) : x));
    const after = await run(b, wider);
    for (const i of [0, 1, 2, 4])
      expect(Array.from(after.subarray(i * D, (i + 1) * D))).toEqual(
        Array.from(before.subarray(i * D, (i + 1) * D)),
      );
    expect(Array.from(after.subarray(3 * D, 4 * D))).not.toEqual(Array.from(before.subarray(3 * D, 4 * D)));
  });

  it('leaves a DynamicQuantizeLinear whose outputs have other uses', () => {
    const g = hub.graph!;
    const dq = g.node!.find((n) => n.op_type === 'DynamicQuantizeLinear')!;
    const extra = node('Cast', [dq.output![0]!], ['peek'], { to: 1 }, 'peek');
    const out = quantizePerRow({ ...g, node: [...g.node!, extra] }, 17);
    expect(out).toMatchObject({ rewritten: 1, kept: 1 });
  });

  it('uses ReduceMin/ReduceMax axes as an input from opset 18', () => {
    const g = quantizePerRow(hub.graph!, 18).graph;
    const red = g.node!.filter((n) => n.op_type === 'ReduceMin');
    expect(red.length).toBe(2);
    for (const n of red)
      expect([n.input!.length, n.attribute?.some((a) => a.name === 'axes')]).toEqual([2, false]);
    expect(g.initializer!.find((t) => t.name === red[0]!.input![1])).toBeDefined();
  });
});
