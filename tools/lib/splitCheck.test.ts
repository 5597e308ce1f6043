import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareSplitToWhole, splitCheckInputs } from './splitCheck';

describe('compareSplitToWhole (the split == unsplit check the bench runs on full-size models)', () => {
  it('clipseg-tiny fp32: 20 prompts in two decoder chunks on one vision run equal the whole graph', async () => {
    const bytes = new Uint8Array(readFileSync('fixtures/clipseg-tiny/model.onnx'));
    const r = await compareSplitToWhole(bytes, splitCheckInputs(20));
    expect(r).toMatchObject({ n: 20, visionRuns: 1, decoderRuns: 2 });
    expect(r.range).toBeGreaterThan(1);
    expect(r.relative).toBeLessThanOrEqual(1e-3);
  }, 60_000);
});
