import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configureOrt } from '../../../tools/lib/nodeSegmenter';
import { ort } from '../runtime/ortRuntime';
import { buildModelBytes, floatTensor, int64Tensor, node, valueInfo } from '../onnx/onnxBuilder';
import { AttributeType, DataType, decodeModel, encodeModel, type OnnxGraph } from '../onnx/onnxProto';
import { DenseModel } from './denseModel';
import { splitDenseModel, SplitError, type DenseSplit } from './split';

const DIR = 'fixtures/clipseg-tiny';
const VARIANTS = ['model.onnx', 'model_fp16.onnx', 'model_quantized.onnx'] as const;
const load = (file: string) => new Uint8Array(readFileSync(`${DIR}/${file}`));
const TEXT_INPUTS = ['input_ids', 'attention_mask'];

/** Every tensor name a graph's nodes read. */
const reads = (g: OnnxGraph) => new Set((g.node ?? []).flatMap((n) => n.input ?? []).filter(Boolean));

function checkParts(s: DenseSplit, source: OnnxGraph): void {
  const text = decodeModel(s.text).graph!;
  const vision = decodeModel(s.vision).graph!;
  const joint = decodeModel(s.joint).graph!;
  // Text part: never reads the pixels; vision part: never a text input; joint part: no graph input.
  expect(reads(text).has('pixel_values')).toBe(false);
  for (const t of TEXT_INPUTS) expect(reads(vision).has(t)).toBe(false);
  for (const t of [...TEXT_INPUTS, 'pixel_values']) expect(reads(joint).has(t)).toBe(false);
  expect(text.input!.map((v) => v.name)).toEqual(TEXT_INPUTS);
  expect(vision.input!.map((v) => v.name)).toEqual(['pixel_values']);
  expect(joint.input!.map((v) => v.name)).toEqual([...s.visionCut, ...s.cut].map((c) => c.name));
  expect(text.output!.map((v) => v.name)).toEqual(s.cut.map((c) => c.name));
  expect(vision.output!.map((v) => v.name)).toEqual(s.visionCut.map((c) => c.name));
  expect(joint.output!.map((v) => v.name)).toEqual(['logits']);
  // Every cut input is typed (ORT needs it) and every initializer is used where it goes.
  for (const v of joint.input!) expect(v.type?.tensor_type?.elem_type).toBeGreaterThan(0);
  for (const g of [text, vision, joint]) {
    const r = reads(g);
    for (const t of g.initializer ?? []) expect(r.has(t.name!)).toBe(true);
  }
  // Nothing lost: each source node and initializer is in a part (extra copies counted apart; a
  // float16 vision cut tensor adds a Cast on each side).
  const { nodes, initializers } = s.stats;
  const casts = 2 * s.visionCut.filter((c) => c.name.endsWith('__f32')).length;
  expect(text.node!.length + vision.node!.length + joint.node!.length - nodes.copied - casts).toBe(
    source.node!.length,
  );
  expect(initializers.text + initializers.vision + initializers.joint - initializers.shared).toBe(
    source.initializer!.length,
  );
}

