/**
 * Writes a random-weight SAM with the published shapes of `Xenova/slimsam-77-uniform` or
 * `Xenova/sam-vit-base`, in the hub's layout, for the benchmark's SAM part (`npm run bench --
 * --family sam-clip`). Deterministic from the seed; written outside git (SAM ViT-B: about 460 MB).
 *
 *   npm run make:sam-full -- --size slimsam77|sam-vit-b|tiny [--seed 1] [--out .tmp/bench/<size>]
 *
 * Layout: onnx/vision_encoder.onnx (pixel_values -> image_embeddings, image_positional_embeddings),
 * onnx/prompt_encoder_mask_decoder.onnx (input_points, input_labels, the two embeddings ->
 * iou_scores, pred_masks), both also as dynamic int8 `*_quantized.onnx`, and config.json.
 */
import { parseArgs } from 'node:util';
import { writeSamBundle, type SamFile } from './lib/samBundle';
import { SAM_SIZES, type SamSizeName } from './lib/samSize';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'slimsam77' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
if (!(values.size in SAM_SIZES)) throw new Error(`--size is one of ${Object.keys(SAM_SIZES).join(', ')}`);
const size = values.size as SamSizeName;
const out = values.out ?? `.tmp/bench/${size}`;
const t0 = performance.now();
const r = await writeSamBundle(out, { seed: Number(values.seed), size });
const line = (f: SamFile) =>
  `${f.file}: ${(f.bytes / 1e6).toFixed(1)} MB` +
  (f.parameters !== undefined ? `, ${(f.parameters / 1e6).toFixed(3)} M parameters, ${f.nodes} nodes` : '');
for (const f of Object.values(r)) console.log(line(f));
console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
