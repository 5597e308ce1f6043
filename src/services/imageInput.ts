import { loadImageFile } from '../media/loadImage';
import type { Controller } from './controller';
import { notify } from './notices';

/**
 * A picture the user gave (dropped, chosen, pasted or a sample): decoded, then shown and segmented.
 * Decoding a big picture takes long: a later input that finishes first stays on screen (the
 * controller drops the older one). Failures are said, never thrown.
 */
export async function openImageFile(controller: Controller, file: File): Promise<boolean> {
  const seq = controller.beginInput();
  try {
    const { image, note } = await loadImageFile(file);
    const shown = controller.setImage(image, seq);
    if (shown && note) notify('info', note);
    return shown;
  } catch (e) {
    notify('error', (e as Error).message);
    return false;
  }
}
