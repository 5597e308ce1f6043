import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DenseModel } from '../../src/models/dense/denseModel';
import { decodeModel } from '../../src/models/onnx/onnxProto';
import { ort } from '../../src/models/runtime/ortRuntime';
import { clipSegModelBytes } from './clipsegBundle';
import { buildClipSeg, RD64_REFINED, TINY, torchParameterCount } from './clipsegGraph';
import { GraphWriter } from './graphWriter';
import { configureOrt } from './nodeSegmenter';

/*
 * The benchmark's generated CLIPSeg: published sizes, a traced export's op patterns, deterministic,
 * and split by the app exactly as it splits the real (torch-exported) fixture.
 */
const FIXTURE = new Uint8Array(readFileSync('fixtures/clipseg-tiny/model.onnx'));
const tiny = clipSegModelBytes(TINY, 7);
const opTypes = (bytes: Uint8Array) => new Set(decodeModel(bytes).graph!.node!.map((n) => n.op_type!));
const models: DenseModel[] = [];
afterAll(async () => Promise.all(models.map((m) => m.release())));

describe('full-size CLIPSeg shapes', () => {
  it('has rd64-refined parameter count (150.7 M) and, with the dead vision layers dropped, a ~545 MB file', () => {
    expect(torchParameterCount(RD64_REFINED) / 1e6).toBeCloseTo(150.7, 1);
    const w = new GraphWriter(1, true);
    buildClipSeg(w, RD64_REFINED);
    const mb = (w.floats * 4) / 1e6;
    expect(mb).toBeGreaterThan(540);
    expect(mb).toBeLessThan(550);
    // Vision layers after the last extracted one (9) are not in the graph.
    const names = w.initializers.map((t) => t.name!);
    expect(names.some((n) => n.startsWith('vision.encoder.layers.9.'))).toBe(true);
    expect(names.some((n) => n.startsWith('vision.encoder.layers.10.'))).toBe(false);
    expect(names.some((n) => n.startsWith('text.encoder.layers.11.'))).toBe(true);
  });
});

describe('tiny CLIPSeg from the generator', () => {
  it('is deterministic from the seed', () => {
    expect(Buffer.from(clipSegModelBytes(TINY, 7).bytes).equals(Buffer.from(tiny.bytes))).toBe(true);
    expect(Buffer.from(clipSegModelBytes(TINY, 8).bytes).equals(Buffer.from(tiny.bytes))).toBe(false);
  });

  it('uses only ops that the torch export of the fixture uses', () => {
    const fixtureOps = opTypes(FIXTURE);
    for (const op of opTypes(tiny.bytes)) expect(fixtureOps, op).toContain(op);
  });

  it('has the inputs and output of the hub export', () => {
    const mine = decodeModel(tiny.bytes).graph!;
    const real = decodeModel(FIXTURE).graph!;
    const sig = (g: typeof mine) =>
      [...g.input!, ...g.output!].map((v) => [
        v.name,
        v.type!.tensor_type!.elem_type,
        v.type!.tensor_type!.shape!.dim!.length,
      ]);
    expect(sig(mine)).toEqual(sig(real));
  });

  it("is split by the app like the real export, and the split parts give the whole graph's logits", async () => {
    configureOrt();
    const [mineModel, realModel] = await Promise.all([
      DenseModel.create(tiny.bytes, 'wasm', 'generated'),
      DenseModel.create(FIXTURE, 'wasm', 'fixture'),
    ]);
    models.push(mineModel, realModel);
    // Both end the text part at the conditional embedding: one [N, D] row per prompt.
    expect(mineModel.conditional).not.toBeNull();
    expect(realModel.conditional).not.toBeNull();
    expect(mineModel.layouts.map((l) => l.kind)).toEqual(realModel.layouts.map((l) => l.kind));

    const ids = [
      [49406, 320, 1929, 49407],
      [49406, 3000, 49407, 49407],
    ];
    const mask = [
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ];
    const px = new Float32Array(3 * 352 * 352).map((_, i) => Math.sin(i * 0.01));
    const whole = await ort.InferenceSession.create(tiny.bytes);
    const ref = (
      await whole.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [2, 4]),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), [2, 4]),
        pixel_values: new ort.Tensor('float32', px, [1, 3, 352, 352]),
      })
    ).logits!.data as Float32Array;
    await whole.release();
    // Prompts encoded one at a time at their own length (as the app caches them), then stacked.
    const cuts = [
      ...(await mineModel.encodeText(
        BigInt64Array.from(ids[0]!, BigInt),
        BigInt64Array.from(mask[0]!, BigInt),
        1,
        4,
      )),
      ...(await mineModel.encodeText(
        BigInt64Array.from([49406, 3000, 49407], BigInt),
        BigInt64Array.from([1, 1, 1], BigInt),
        1,
        3,
      )),
    ];
    const out = await mineModel.runImage(px, 352, 352, mineModel.stack(cuts));
    expect(out.logits.length).toBe(ref.length);
    let spread = 0;
    let diff = 0;
    for (let i = 0; i < ref.length; i++) {
      spread = Math.max(spread, Math.abs(ref[i]!));
      diff = Math.max(diff, Math.abs(out.logits[i]! - ref[i]!));
    }
    expect(spread).toBeGreaterThan(0.5); // logits with a real range, not a constant bias
    expect(diff).toBeLessThan(1e-4);
  }, 120_000);
});
