import { ImageInvalidError } from '../errors';
import { readImageSize } from '../processing/imageHeader';
import type { LoadedImage } from '../store/store';

/** Longest side the app works at; larger images are scaled down (and the user is told). */
const MAX_SIDE = 4096;
/** Files above this are refused before decoding: they would exhaust memory. */
const MAX_BYTES = 200 * 1024 * 1024;

export interface ImageLoad {
  image: LoadedImage;
  /** A note for the user, e.g. that the image was scaled down. */
  note: string | null;
}

const fmtSize = (w: number, h: number) => `${w}×${h}`;

/**
 * Decodes a dropped, picked or pasted file into an upright bitmap (EXIF orientation applied by the
 * browser), refusing what is not a readable image with a message that says why.
 */
export async function loadImageFile(file: Blob & { name?: string }): Promise<ImageLoad> {
  const name = file.name || 'pasted image';
  if (file.size === 0) throw new ImageInvalidError(`"${name}" is empty (0 bytes).`);
  if (file.type && !file.type.startsWith('image/'))
    throw new ImageInvalidError(
      `"${name}" is not an image (${file.type}). Drop a PNG, JPEG, WebP, GIF or BMP file.`,
    );
  if (file.size > MAX_BYTES)
    throw new ImageInvalidError(`"${name}" is larger than ${MAX_BYTES / 2 ** 20} MB.`);
  // Huge images are scaled while decoding, so the full-size pixels never sit in memory.
  const header = readImageSize(new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer()));
  const big = header && Math.max(header.width, header.height) > MAX_SIDE;
  const opts: ImageBitmapOptions = { imageOrientation: 'from-image' };
  if (big) {
    opts.resizeWidth = Math.max(
      1,
      Math.round((header.width * MAX_SIDE) / Math.max(header.width, header.height)),
    );
    opts.resizeQuality = 'high';
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, opts);
  } catch {
    throw new ImageInvalidError(
      `"${name}" could not be decoded: the file is damaged or not an image format this browser reads.`,
    );
  }
  let note: string | null = null;
  const width = header && big ? header.width : bitmap.width;
  const height = header && big ? header.height : bitmap.height;
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
  if (bitmap.width !== width || bitmap.height !== height) {
    note = `"${name}" is ${fmtSize(width, height)}; it is processed and exported at ${fmtSize(bitmap.width, bitmap.height)}.`;
  }
  return { image: { bitmap, name, width: bitmap.width, height: bitmap.height }, note };
}

/** The first image among pasted clipboard items, if any. */
export function imageFromClipboard(data: DataTransfer | null): File | null {
  if (!data) return null;
  for (const item of Array.from(data.items)) {
    if (item.kind === 'file' && item.type.startsWith('image/')) return item.getAsFile();
  }
  return null;
}
