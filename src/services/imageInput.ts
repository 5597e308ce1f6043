import { imagesFromClipboard, loadImageFile } from '../media/loadImage';
import type { Controller } from './controller';
import { notify } from './notices';

/**
 * A picture the user gave (dropped, chosen, pasted or a sample): decoded, then shown and segmented.
 * Decoding a big picture takes long: a later input that finishes first stays on screen (the
 * controller drops the older one). Failures are said, never thrown. `seq`: the input begun by the
 * caller (a sample begins it before setting its classes), else one begun here.
 */
export async function openImageFile(
  controller: Controller,
  file: File,
  seq = controller.beginInput(),
): Promise<boolean> {
  try {
    const { image, note } = await loadImageFile(file);
    const shown = controller.setImage(image, seq);
    if (shown && note) notify('info', note);
    return shown;
  } catch (e) {
    controller.inputFailed(seq);
    notify('error', (e as Error).message);
    return false;
  }
}

/**
 * Several files given at once: one picture is segmented at a time, so the first image among them is
 * opened, and the message says so and how many were left (never a silent choice).
 */
export function openImageFiles(
  controller: Controller,
  files: readonly File[],
  how: 'dropped' | 'pasted',
): Promise<boolean> {
  const file = files.find((f) => f.type.startsWith('image/')) ?? files[0];
  if (!file) return Promise.resolve(false);
  if (files.length > 1) {
    const first = file === files[0] ? 'the first' : 'the first image';
    notify(
      'warning',
      `${files.length} files were ${how}: one picture is segmented at a time, so ${first}, "${file.name}", is used; ` +
        `the other ${files.length - 1} were not opened.`,
    );
  }
  return openImageFile(controller, file);
}

/** The images pasted (a clipboard may hold several). */
export function openPasted(controller: Controller, data: DataTransfer | null): boolean {
  const files = imagesFromClipboard(data);
  if (files.length) void openImageFiles(controller, files, 'pasted');
  return files.length > 0;
}
