import { ImageInvalidError } from '../errors';
import { declaredSize } from '../processing/declaredSize';
import { formatBytes } from '../shared/format';
import type { LoadedImage } from '../store/store';
import { boundedDecode } from './boundedDecode';

/** Longest side the app works at; larger images are scaled down (and the user is told). */
const MAX_SIDE = 4096;
/** Files above this are refused before decoding: they would exhaust memory. */
const MAX_BYTES = 200 * 1024 * 1024;
/**
 * Most pixels a picture may have: 2^27 (134 megapixels, a 512 MiB decode), above the largest
 * camera sensors (about 100 megapixels). A browser decodes a file at its full size before any
 * scaling, and a file declares its size in a few bytes: a bigger one is refused before decoding.
 */
const MAX_PIXELS = 2 ** 27;

export interface ImageLoad {
  image: LoadedImage;
  /** A note for the user, e.g. that the image was scaled down. */
  note: string | null;
}

const fmtSize = (w: number, h: number) => `${w}×${h}`;
const megapixels = (n: number) => `${Math.round(n / 1e6)} megapixels`;

/** Refuses a size over MAX_PIXELS, saying what decoding it would cost. */
function checkPixels(name: string, width: number, height: number, verb: string): void {
  const pixels = width * height;
  if (pixels <= MAX_PIXELS) return;
  throw new ImageInvalidError(
    `"${name}" ${verb} ${fmtSize(width, height)} pixels (${megapixels(pixels)}, ${formatBytes(4 * pixels, 'decimal')} ` +
      `once decoded): a picture may have at most ${megapixels(MAX_PIXELS)} here. Scale it down and drop it again.`,
  );
}

const undecodable = (name: string) =>
  new ImageInvalidError(
    `"${name}" could not be decoded: the file is damaged or not an image format this browser reads.`,
  );

/**
 * Decodes a file whose size is known and allowed: huge ones scaled while decoding (the page never
 * holds the full-size pixels).
 */
async function decodeSized(file: Blob, name: string, width: number, height: number): Promise<ImageBitmap> {
  const opts: ImageBitmapOptions = { imageOrientation: 'from-image' };
  if (Math.max(width, height) > MAX_SIDE) {
    opts.resizeWidth = Math.max(1, Math.round((width * MAX_SIDE) / Math.max(width, height)));
    opts.resizeQuality = 'high';
  }
  try {
    return await createImageBitmap(file, opts);
  } catch {
    throw undecodable(name);
  }
}

/**
 * Decodes a dropped, picked or pasted file into an upright bitmap (EXIF orientation applied by the
 * browser), refusing what is not a readable image with a message that says why. The size the file
 * declares is read first, in every format a browser decodes, and an oversized one is refused before
 * any decoding; a file whose size cannot be read is decoded in a worker of its own, under a deadline.
 */
export async function loadImageFile(file: Blob & { name?: string }): Promise<ImageLoad> {
  const name = file.name || 'pasted image';
  if (file.size === 0) throw new ImageInvalidError(`"${name}" is empty (0 bytes).`);
  if (file.type && !file.type.startsWith('image/'))
    throw new ImageInvalidError(
      `"${name}" is not an image (${file.type}). Drop a PNG, JPEG, WebP, GIF, AVIF or BMP file.`,
    );
  if (file.size > MAX_BYTES)
    throw new ImageInvalidError(`"${name}" is larger than ${MAX_BYTES / 2 ** 20} MB.`);
  const read = async (offset: number, length: number) =>
    new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
  const header = await declaredSize(read, file.size);
  let bitmap: ImageBitmap;
  let declared: { width: number; height: number } | null = null;
  if (header && 'width' in header) {
    checkPixels(name, header.width, header.height, 'declares');
    declared = header;
    bitmap = await decodeSized(file, name, header.width, header.height);
  } else {
    bitmap = await boundedDecode(file, name).catch((e: Error) => {
      throw e instanceof ImageInvalidError ? e : undecodable(name);
    });
    try {
      checkPixels(name, bitmap.width, bitmap.height, 'has');
    } catch (e) {
      bitmap.close();
      throw e;
    }
  }
  return finish(bitmap, name, declared);
}

/** Scales a bitmap over MAX_SIDE down, and notes a picture processed at another size than its own. */
async function finish(
  decoded: ImageBitmap,
  name: string,
  declared: { width: number; height: number } | null,
): Promise<ImageLoad> {
  let bitmap = decoded;
  const big = declared && Math.max(declared.width, declared.height) > MAX_SIDE;
  const width = big ? declared.width : bitmap.width;
  const height = big ? declared.height : bitmap.height;
  if (width === 0 || height === 0) {
    bitmap.close();
    throw new ImageInvalidError(`"${name}" has no pixels.`);
  }
  if (Math.max(bitmap.width, bitmap.height) > MAX_SIDE) {
    const s = MAX_SIDE / Math.max(bitmap.width, bitmap.height);
    const w = Math.max(1, Math.round(bitmap.width * s));
    const h = Math.max(1, Math.round(bitmap.height * s));
    const small = await createImageBitmap(bitmap, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
    bitmap.close();
    bitmap = small;
  }
  const note =
    bitmap.width !== width || bitmap.height !== height
      ? `"${name}" is ${fmtSize(width, height)}; it is processed and exported at ${fmtSize(bitmap.width, bitmap.height)}.`
      : null;
  return { image: { bitmap, name, width: bitmap.width, height: bitmap.height }, note };
}

/** The image files among pasted clipboard items. */
export function imagesFromClipboard(data: DataTransfer | null): File[] {
  if (!data) return [];
  return Array.from(data.items)
    .filter((item) => item.kind === 'file' && item.type.startsWith('image/'))
    .map((item) => item.getAsFile())
    .filter((f): f is File => f !== null);
}
