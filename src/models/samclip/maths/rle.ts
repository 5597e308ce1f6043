/**
 * COCO run-length encoding of binary masks, as pycocotools writes it: runs counted in column-major
 * order starting with a run of zeros (0 when the first pixel is set), compressed to a string by
 * `rleToString` (differences from the run two before from the fourth run on, 5 bits per character,
 * least significant first, 0x20 = more, 0x10 of the last group = sign, offset 48); and the COCO
 * results format for instance segmentation.
 */

/** Run lengths of a [height * width] row-major 0 / 1 mask, column-major, zeros first. */
export function rleCounts(mask: Uint8Array, height: number, width: number): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++)
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  counts.push(run);
  return counts;
}

/** pycocotools `rleToString`. */
export function rleString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]! - (i > 2 ? counts[i - 2]! : 0);
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x = Math.floor(x / 32); // an arithmetic shift right by 5, for any safe integer
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

export interface CocoRle {
  size: [number, number];
  counts: string;
}

export const encodeRle = (mask: Uint8Array, height: number, width: number): CocoRle => ({
  size: [height, width],
  counts: rleString(rleCounts(mask, height, width)),
});

export interface CocoResult {
  image_id: number;
  category_id: number;
  segmentation: CocoRle;
  score: number;
  area: number;
  /** COCO's pixel extent box: [x0, y0, x1 - x0 + 1, y1 - y0 + 1] (upstream SAM's bbox has no +1). */
  bbox: [number, number, number, number];
}

/** A mask's area and its COCO box ([0, 0, 0, 0] when empty). */
function areaAndBox(
  mask: Uint8Array,
  height: number,
  width: number,
): { area: number; bbox: CocoResult['bbox'] } {
  let area = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (mask[y * width + x]) {
        area++;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return { area, bbox: area ? [x0, y0, x1 - x0 + 1, y1 - y0 + 1] : [0, 0, 0, 0] };
}

/** COCO results (instance segmentation) for one picture's masks. */
export function cocoResults(
  imageId: number,
  height: number,
  width: number,
  items: readonly { mask: Uint8Array; categoryId: number; score: number }[],
): CocoResult[] {
  return items.map(({ mask, categoryId, score }) => ({
    image_id: imageId,
    category_id: categoryId,
    segmentation: encodeRle(mask, height, width),
    score,
    ...areaAndBox(mask, height, width),
  }));
}

/** COCO categories for class names: ids from `firstId` (1, as in COCO) in vocabulary order. */
export const cocoCategories = (names: readonly string[], firstId = 1): { id: number; name: string }[] =>
  names.map((name, i) => ({ id: firstId + i, name }));
