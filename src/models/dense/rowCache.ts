/**
 * Per-row decoder results of the current image, kept within a byte budget (least recently used out
 * first). A row is keyed by what makes it: its prompt (max mode) or its class's set of names (mean
 * mode), so a vocabulary edit re-runs only rows it has not kept. Pure; the runner clears it when the
 * image changes.
 */

/**
 * Default budget: 96 MiB of float32 [h, w] rows, about 200 rows of CLIPSeg's 352 x 352 logits
 * (484 KiB each): a 79-prompt VOC vocabulary (38 MiB) or ADE-150 in mean mode (73 MiB) stays whole.
 */
export const ROW_CACHE_BYTES = 96 * 2 ** 20;

export class RowCache {
  private rows = new Map<string, Float32Array>();
  private used = 0;

  constructor(readonly budget = ROW_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }
  get size(): number {
    return this.rows.size;
  }

  /** The row's logits (and marks it recently used), or undefined. */
  get(key: string): Float32Array | undefined {
    const v = this.rows.get(key);
    if (v) {
      this.rows.delete(key);
      this.rows.set(key, v);
    }
    return v;
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  /** Keeps a row (the array itself, not a copy), evicting the least recently used beyond the budget. */
  set(key: string, row: Float32Array): void {
    const old = this.rows.get(key);
    if (old) {
      this.used -= old.byteLength;
      this.rows.delete(key);
    }
    if (row.byteLength > this.budget) return;
    this.rows.set(key, row);
    this.used += row.byteLength;
    for (const [k, v] of this.rows) {
      if (this.used <= this.budget) break;
      this.rows.delete(k);
      this.used -= v.byteLength;
    }
  }

  clear(): void {
    this.rows.clear();
    this.used = 0;
  }
}
