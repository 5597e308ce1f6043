/** The canvas sized to width x height (resized only when it differs: a resize reallocates), cleared. */
function sizedContext(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D | null {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx?.clearRect(0, 0, width, height);
  return ctx;
}

/** Draws a bitmap into a canvas sized to it (the canvas element scales with CSS). */
export function drawBitmap(
  canvas: HTMLCanvasElement,
  bitmap: ImageBitmap | null,
  width: number,
  height: number,
): void {
  const ctx = sizedContext(canvas, width, height);
  if (!ctx) return;
  if (bitmap) ctx.drawImage(bitmap, 0, 0, width, height);
}

/**
 * Image with the overlay on top at the given opacity, and the region outlines (RGBA at the image's
 * size) at full opacity when given, as a PNG blob (for export).
 */
export async function compositePng(
  image: ImageBitmap,
  overlay: ImageBitmap | null,
  opacity: number,
  outlines?: Uint8ClampedArray,
): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas unavailable');
  ctx.drawImage(image, 0, 0);
  if (overlay) {
    ctx.globalAlpha = opacity;
    ctx.drawImage(overlay, 0, 0, image.width, image.height);
    ctx.globalAlpha = 1;
  }
  if (outlines) {
    const layer = document.createElement('canvas');
    drawRgba(layer, outlines, image.width, image.height);
    ctx.drawImage(layer, 0, 0);
  }
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
  );
}

/** Saves a blob under a file name through a temporary link. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Draws RGBA pixels into a canvas sized to them. */
export function drawRgba(
  canvas: HTMLCanvasElement,
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas
    .getContext('2d')
    ?.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
}

/** Clears a canvas (a layer with nothing to show). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
}

/**
 * The object found at the user's points: its outline (black against white, see outlineLabels) and
 * a light tint, and each point as a dot (green on the object, red off it), at the picture's size.
 */
export function drawPrompt(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  outline: Uint8ClampedArray | null,
  points: readonly { x: number; y: number; positive: boolean }[],
): void {
  const ctx = sizedContext(canvas, width, height);
  if (!ctx) return;
  if (outline)
    ctx.putImageData(new ImageData(outline as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  const r = Math.max(3, Math.round(Math.max(width, height) / 150));
  for (const p of points) {
    ctx.beginPath();
    ctx.arc(p.x + 0.5, p.y + 0.5, r, 0, 2 * Math.PI);
    ctx.fillStyle = p.positive ? '#18a84b' : '#d4301f';
    ctx.fill();
    ctx.lineWidth = Math.max(1, r / 3);
    ctx.strokeStyle = '#fff';
    ctx.stroke();
  }
}
