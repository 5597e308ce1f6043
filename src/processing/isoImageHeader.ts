/**
 * The size an AVIF or HEIF file declares: ISO base media boxes, `meta` > `iprp` > `ipco` > `ispe`
 * (the image spatial extents every image item must have). A file has one per item (the primary
 * image, its alpha plane, thumbnails, a grid's tiles and the grid itself): the largest is returned.
 * A file without `meta` (an image sequence alone) declares no item size: null.
 */
import { MAX_STEPS, Unreadable, type ByteWindows } from './byteWindows';

/** Brands of still images and sequences in the HEIF family (AVIF, HEIC, MIAF). */
const BRANDS = new Set([
  'avif',
  'avis',
  'heic',
  'heix',
  'heim',
  'heis',
  'hevc',
  'hevx',
  'mif1',
  'msf1',
  'mif2',
  'miaf',
]);

/** An `ftyp` box whose major brand is an image brand (the first 16 bytes). */
export function isIsoImage(head: Uint8Array): boolean {
  const text = (at: number) => String.fromCharCode(...head.subarray(at, at + 4));
  return head.length >= 12 && text(4) === 'ftyp' && BRANDS.has(text(8));
}

interface Box {
  type: string;
  /** Where its content starts and where the box ends. */
  start: number;
  end: number;
}

function boxAt(b: ByteWindows, off: number, limit: number): Box {
  let size = b.u32be(off);
  const type = b.text(off + 4, 4);
  let header = 8;
  if (size === 1) {
    size = b.u32be(off + 8) * 2 ** 32 + b.u32be(off + 12);
    header = 16;
  } else if (size === 0) size = limit - off; // to the end of its parent
  if (size < header || off + size > limit) throw new Unreadable(`a "${type}" box of ${size} bytes`);
  return { type, start: off + header, end: off + size };
}

/** The first child of the given type within [start, end), or null. */
function child(b: ByteWindows, start: number, end: number, type: string): Box | null {
  let off = start;
  for (let step = 0; step < MAX_STEPS && off + 8 <= end; step++) {
    const box = boxAt(b, off, end);
    if (box.type === type) return box;
    off = box.end;
  }
  return null;
}

export function isoImageSize(b: ByteWindows): { width: number; height: number } | null {
  const meta = child(b, 0, b.size, 'meta');
  if (!meta) return null;
  // `meta` is a full box: version and flags come before its children.
  const iprp = child(b, meta.start + 4, meta.end, 'iprp');
  const ipco = iprp && child(b, iprp.start, iprp.end, 'ipco');
  if (!ipco) throw new Unreadable('it has no item properties');
  let width = 0;
  let height = 0;
  let off = ipco.start;
  for (let step = 0; step < MAX_STEPS && off + 8 <= ipco.end; step++) {
    const box = boxAt(b, off, ipco.end);
    if (box.type === 'ispe') {
      width = Math.max(width, b.u32be(box.start + 4));
      height = Math.max(height, b.u32be(box.start + 8));
    }
    off = box.end;
  }
  if (!width && !height) throw new Unreadable('it declares no image size (ispe)');
  return { width, height };
}
