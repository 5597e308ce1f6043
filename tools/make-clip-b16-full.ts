/**
 * Writes random-weight CLIP ViT-B/16 vision and text towers with the published shapes of
 * `Xenova/clip-vit-base-patch16`, in the hub's layout, for the benchmark's dense-CLIP part
 * (`npm run bench`). Deterministic from the seed; written outside git (about 600 MB).
 *
 *   npx tsx tools/make-clip-b16-full.ts [--out .tmp/bench/clip-b16-full] [--seed 1] [--size full|tiny]
 *
 * Layout: onnx/vision_model.onnx (pixel_values -> image_embeds, last_hidden_state),
 * onnx/text_model.onnx (input_ids -> text_embeds, last_hidden_state), each with its dynamic-int8
 * variant `*_quantized.onnx` (the hub's pattern: tools/lib/quantizeDynamic.ts), config.json,
 * preprocessor_config.json, tokenizer.json, tokenizer_config.json, and the app's manifest ovseg.json.
 */
import { parseArgs } from 'node:util';
import { writeClipTowersBundle, type TowerFile } from './lib/clipTowersBundle';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '.tmp/bench/clip-b16-full' },
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'full' },
  },
});
if (values.size !== 'full' && values.size !== 'tiny') throw new Error('--size is full or tiny');
const t0 = performance.now();
const r = await writeClipTowersBundle(values.out, { seed: Number(values.seed), size: values.size });
const line = (f: TowerFile) =>
  `${f.file}: ${(f.bytes / 1e6).toFixed(1)} MB, ${(f.parameters / 1e6).toFixed(2)} M parameters, ${f.nodes} nodes`;
console.log(line(r.vision));
console.log(line(r.text));
for (const q of r.quantized) console.log(`${q.file}: ${(q.bytes / 1e6).toFixed(1)} MB (dynamic int8)`);
console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
