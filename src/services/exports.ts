import { outlineLabels, outlineThickness } from '../processing/outlines';
import { compositePng, download } from '../render/overlay';
import { useApp } from '../store/store';
import type { Controller } from './controller';
import { notify } from './notices';

const stem = (name: string) => name.replace(/\.[^.]+$/, '') || 'image';

/** The label map as PNG (made by the worker, which holds the labels) and its JSON legend. */
export async function exportLabelMap(controller: Controller): Promise<void> {
  try {
    const { png, json } = await controller.client.request('export', {});
    const name = stem(useApp.getState().image?.name ?? 'image');
    download(new Blob([png], { type: 'image/png' }), `${name}-labels.png`);
    download(new Blob([json], { type: 'application/json' }), `${name}-labels.json`);
  } catch (e) {
    notify('error', `Export failed: ${(e as Error).message}`);
  }
}

/** The current picture's objects as COCO results JSON (families that propose objects). */
export async function exportInstances(controller: Controller): Promise<void> {
  try {
    const { json } = await controller.client.request('instances', {});
    const name = stem(useApp.getState().image?.name ?? 'image');
    download(new Blob([json], { type: 'application/json' }), `${name}-instances.json`);
  } catch (e) {
    notify('error', `Export failed: ${(e as Error).message}`);
  }
}

/** The overlay composited on the image, at the opacity on screen, with the outlines when shown. */
export async function exportOverlay(): Promise<void> {
  const s = useApp.getState();
  if (!s.image || !s.result) return;
  const r = s.result;
  // About one pixel of a 1024-pixel picture, wider on larger ones (as the outline looks on screen).
  const outlines = s.outlines
    ? outlineLabels(r.labels, r.width, r.height, outlineThickness(Math.max(r.width, r.height) / 1024))
    : undefined;
  try {
    download(
      await compositePng(s.image.bitmap, r.overlay, s.opacity, outlines),
      `${stem(s.image.name)}-overlay.png`,
    );
  } catch (e) {
    notify('error', `Export failed: ${(e as Error).message}`);
  }
}
