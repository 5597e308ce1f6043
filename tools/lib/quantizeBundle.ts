/**
 * The `_quantized` variant of a bundle's fp32 files, as the hub ships them (onnxruntime's dynamic
 * int8 pattern, quantizeDynamic.ts with HUB_OPS): `onnx/model.onnx` -> `onnx/model_quantized.onnx`,
 * the names transformers.js loads for dtype q8. The folder's app manifest (`ovseg.json`), when it has
 * one, gets the q8 entries next to the fp32 ones.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeModel, encodeModel } from '../../src/models/onnx/onnxProto';
import { HUB_OPS, quantizeDynamic } from './quantizeDynamic';

/** `onnx/model.onnx` -> `onnx/model_quantized.onnx`. */
export const quantizedName = (fp32: string) => fp32.replace(/\.onnx$/, '_quantized.onnx');

export interface QuantizedFile {
  file: string;
  bytes: number;
}

/** The dynamic-int8 model of fp32 ONNX bytes. */
function quantizedBytes(fp32: Uint8Array): Uint8Array {
  return encodeModel(quantizeDynamic(decodeModel(fp32), HUB_OPS));
}

/**
 * Writes the `_quantized` file of each fp32 file (paths relative to `dir`), one at a time (a
 * full-size graph is hundreds of MB); `force: false` keeps files already there.
 */
export async function writeQuantized(dir: string, files: string[], force = true): Promise<QuantizedFile[]> {
  const out: QuantizedFile[] = [];
  for (const rel of files) {
    const file = path.join(dir, quantizedName(rel));
    if (!force && existsSync(file)) continue;
    const bytes = quantizedBytes(new Uint8Array(await readFile(path.join(dir, rel))));
    await writeFile(file, bytes);
    out.push({ file, bytes: bytes.length });
  }
  await addToManifest(dir, files);
  return out;
}

type Files = { files?: Record<string, string> };

/** Adds `q8` beside each `fp32` entry of the folder's ovseg.json that names one of `files`. */
async function addToManifest(dir: string, files: string[]): Promise<void> {
  const file = path.join(dir, 'ovseg.json');
  if (!existsSync(file)) return;
  const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  let changed = false;
  for (const part of Object.values(m)) {
    const f = (part as Files | null)?.files;
    if (typeof part !== 'object' || !f?.fp32 || !files.includes(f.fp32) || f.q8) continue;
    f.q8 = quantizedName(f.fp32);
    changed = true;
  }
  if (changed) await writeFile(file, JSON.stringify(m, null, 2) + '\n');
}
