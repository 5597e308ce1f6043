/**
 * A file's bytes as far as they have been read: windows at offsets into a file of known size.
 * Header parsers read through it; a read outside the windows throws `NeedBytes` (the caller reads
 * that range and runs the parser again), a read past the end of the file throws `EndOfFile`. So a
 * parser can follow offsets anywhere in a big file without the whole file in memory.
 */

/** The parser needs `length` bytes at `offset`, not read yet. */
export class NeedBytes {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {}
}

/** A read past the end of the file: the header is cut short. */
export class EndOfFile {
  constructor(readonly offset: number) {}
}

/** A header that cannot be read as its format says (inconsistent, or too long to walk). */
export class Unreadable {
  constructor(readonly why: string) {}
}

/** Most boxes, blocks or segments a header walk takes before it gives up (the file is hostile). */
export const MAX_STEPS = 10_000;

export class ByteWindows {
  private windows: { offset: number; bytes: Uint8Array }[] = [];

  constructor(readonly size: number) {}

  /** The whole file, already in memory. */
  static of(bytes: Uint8Array): ByteWindows {
    const w = new ByteWindows(bytes.length);
    w.add(0, bytes);
    return w;
  }

  add(offset: number, bytes: Uint8Array): void {
    this.windows.push({ offset, bytes });
  }

  /** Bytes read so far (the caller bounds how much a header may cost). */
  get loaded(): number {
    return this.windows.reduce((n, w) => n + w.bytes.length, 0);
  }

  /** `length` bytes at `offset`, within one window. */
  bytes(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > this.size)
      throw new EndOfFile(offset);
    for (const w of this.windows) {
      const at = offset - w.offset;
      if (at >= 0 && at + length <= w.bytes.length) return w.bytes.subarray(at, at + length);
    }
    throw new NeedBytes(offset, length);
  }

  private view(offset: number, length: number): DataView {
    const b = this.bytes(offset, length);
    return new DataView(b.buffer, b.byteOffset, length);
  }

  u8(o: number): number {
    return this.bytes(o, 1)[0]!;
  }
  u16be(o: number): number {
    return this.view(o, 2).getUint16(0);
  }
  u16le(o: number): number {
    return this.view(o, 2).getUint16(0, true);
  }
  u24le(o: number): number {
    const b = this.bytes(o, 3);
    return b[0]! | (b[1]! << 8) | (b[2]! << 16);
  }
  u32be(o: number): number {
    return this.view(o, 4).getUint32(0);
  }
  u32le(o: number): number {
    return this.view(o, 4).getUint32(0, true);
  }
  i32le(o: number): number {
    return this.view(o, 4).getInt32(0, true);
  }
  /** `n` bytes as Latin-1 text (four-character codes). */
  text(o: number, n: number): string {
    return String.fromCharCode(...this.bytes(o, n));
  }
}
