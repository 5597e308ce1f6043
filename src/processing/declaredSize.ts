/**
 * Reads an image file's header from wherever it lies (a JPEG's frame header may follow megabytes of
 * metadata, an AVIF's `meta` box may follow its data), a window at a time, within a byte budget:
 * a header further than that is unreadable (the page then decodes the file under a deadline).
 */
import { ByteWindows, NeedBytes } from './byteWindows';
import { readImageHeader, sniffFormat, type ImageHeader } from './imageHeader';

/** Reads `length` bytes of the file at `offset` (fewer at its end). */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

/** The first read, and the least each further read takes (headers are small; files hold many). */
export const WINDOW = 64 * 1024;
/** Most bytes a header may make the page read before it is taken as unreadable. */
const HEADER_BUDGET = 16 * 1024 * 1024;

export async function declaredSize(
  read: ReadRange,
  size: number,
  budget = HEADER_BUDGET,
): Promise<ImageHeader> {
  const b = new ByteWindows(size);
  b.add(0, await read(0, Math.min(size, WINDOW)));
  for (;;) {
    try {
      return readImageHeader(b);
    } catch (e) {
      if (!(e instanceof NeedBytes)) throw e;
      // Later windows grow with what was read, so a far header costs a few reads, not thousands.
      const length = Math.min(size - e.offset, Math.max(e.length, WINDOW, b.loaded));
      if (b.loaded + length > budget)
        return {
          format: sniffFormat(b.bytes(0, Math.min(16, size)))!,
          unreadable: `its header lies beyond the first ${budget} bytes`,
        };
      b.add(e.offset, await read(e.offset, length));
    }
  }
}
