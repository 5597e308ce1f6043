/**
 * GKC labels without every class score at every pixel: the same labels and best scores as
 * `querySemseg`, for a still image or an unsmoothed frame.
 *
 * Why it is exact: a pixel's upsampled logit is a convex combination of the four mask logits around
 * it (its cell), and the sigmoid is increasing, so each query's sigmoid there lies between its
 * values at the cell's lowest and highest corner, and each class score between the sums of those.
 * Where one class's lower bound beats every other class's upper bound (with a margin far above
 * float32 rounding), every pixel of the cell has that label, and only that class's score is
 * computed. The other cells, and (when the labels are to be upsampled) the cells next to a
 * different label, get every class score as `querySemseg` computes it, in the same order.
 */
import { activePairs, fastSigmoid, LIMIT, MaskRows, sigmoidTable, STEPS } from './querySemseg';
import type { QuerySemseg, QuerySemsegInput } from './querySemseg';

/** Bounds must separate by this much: float32 sums of up to thousands of terms err far less. */
const MARGIN = 1e-4;

export interface QueryLabels extends QuerySemseg {
  /** Share of pixels whose label the cell bounds decided. */
  decided: number;
}

/**
 * `neighbours`: the labels will be upsampled (`upsampleLabels`), which reads the scores of the
 * labels of each 2x2 block of pixels: `semseg` then holds those (and the winners' scores), other
 * entries are 0. Without it, `semseg` is empty.
 */
