import { describe, expect, it } from 'vitest';
import { formatBytes } from './format';

describe('formatBytes', () => {
  it('binary: MiB with a decimal under 100, kB, bytes', () => {
    expect(formatBytes(16 * 2 ** 20)).toBe('16.0 MiB');
    expect(formatBytes(3 * 2 ** 30)).toBe('3072 MiB');
    expect(formatBytes(320 * 1024)).toBe('320 kB');
    expect(formatBytes(12)).toBe('12 bytes');
  });

  it('decimal: MB as download sizes are quoted', () => {
    expect(formatBytes(1_695_610, 'decimal')).toBe('1.7 MB');
    expect(formatBytes(153e6, 'decimal')).toBe('153 MB');
    expect(formatBytes(12_000, 'decimal')).toBe('12 kB');
  });
});
