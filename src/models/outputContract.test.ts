import { describe, expect, it } from 'vitest';
import { checkFinite, checkTextEmbeds, MAX_EMBEDDING_WIDTH } from './outputContract';
import { checkQueryShapes } from './query/contract';

const out = (type: string, ...dims: number[]) => ({ type, dims });

describe('checkTextEmbeds', () => {
  it('takes float32 [prompts, width] and returns the width', () => {
    expect(checkTextEmbeds(out('float32', 2, 512), 'text_embeds', 2)).toBe(512);
  });

  it('names the output, its dtype, shape or width at fault', () => {
    expect(() => checkTextEmbeds(out('int64', 2, 16), 'text_embeds', 2)).toThrow(
      `The text model's output "text_embeds" is int64: it must be float32 [2, width]`,
    );
    expect(() => checkTextEmbeds(out('float32', 1, 16), 'e', 2)).toThrow(
      `The text model's output "e" has shape [1, 16]: it must be [2, width]`,
    );
    expect(() => checkTextEmbeds(out('float32', 2, 3, 16), 'e', 2)).toThrow(/has shape \[2, 3, 16\]/);
    expect(() => checkTextEmbeds(out('float32', 2, MAX_EMBEDDING_WIDTH + 1), 'e', 2)).toThrow(
      /has 8,193 numbers per prompt: at most 8,192/,
    );
  });
});

describe('checkFinite', () => {
  it('passes finite values and counts NaN and infinities, naming the first row at fault', () => {
    expect(() => checkFinite(new Float32Array([0, 1, -2]), 'x')).not.toThrow();
    expect(() => checkFinite(new Float32Array([0, 1, NaN, Infinity]), 'S', ['a', 'b'])).toThrow(
      /^S has 2 of 4 values that are NaN or infinite \(the first for "b"\)/,
    );
  });
});

describe('checkQueryShapes', () => {
  const ok = { pred_masks: out('float32', 1, 12, 64, 80), query_embeds: out('float32', 1, 12, 16) };

  it('returns queries, mask size and width', () => {
    expect(checkQueryShapes(ok)).toEqual({ Q: 12, h: 64, w: 80, D: 16 });
  });

  it('names a missing output, a query count the outputs disagree on, and too many queries', () => {
    expect(() => checkQueryShapes({ pred_masks: ok.pred_masks, logits: out('float32', 1) })).toThrow(
      /it has no query_embeds \(its outputs: pred_masks, logits\)/,
    );
    expect(() => checkQueryShapes({ ...ok, query_embeds: out('float32', 1, 11, 16) })).toThrow(
      /"pred_masks" has 12, "query_embeds" has 11/,
    );
    expect(() =>
      checkQueryShapes({
        pred_masks: out('float32', 1, 2000, 8, 8),
        query_embeds: out('float32', 1, 2000, 16),
      }),
    ).toThrow(/2,000 queries: at most 1,024/);
    expect(() => checkQueryShapes({ ...ok, pred_masks: out('float32', 12, 64, 80) })).toThrow(
      /"pred_masks" has shape \[12, 64, 80\]: it must be \[1, queries, height, width\]/,
    );
  });
});