export function queryLabels(inp: QuerySemsegInput, neighbours: boolean): QueryLabels {
  const { probs, masks, Q, C, h, w, H, W } = inp;
  const P = H * W;
  const pairs = activePairs(probs, Q, C);
  const nq = pairs.queries.length;
  const hw = h * w;
  // Each class's pairs, queries ascending: (active query index, probability).
  const byClass: { a: number[]; p: number[] }[] = Array.from({ length: C }, () => ({ a: [], p: [] }));
  for (let a = 0; a < nq; a++)
    for (let j = pairs.start[a]!; j < pairs.start[a + 1]!; j++) {
      byClass[pairs.cls[j]!]!.a.push(a);
      byClass[pairs.cls[j]!]!.p.push(pairs.prob[j]!);
    }
  // A class with the same pairs as an earlier class has the same score everywhere, bit for bit, and
  // never wins (ties go to the first class): it does not compete.
  const seen = new Set<string>();
  const competes = byClass.map((b) => {
    const key = `${b.a.join(',')}|${b.p.join(',')}`;
    if (b.a.length > 0 && seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const clsA = byClass.map((b) => Int32Array.from(b.a));
  const clsP = byClass.map((b) => Float32Array.from(b.p));

  // Cell winners: cell (r, c) spans mask rows r, r + 1 and columns c, c + 1 (clamped at the edge).
  // Per class, bounds of its score over each cell: the sigmoid of each query's lowest and highest
  // corner (the sigmoid is increasing, so min/max of the sigmoids), weighted and summed.
  const lo = new Float64Array(C * hw),
    hi = new Float64Array(C * hw);
  const sg = new Float64Array(hw),
    rowLo = new Float64Array(hw),
    rowHi = new Float64Array(hw);
  for (let a = 0; a < nq; a++) {
    const b = pairs.queries[a]! * hw;
    for (let i = 0; i < hw; i++) sg[i] = fastSigmoid(masks[b + i]!);
    // Over columns c, c + 1, then over rows r, r + 1.
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        const i = r * w + c,
          j = c + 1 < w ? i + 1 : i;
        rowLo[i] = Math.min(sg[i]!, sg[j]!);
        rowHi[i] = Math.max(sg[i]!, sg[j]!);
      }
    for (let j = pairs.start[a]!; j < pairs.start[a + 1]!; j++) {
      const p = pairs.prob[j]!;
      const o = pairs.cls[j]! * hw;
      for (let r = 0; r < h; r++) {
        const down = r + 1 < h ? w : 0;
        for (let c = 0; c < w; c++) {
          const i = r * w + c;
          lo[o + i] += p * Math.min(rowLo[i]!, rowLo[i + down]!);
          hi[o + i] += p * Math.max(rowHi[i]!, rowHi[i + down]!);
        }
      }
    }
  }
  const win = new Int32Array(hw).fill(-1);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const cell = r * w + c;
      let best = 0;
      for (let k = 1; k < C; k++) if (competes[k] && lo[k * hw + cell]! > lo[best * hw + cell]!) best = k;
      let other = 0; // classes without pairs score 0
      for (let k = 0; k < C; k++) if (k !== best && competes[k]) other = Math.max(other, hi[k * hw + cell]!);
      if (lo[best * hw + cell]! > other + MARGIN) win[cell] = best;
    }
  }
  // Cells whose pixels need every class score. Neighbouring pixels lie in cells at most ry, rx apart
  // (1 when upsampling; more when the score grid is coarser than the masks).
  const full = new Uint8Array(hw);
  const ry = Math.max(1, Math.ceil(h / H)),
    rx = Math.max(1, Math.ceil(w / W));
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const k = win[r * w + c]!;
      let mixed = k < 0;
      if (neighbours && !mixed)
        for (let dr = -ry; dr <= ry && !mixed; dr++)
          for (let dc = -rx; dc <= rx; dc++) {
            const rr = r + dr,
              cc = c + dc;
            if (rr >= 0 && rr < h && cc >= 0 && cc < w && win[rr * w + cc] !== k) mixed = true;
          }
      full[r * w + c] = mixed ? 1 : 0;
    }

  const rows = new MaskRows(masks, pairs.queries, h, w, H, W);
  const xi0 = new Int32Array(W);
  {
    const sx = w / W;
    for (let x = 0; x < W; x++) xi0[x] = Math.min(Math.floor(Math.max(0, (x + 0.5) * sx - 0.5)), w - 1);
  }
  const sig = sigmoidTable();
  const semseg = new Float32Array(neighbours ? C * P : 0);
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P);
  const acc = new Float32Array(C * W);
  const row = new Float32Array(W);
  // row[x] = sigmoid of active query a's upsampled logit, for x in [x0, x1) of the current row.
  let tops = rows.tops,
    bots = rows.bots,
    wy = 0;
  const sigmoidRow = (a: number, x0: number, x1: number) => {
    const o = a * W;
    for (let x = x0; x < x1; x++) {
      const top = tops[o + x]!;
      const z = top + (bots[o + x]! - top) * wy;
      if (z <= -LIMIT) row[x] = 0;
      else if (z >= LIMIT) row[x] = 1;
      else {
        const u = (z + LIMIT) * STEPS;
        const i = u | 0;
        row[x] = sig[i]! + (sig[i + 1]! - sig[i]!) * (u - i);
      }
    }
  };
  let decided = 0;
  for (let y = 0; y < H; y++) {
    wy = rows.at(y);
    tops = rows.tops;
    bots = rows.bots;
    const ro = y * W;
    const cellRow = rows.ys.i0[y]! * w;
    // Runs of pixels whose cells are all decided for one class, or all need every class.
    for (let x0 = 0; x0 < W;) {
      const cell = cellRow + xi0[x0]!;
      const isFull = full[cell] === 1;
      const k = win[cell]!;
      let x1 = x0 + 1;
      while (x1 < W) {
        const next = cellRow + xi0[x1]!;
        if ((full[next] === 1) !== isFull || (!isFull && win[next] !== k)) break;
        x1++;
      }
      if (!isFull) {
        // The winner is known: its score only, summed in the order the full computation sums it.
        const qa = clsA[k]!,
          qp = clsP[k]!;
        scores.fill(0, ro + x0, ro + x1);
        for (let j = 0; j < qa.length; j++) {
          sigmoidRow(qa[j]!, x0, x1);
          const p = qp[j]!;
          for (let x = x0; x < x1; x++) scores[ro + x] += p * row[x]!;
        }
        labels.fill(k + 1, ro + x0, ro + x1);
        if (neighbours) semseg.set(scores.subarray(ro + x0, ro + x1), k * P + ro + x0);
        decided += x1 - x0;
      } else {
        for (let c = 0; c < C; c++) acc.fill(0, c * W + x0, c * W + x1);
        for (let a = 0; a < nq; a++) {
          sigmoidRow(a, x0, x1);
          for (let j = pairs.start[a]!; j < pairs.start[a + 1]!; j++) {
            const p = pairs.prob[j]!;
            const o = pairs.cls[j]! * W;
            for (let x = x0; x < x1; x++) acc[o + x] += p * row[x]!;
          }
        }
        scores.fill(-Infinity, ro + x0, ro + x1);
        for (let c = 0; c < C; c++) {
          const o = c * W;
          for (let x = x0; x < x1; x++) {
            const v = acc[o + x]!;
            if (v > scores[ro + x]!) {
              scores[ro + x] = v;
              labels[ro + x] = c + 1;
            }
          }
          if (neighbours) semseg.set(acc.subarray(o + x0, o + x1), c * P + ro + x0);
        }
      }
      x0 = x1;
    }
  }
  return { semseg, labels, scores, decided: decided / P };
}
