import { describe, expect, it } from 'vitest';
import { likelyReasons } from './ortRuntime';

describe('likelyReasons', () => {
  it("gives ONNX Runtime's bare session error its likely causes, the model's size among them", () => {
    const why = likelyReasons("Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: ", 2_345_678_901);
    expect(why).toMatch(/external-data file/);
    expect(why).toMatch(/operator this backend does not support/);
    expect(why).toMatch(/2,346 MB/);
  });

  it('adds nothing to a message that already says what is wrong', () => {
    expect(likelyReasons('Unsupported op: FooBar', 10)).toBe('');
    expect(likelyReasons(`Can't create a session: ${'x'.repeat(200)}`, 10)).toBe('');
  });
});
