/**
 * Boxes of SAM's automatic mask generation: upstream's XYWH record of an inclusive XYXY box, and
 * torchvision's greedy box NMS (`batched_nms` with one category) as its CPU kernel computes it: scores
 * sorted descending by a stable sort (ties keep input order), areas `(x1 - x0) * (y1 - y0)` with no
 * +1, every step in float32, and a box suppressed when its IoU with a kept one is `> threshold`
 * (the float32 IoU compared with the double threshold; 0 / 0 is NaN and suppresses nothing).
 */
import type { BoxXyxy } from './cuts';

const f32 = Math.fround;

/** Upstream `box_xyxy_to_xywh`: [x0, y0, x1 - x0, y1 - y0] (a one-pixel-wide box has width 0). */
export const boxXywh = (b: BoxXyxy): [number, number, number, number] => [
  b[0],
  b[1],
  b[2] - b[0],
  b[3] - b[1],
];

const area = (b: BoxXyxy) => f32((b[2] - b[0]) * (b[3] - b[1]));

/** torchvision's IoU of two boxes, float32. */
export function boxIou(a: BoxXyxy, b: BoxXyxy): number {
  const w = Math.max(0, f32(Math.min(a[2], b[2]) - Math.max(a[0], b[0])));
  const h = Math.max(0, f32(Math.min(a[3], b[3]) - Math.max(a[1], b[1])));
  const inter = f32(w * h);
  return f32(inter / f32(f32(area(a) + area(b)) - inter));
}

/** Indices of the boxes greedy NMS keeps, in its output order (score descending). */
export function nms(boxes: readonly BoxXyxy[], scores: ArrayLike<number>, iouThreshold: number): number[] {
  const order = boxes.map((_, i) => i).sort((i, j) => scores[j]! - scores[i]! || i - j);
  const suppressed = new Uint8Array(boxes.length);
  const keep: number[] = [];
  for (let a = 0; a < order.length; a++) {
    const i = order[a]!;
    if (suppressed[i]) continue;
    keep.push(i);
    for (let b = a + 1; b < order.length; b++) {
      const j = order[b]!;
      if (!suppressed[j] && boxIou(boxes[i]!, boxes[j]!) > iouThreshold) suppressed[j] = 1;
    }
  }
  return keep;
}
