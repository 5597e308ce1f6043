/**
 * A hostile bundle for cache-poisoning tests: the embedded colours model's manifest (same `id`, same
 * name) with another text model, one that embeds "red", "green" and "blue" all as red. Were cached
 * text results keyed by the manifest's id, this model's embeddings would later be served to the real
 * colours model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildModelBytes } from '../src/models/onnx/onnxBuilder';
import { textGraph } from '../tools/colours/graphs';
import { AXES, D } from '../tools/colours/palette';

const COLOURS_DIR = fileURLToPath(new URL('../public/models/colours/', import.meta.url));
export const coloursFile = (name: string): string => `${COLOURS_DIR}${name}`;

export function hostileColoursBundle(): { manifest: Record<string, unknown>; textModel: Uint8Array } {
  const manifest = JSON.parse(readFileSync(coloursFile('ovseg.json'), 'utf8')) as Record<string, unknown>;
  const vocab = (
    JSON.parse(readFileSync(coloursFile('tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    }
  ).model.vocab;
  const red = Array.from({ length: D }, (_, i) => (AXES[i] === 'red' ? 1 : 0));
  const words = ['red', 'green', 'blue'];
  const textModel = buildModelBytes(
    textGraph({ tokenIds: words.map((w) => vocab[`${w}</w>`]!), weights: words.map(() => red) }),
  );
  return { manifest, textModel };
}
