/**
 * Writes a random-weight CLIPSeg with rd64-refined's published shapes, in the hub's layout, for the
 * benchmark (`npm run bench`). Deterministic from the seed; written outside git (hundreds of MB).
 *
 *   npx tsx tools/make-clipseg-full.ts [--out .tmp/bench/clipseg-full] [--seed 1] [--size full|tiny]
 *
 * Layout (what both this app and transformers.js load): onnx/model.onnx and its dynamic-int8 variant
 * onnx/model_quantized.onnx (the hub's `_quantized` pattern: tools/lib/quantizeDynamic.ts), config.json,
 * preprocessor_config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json, and the
 * app's manifest ovseg.json.
 */
import { parseArgs } from 'node:util';
import { writeClipSegBundle } from './lib/clipsegBundle';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.tmp/bench/clipseg-full' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'full' },
  },
});
if (values.size !== 'full' && values.size !== 'tiny') throw new Error('--size is full or tiny');
const t0 = performance.now();
const r = await writeClipSegBundle(values.out, { seed: Number(values.seed), size: values.size });
console.log(
  `${r.file}: ${(r.bytes / 1e6).toFixed(1)} MB, ${(r.fileParameters / 1e6).toFixed(2)} M parameters in the file, ` +
    `${(r.torchParameters / 1e6).toFixed(2)} M in the torch model, ${r.nodes} nodes, ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
if (r.quantized)
  console.log(`${r.quantized.file}: ${(r.quantized.bytes / 1e6).toFixed(1)} MB (dynamic int8)`);
