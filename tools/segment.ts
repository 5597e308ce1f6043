/**
 * Command-line segmentation with the app's own engine in Node (WASM; `--ep webgpu`: WebGPU through
 * Dawn's Node bindings, see docs/testing.md, "WebGPU in Node"):
 *   npm run segment -- --model public/models/colours --image photo.jpg --classes "sky, grass" --out labels.png
 * Writes the label map PNG (value = class index + 1, 0 = unlabelled) and a JSON legend beside it.
 */
import { VocabularyEmptyError } from '../src/errors';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Dtype } from '../src/models/manifest';
import { encodeLabelPng, labelLegendJson } from '../src/processing/labelPng';
import { parseVocabulary } from '../src/processing/vocabulary';
import { configureNodeEp, decodeImage, fsFetcher, newSegmenter, rgbaSource } from './lib/nodeSegmenter';

const USAGE = `usage: npm run segment -- --model <bundle dir> --image <file> --classes "<text>" --out <labels.png>
  [--threshold <0..1>] [--dtype fp32|fp16|q8] [--manifest ovseg.json] [--ep wasm|webgpu]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      image: { type: 'string' },
      classes: { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'string' },
      dtype: { type: 'string' },
      manifest: { type: 'string', default: 'ovseg.json' },
      ep: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.model || !values.image || !values.classes || !values.out) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const { classes, warnings } = parseVocabulary(values.classes);
  for (const w of warnings) console.warn(`warning: ${w}`);
  if (classes.length === 0)
    throw new VocabularyEmptyError('The vocabulary is empty: give at least one class name');

  const ep = values.ep;
  if (ep !== 'wasm' && ep !== 'webgpu') throw new Error(`--ep takes wasm or webgpu, not ${ep}`);
  const gpu = await configureNodeEp(ep);
  if (gpu) console.log(`WebGPU adapter: ${gpu.adapter}${gpu.isFallback ? ' (a CPU implementation)' : ''}`);
  const engine = newSegmenter();
  const info = await engine.load(fsFetcher(values.model), { path: values.manifest! }, ep, {
    dtype: values.dtype as Dtype | undefined,
  });
  const image = decodeImage(new Uint8Array(await readFile(values.image)));
  const { unknown } = await engine.setVocabulary(classes);
  await engine.setImage(rgbaSource(image));
  const threshold = values.threshold !== undefined ? Number(values.threshold) : info.threshold;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error('--threshold must be between 0 and 1');
  const out = await engine.segment({ threshold, fresh: true });

  const png = encodeLabelPng(out.labels, out.width, out.height, classes.length);
  const jsonPath = path.join(
    path.dirname(values.out),
    path.basename(values.out, path.extname(values.out)) + '.json',
  );
  await writeFile(values.out, png);
  await writeFile(jsonPath, labelLegendJson(classes, info.id));

  const total = out.width * out.height;
  console.log(
    `${info.name} [${info.imageDtype}] on ${ep === 'wasm' ? 'WASM' : 'WebGPU'}, ${out.width}x${out.height}`,
  );
  const t = out.timings;
  console.log(
    `preprocess ${t.preprocess.toFixed(0)} ms, image model ${t.image.toFixed(0)} ms, combine ${t.combine.toFixed(0)} ms`,
  );
  classes.forEach((c, i) =>
    console.log(`  ${i + 1}\t${c.label}\t${((100 * out.counts[i + 1]!) / total).toFixed(1)}%`),
  );
  console.log(`  0\tunlabelled\t${((100 * out.counts[0]!) / total).toFixed(1)}%`);
  if (unknown.length) console.warn(`warning: the model knows none of the words in: ${unknown.join(', ')}`);
  console.log(`wrote ${values.out} and ${jsonPath}`);
  await engine.dispose();
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
});
