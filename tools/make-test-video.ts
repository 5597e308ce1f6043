/**
 * Writes the webcam test scene (test-support/video/scene.ts) as a Y4M file for Chromium's fake camera:
 *   npx tsx tools/make-test-video.ts <out.y4m> [--static]
 * `--static` repeats frame 0 (a still scene, for measuring flicker).
 */
import { writeFileSync } from 'node:fs';
import { makeY4m } from '../test-support/video/y4m';

const out = process.argv[2];
if (!out) {
  console.error('usage: npx tsx tools/make-test-video.ts <out.y4m> [--static]');
  process.exit(2);
}
writeFileSync(out, makeY4m(process.argv.includes('--static')));
console.log(`wrote ${out}`);
