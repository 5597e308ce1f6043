import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODER_ROWS, TEXT_ROWS } from '../../src/models/dense/chunks';
import { MODEL_FILE, writeClipSegBundle } from '../lib/clipsegBundle';
import { writeClipTowersBundle } from '../lib/clipTowersBundle';
import { splitFloorParts } from '../lib/floorParts';
import { configureOrt } from '../lib/nodeSegmenter';
import { quantizedName } from '../lib/quantizeBundle';
import { measureClipDenseNode } from './clipDenseNode';
import { MANIFESTS, startBenchServer } from './server';

/*
 * `npm run bench -- --dtype q8` in its Node-side parts, on toy bundles: the server offers the app
 * the q8 file in both manifests (only where the folder has it), the floor is timed on the int8 file
 * as the app runs it (in batches, its quantisation made per row at the split), and the dense-CLIP bare
 * costs run the app's own engine on the quantised towers.
 */
let root = '';
let clipseg = '';
let fp32Only = '';
let towers = '';
beforeAll(async () => {
  configureOrt();
  root = await mkdtemp(path.join(os.tmpdir(), 'ovseg-bench-q8-'));
  [clipseg, fp32Only, towers] = ['clipseg', 'fp32', 'towers'].map((d) => path.join(root, d)) as [
    string,
    string,
    string,
  ];
  await writeClipSegBundle(clipseg, { seed: 5, size: 'tiny' });
  await writeClipSegBundle(fp32Only, { seed: 5, size: 'tiny', q8: false });
  await writeClipTowersBundle(towers, { seed: 3, size: 'tiny' });
}, 60_000);
afterAll(() => (root ? rm(root, { recursive: true, force: true }) : undefined));

describe('the bench with --dtype q8', () => {
  it("serves the app manifests with the q8 file where the folder has it, and transformers.js's file", async () => {
    const server = await startBenchServer({
      port: 0,
      dist: root,
      models: { bench: clipseg, plain: fp32Only },
      images: new Map(),
    });
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const files = async (model: string, m: string) =>
        ((await (await fetch(`${origin}/models/${model}/${m}`)).json()) as { model: { files: object } }).model
          .files;
      const both = { fp32: MODEL_FILE, q8: quantizedName(MODEL_FILE) };
      expect(await files('bench', MANIFESTS.default)).toEqual(both);
      expect(await files('bench', MANIFESTS.names)).toEqual(both);
      expect(await files('plain', MANIFESTS.default)).toEqual({ fp32: MODEL_FILE });
      expect(await files('plain', MANIFESTS.names)).toEqual({ fp32: MODEL_FILE });
      // The file transformers.js asks for with dtype q8, byte for byte.
      const q8 = await fetch(`${origin}/models/bench/onnx/model_quantized.onnx`);
      expect(q8.status).toBe(200);
      const served = Buffer.from(await q8.arrayBuffer());
      expect(served.equals(await readFile(path.join(clipseg, quantizedName(MODEL_FILE))))).toBe(true);
    } finally {
      server.close();
    }
  });

  it("times the floor on the int8 file in the app's batches (its quantisation made per row)", async () => {
    const floorOf = async (file: string) => {
      const parts = await splitFloorParts(new Uint8Array(await readFile(path.join(clipseg, file))));
      try {
        await Promise.all([parts.text(), parts.vision(), parts.decoderRow()]);
        return [parts.rowsPerRun, parts.textRowsPerRun];
      } finally {
        await parts.release?.();
      }
    };
    expect(await floorOf(MODEL_FILE)).toEqual([DECODER_ROWS.wasm, TEXT_ROWS]);
    expect(await floorOf(quantizedName(MODEL_FILE))).toEqual([DECODER_ROWS.wasm, TEXT_ROWS]);
  }, 60_000);

  it("runs the dense-CLIP bare costs on the towers' int8 files through the app's engine", async () => {
    const f = await measureClipDenseNode(towers, 1, 1, [1], 'q8');
    expect(f.windowMs).toBeGreaterThan(0);
    expect(f.frameMs[1]).toBeGreaterThan(0);
    expect(f.textMsPerPrompt).toBeGreaterThan(0);
  }, 120_000);
});