describe('splitDenseModel on clipseg-tiny', () => {
  for (const file of VARIANTS) {
    it(`${file}: splits by input dependence (frontier)`, () => {
      const bytes = load(file);
      const source = decodeModel(bytes).graph!;
      // The split alone (no per-row rewrite, which adds nodes): every source node lands in a part.
      const s = splitDenseModel(bytes, { rowQuant: false });
      checkParts(s, source);
      expect(s.anchor).toBeNull();
      expect(s.cut.map((c) => c.name).sort()).toEqual([
        '/m/decoder/Unsqueeze_output_0',
        '/m/decoder/film_add/Gemm_output_0',
        '/m/decoder/film_mul/Gemm_output_0',
      ]);
      // The batch size for the decoder's Reshape: a small int64 tensor computed on the text side.
      expect(s.cut.find((c) => c.name === '/m/decoder/Unsqueeze_output_0')!.elemType).toBe(DataType.INT64);
      // The vision tower ends at the decoder's three reduced activations (CLIPSeg's extract layers),
      // float16 ones crossing as float32 (see visionCutInfo).
      for (const c of s.visionCut) expect(c.elemType).toBe(DataType.FLOAT);
      expect(s.visionCut.map((c) => c.source ?? c.name).sort()).toEqual([
        '/m/decoder/Transpose_output_0',
        '/m/decoder/reduces.1/Add_output_0',
        '/m/decoder/reduces.2/Add_output_0',
      ]);
      // Duplicated weights: only a few tiny vectors that the exporter shared between the parts.
      const { bytes: b } = s.stats;
      expect(b.shared).toBeLessThanOrEqual(512);
      expect(b.shared).toBeLessThan(1e-3 * (b.text + b.vision + b.joint));
      // Weights are carried as they are: the three parts together are the source size, give or take.
      const total = s.text.length + s.vision.length + s.joint.length;
      expect(Math.abs(total - bytes.length)).toBeLessThan(0.02 * bytes.length);
      // int8 exports quantise dynamically in every part: as exported, the text and joint parts mix
      // rows per run; made per row (the default), only the one-image vision part keeps its pattern.
      const q = file.includes('quantized');
      expect(s.crossBatch).toEqual({ text: q, vision: q, joint: q });
      expect(s.rowQuantised).toEqual({ text: 0, joint: 0 });
      const perRow = splitDenseModel(bytes);
      expect(perRow.crossBatch).toEqual({ text: false, vision: q, joint: false });
      expect(perRow.rowQuantised.text > 0 && perRow.rowQuantised.joint > 0).toBe(q);
      const dql = (b: Uint8Array) =>
        decodeModel(b).graph!.node!.filter((n) => n.op_type === 'DynamicQuantizeLinear').length;
      expect([dql(perRow.text), dql(perRow.joint)]).toEqual([0, 0]);
      expect(perRow.rowQuantised).toEqual({ text: dql(s.text), joint: dql(s.joint) });
      expect(s.imageInputDims.pixel_values).toEqual(['batch_size', 3, 352, 352]);
    });

    it(`${file}: ends the text part at the conditional embedding`, () => {
      const bytes = load(file);
      const s = splitDenseModel(bytes, { textEnd: 'conditional', rowQuant: false });
      checkParts(s, decodeModel(bytes).graph!);
      expect(s.anchor).toBe('/m/text_projection/MatMul_output_0');
      expect(s.cut.map((c) => c.name)).toEqual([s.anchor]);
      expect(s.cut[0]!.elemType).toBe(file.includes('fp16') ? DataType.FLOAT16 : DataType.FLOAT);
      // Naming the tensor gives the same split.
      const named = splitDenseModel(bytes, { textEnd: { tensor: s.anchor! }, rowQuant: false });
      expect(named.cut).toEqual(s.cut);
      expect(named.stats).toEqual(s.stats);
    });
  }

  it('returns nothing that refers to the source bytes, which are then collected', () => {
    const bytes = load('model.onnx');
    const s = splitDenseModel(bytes);
    const views: ArrayBufferView[] = [];
    const walk = (v: unknown): void => {
      if (ArrayBuffer.isView(v)) views.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(s);
    expect(views.length).toBe(3);
    for (const v of views) expect(v.buffer).not.toBe(bytes.buffer);
    // And in a fresh process with an explicit GC: once the caller drops the bytes, they are freed.
    const script = `
      import { readFileSync } from 'node:fs';
      import { splitDenseModel } from './src/models/dense/split.ts';
      let bytes = new Uint8Array(readFileSync('${DIR}/model.onnx'));
      const ref = new WeakRef(bytes.buffer);
      const s = splitDenseModel(bytes);
      bytes = null;
      for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 0)); globalThis.gc(); }
      console.log(JSON.stringify({ freed: ref.deref() === undefined, parts: s.text.length + s.vision.length + s.joint.length }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ freed: true });
  });
});

/**
 * A small graph with the awkward cases: a Constant read by both sides, a weight that is also a graph
 * input, an empty optional input, a Shape/Gather chain on input_ids read by the image side, an image
 * node that reads input_ids directly, and a dead node.
 */
function awkwardModel(): Uint8Array {
  const graph: OnnxGraph = {
    name: 'awkward',
    node: [
      node('Constant', [], ['k'], { value: floatTensor('kv', [1], [2]) }),
      // Text side.
      node('Cast', ['input_ids'], ['ids_f'], { to: DataType.FLOAT }),
      node('Cast', ['attention_mask'], ['mask_f'], { to: DataType.FLOAT }),
      node('Mul', ['ids_f', 'mask_f'], ['masked']),
      node('Mul', ['masked', 'k'], ['t1']),
      node('ReduceMean', ['t1'], ['emb'], { axes: [1], keepdims: 1 }),
      node('Shape', ['input_ids'], ['shp']),
      node('Gather', ['shp', 'zero'], ['n0'], { axis: 0 }),
      node('Unsqueeze', ['n0', 'axes0'], ['n1']),
      node('Concat', ['n1', 'four'], ['shape_n4'], { axis: 0 }),
      node('Sub', ['n1', 'n1'], ['ax0']),
      // Image side.
      node('ReduceMean', ['pixel_values'], ['pm'], { axes: [1, 2, 3], keepdims: 0 }),
      node('Mul', ['pm', 'w'], ['pw']),
      node('Add', ['pw', 'k'], ['pk']),
      node('Mul', ['emb', 'pk'], ['y']),
      node('Expand', ['y', 'shape_n4'], ['y4']),
      node('Reshape', ['pixel_values', 'flat'], ['pv_flat']),
      node('Gather', ['pv_flat', 'input_ids'], ['g'], { axis: 0 }),
      node('ReduceSum', ['g', 'axes1'], ['gsum'], { keepdims: 1 }),
      node('Add', ['y4', 'gsum'], ['z0']),
      // A joint node that reads the pixels themselves (they pass through the vision part).
      node('ReduceSum', ['pixel_values', 'ax0'], ['ps'], { keepdims: 1 }),
      node('ReduceMean', ['ps'], ['psm'], { keepdims: 0 }),
      node('Add', ['z0', 'psm'], ['z']),
      node('Clip', ['z', '', 'cmax'], ['logits']),
      node('Neg', ['pixel_values'], ['unused']),
    ],
    initializer: [
      floatTensor('w', [1], [3]),
      int64Tensor('zero', [], [0]),
      int64Tensor('axes0', [1], [0]),
      int64Tensor('axes1', [1], [1]),
      int64Tensor('four', [1], [4]),
      int64Tensor('flat', [1], [-1]),
      floatTensor('cmax', [], [1000]),
    ],
    input: [
      valueInfo('input_ids', DataType.INT64, ['n', 's']),
      valueInfo('attention_mask', DataType.INT64, ['n', 's']),
      valueInfo('pixel_values', DataType.FLOAT, [1, 3, 4, 4]),
      valueInfo('w', DataType.FLOAT, [1]),
    ],
    output: [valueInfo('logits', DataType.FLOAT, ['n', 4])],
  };
  return buildModelBytes({ graph });
}

describe('splitDenseModel on awkward graphs', () => {
  it('handles shared constants, weights declared as inputs, optional inputs, text inputs read by the image', async () => {
    configureOrt();
    const bytes = awkwardModel();
    const s = splitDenseModel(bytes);
    expect(s.stats.nodes).toMatchObject({ dropped: 1, copied: 1 });
    expect(s.textInputs).toEqual(['input_ids', 'attention_mask']);
    expect(s.imageInputs).toEqual(['pixel_values']); // `w` is a weight, not an input
    expect(s.cut.map((c) => [c.name, c.elemType, c.source])).toEqual([
      ['input_ids__cut', DataType.INT64, 'input_ids'],
      ['emb', DataType.FLOAT, undefined],
      ['shape_n4', DataType.INT64, undefined],
      ['ax0', DataType.INT64, undefined],
    ]);
    // The joint part reads the vision tower's two results and the pixels; `w` is a vision weight.
    expect(s.visionCut.map((c) => [c.name, c.source])).toEqual([
      ['pixel_values__cut', 'pixel_values'],
      ['pk', undefined],
      ['pv_flat', undefined],
    ]);
    const vision = decodeModel(s.vision).graph!;
    const joint = decodeModel(s.joint).graph!;
    for (const t of ['input_ids', 'pixel_values']) expect(reads(joint).has(t)).toBe(false);
    expect(joint.node!.find((n) => n.op_type === 'Clip')!.input).toEqual(['z', '', 'cmax']);
    expect(vision.initializer!.map((t) => t.name)).toContain('w');

    // The three parts compute what the whole graph does, for any number of prompts.
    const ids = BigInt64Array.from([1n, 5n, 9n, 2n, 40n, 7n]);
    const mask = BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 0n]);
    const pixels = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i));
    const whole = await ort.InferenceSession.create(bytes);
    const ref = await whole.run({
      input_ids: new ort.Tensor('int64', ids, [2, 3]),
      attention_mask: new ort.Tensor('int64', mask, [2, 3]),
      pixel_values: new ort.Tensor('float32', pixels, [1, 3, 4, 4]),
    });
    await whole.release();
    for (const textEnd of ['frontier', 'conditional'] as const) {
      const m = await DenseModel.create(bytes, 'wasm', 'awkward', {
        textEnd,
        probeIds: [[1, 2], [3, 4, 5], [6]],
        padId: 0,
      });
      const layouts = Object.fromEntries(m.layouts.map((l) => [l.name, l.kind]));
      expect(layouts).toMatchObject({ emb: 'batched', input_ids__cut: 'batched' });
      expect(m.layouts.find((l) => l.name === 'input_ids__cut')).toMatchObject({ lengthDependent: true });
      if (textEnd === 'frontier') expect(layouts.shape_n4).toBe('count');
      const prompts = await m.encodeText(ids, mask, 2, 3);
      // Prompts stacked in another order give the rows in that order.
      const out = await m.runImage(pixels, 4, 4, m.stack([prompts[1]!, prompts[0]!]));
      expect([out.n, out.h, out.w]).toEqual([2, 1, 4]);
      const want = ref.logits!.data as Float32Array;
      expect(Array.from(out.logits)).toEqual([...want.subarray(4), ...want.subarray(0, 4)]);
      // One vision run serves any number of decoder runs, one row or several at a time.
      const handle = await m.runVision(pixels, 4, 4);
      const first = await m.runDecoder(handle, [prompts[0]!]);
      const second = await m.runDecoder(handle, [prompts[1]!]);
      expect([...first.logits, ...second.logits]).toEqual(Array.from(want));
      expect({ vision: m.visionRuns, rows: m.decoderRows }).toEqual({ vision: 2, rows: 4 });
      handle.dispose();
      await expect(m.runDecoder(handle, [prompts[0]!])).rejects.toThrow(/released/);
      await m.release();
    }
  });

  it('refuses subgraphs and models without a text input, with a clear message', () => {
    const bytes = awkwardModel();
    const model = decodeModel(bytes);
    const sub: OnnxGraph = { name: 'b', node: [], output: [valueInfo('k', DataType.FLOAT, [1])] };
    model.graph!.node!.push({
      op_type: 'If',
      name: 'branchy',
      input: ['c'],
      output: ['o'],
      attribute: [{ name: 'then_branch', type: AttributeType.GRAPH, g: sub }],
    });
    expect(() => splitDenseModel(encodeModel(model))).toThrow(SplitError);
    expect(() => splitDenseModel(encodeModel(model))).toThrow(/subgraph attribute "then_branch"/);
    expect(() => splitDenseModel(bytes, { textInputs: ['tokens'] })).toThrow(/none of its inputs/);
    expect(() => splitDenseModel(bytes, { textEnd: { tensor: 'pm' } })).toThrow(/not a text-only tensor/);
  });
});
