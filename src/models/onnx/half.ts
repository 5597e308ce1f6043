/** IEEE half floats held as uint16 bits (ONNX float16 tensors), shared by the families' graph tools. */

/** IEEE half (as uint16 bits) to float32. */
export function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!;
    const s = x & 0x8000 ? -1 : 1;
    const e = (x >> 10) & 0x1f;
    const m = x & 0x3ff;
    out[i] =
      e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** float32 to IEEE half bits, rounding to nearest even. */
export function floatToHalf(f: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(f.length);
  const fv = new Float32Array(1);
  const iv = new Uint32Array(fv.buffer);
  for (let i = 0; i < f.length; i++) {
    fv[0] = f[i]!;
    const x = iv[0]!;
    const sign = (x >>> 16) & 0x8000;
    const e = (x >>> 23) & 0xff;
    let m = x & 0x7fffff;
    if (e === 0xff) {
      out[i] = sign | 0x7c00 | (m ? 0x200 : 0);
      continue;
    }
    let he = e - 127 + 15;
    if (he >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (he <= 0) {
      if (he < -10) {
        out[i] = sign;
        continue;
      }
      m |= 0x800000;
      const shift = 14 - he;
      let hm = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && hm & 1)) hm++;
      out[i] = sign | hm;
      continue;
    }
    let hm = m >>> 13;
    const rem = m & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && hm & 1)) {
      hm++;
      if (hm === 0x400) {
        hm = 0;
        he++;
        if (he >= 31) {
          out[i] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[i] = sign | (he << 10) | hm;
  }
  return out;
}
