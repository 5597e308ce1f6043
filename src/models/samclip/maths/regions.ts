/**
 * Upstream's optional clean-up of automatic masks (`min_mask_region_area`): in each mask, background
 * regions (8-connected) smaller than the area are filled ("holes", including background regions
 * that touch the border, as upstream does) and mask regions smaller than it are removed ("islands";
 * if every island is small the largest stays). Changed masks get score 0 and unchanged ones 1 in a
 * second box NMS, so a duplicate made by the clean-up loses to an untouched mask.
 */
import { nms } from './boxes';
import { BoxTracker, type BoxXyxy } from './cuts';

/**
 * 8-connected components of the pixels equal to `value`: a label per pixel (-1 elsewhere), labels
 * numbered in raster order of each component's first pixel, and each component's size.
 */
export function components(
  mask: Uint8Array,
  height: number,
  width: number,
  value: number,
): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(height * width).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (labels[start] !== -1 || mask[start] !== value) continue;
    const id = sizes.length;
    let size = 0;
    labels[start] = id;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const y = Math.floor(p / width);
      const x = p - y * width;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (labels[q] === -1 && mask[q] === value) {
            labels[q] = id;
            stack.push(q);
          }
        }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/** Upstream `remove_small_regions` on a 0 / 1 mask: the new mask and whether anything changed. */
export function removeSmallRegions(
  mask: Uint8Array,
  height: number,
  width: number,
  minArea: number,
  mode: 'holes' | 'islands',
): { mask: Uint8Array; changed: boolean } {
  const holes = mode === 'holes';
  const { labels, sizes } = components(mask, height, width, holes ? 0 : 1);
  const small = sizes.map((s) => s < minArea);
  if (!small.includes(true)) return { mask, changed: false };
  const out = new Uint8Array(mask.length);
  if (holes) {
    for (let i = 0; i < out.length; i++) out[i] = mask[i] || small[labels[i]!] ? 1 : 0;
    return { mask: out, changed: true };
  }
  const keep = small.map((s) => !s);
  // Every island small: keep the largest (the first of equal ones).
  if (!keep.includes(true)) keep[sizes.indexOf(Math.max(...sizes))] = true;
  for (let i = 0; i < out.length; i++) out[i] = labels[i]! >= 0 && keep[labels[i]!] ? 1 : 0;
  return { mask: out, changed: true };
}

function boxOf(mask: Uint8Array, height: number, width: number): { box: BoxXyxy; area: number } {
  const box = new BoxTracker();
  let area = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (mask[y * width + x]) {
        area++;
        box.rect(x, y, x, y);
      }
  return { box: box.box, area };
}

interface RegionMask {
  mask: Uint8Array;
  area: number;
  box: BoxXyxy;
  bbox: [number, number, number, number];
}

/** Upstream `postprocess_small_regions`: cleans every mask, then NMS preferring unchanged masks. */
export function removeSmallRegionsAll<M extends RegionMask>(
  masks: readonly M[],
  height: number,
  width: number,
  minArea: number,
  nmsThresh: number,
): M[] {
  const cleaned = masks.map((m) => {
    const h = removeSmallRegions(m.mask, height, width, minArea, 'holes');
    const i = removeSmallRegions(h.mask, height, width, minArea, 'islands');
    return { mask: i.mask, changed: h.changed || i.changed, ...boxOf(i.mask, height, width) };
  });
  const keep = nms(
    cleaned.map((c) => c.box),
    cleaned.map((c) => (c.changed ? 0 : 1)),
    nmsThresh,
  );
  return keep.map((k) => {
    const c = cleaned[k]!;
    if (!c.changed) return masks[k]!;
    const [x0, y0, x1, y1] = c.box;
    return { ...masks[k]!, mask: c.mask, area: c.area, box: c.box, bbox: [x0, y0, x1 - x0, y1 - y0] };
  });
}
