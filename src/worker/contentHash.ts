/** Prefix of content names valid for one session only: never persisted. */
export const SESSION_ONLY = 'session:';

/** Bytes hashed per SubtleCrypto call: each call copies its input, so a big model is hashed in slices. */
const SLICE = 16 * 1024 * 1024;

const hex = (b: ArrayBuffer): string =>
  Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

const sha256 = (b: Uint8Array): Promise<ArrayBuffer> =>
  crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>);

/**
 * A name for some byte strings' content: SHA-256 over the SHA-256 of each 16 MiB slice of each
 * input, with the lengths (so neither slicing nor concatenation makes two inputs collide). Native
 * hashing runs at hundreds of MB/s; slicing keeps the extra memory to one slice.
 */
export async function contentHash(inputs: Uint8Array[]): Promise<string> {
  // No SubtleCrypto outside secure contexts (plain http off localhost): a name for this session only,
  // which the persistent caches do not store (see SESSION_ONLY).
  if (!globalThis.crypto?.subtle) return `${SESSION_ONLY}${Date.now()}-${Math.random()}`;
  const digests: Uint8Array[] = [];
  for (const bytes of inputs) {
    digests.push(new TextEncoder().encode(`${bytes.length}:`));
    for (let off = 0; off < bytes.length || off === 0; off += SLICE) {
      digests.push(new Uint8Array(await sha256(bytes.subarray(off, off + SLICE))));
      if (bytes.length === 0) break;
    }
  }
  const all = new Uint8Array(digests.reduce((n, d) => n + d.length, 0));
  let off = 0;
  for (const d of digests) {
    all.set(d, off);
    off += d.length;
  }
  return `sha256:${hex(await sha256(all))}`;
}
