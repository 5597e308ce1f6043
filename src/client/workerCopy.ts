/**
 * The worker's own copy of an image the page keeps showing: the one place that makes it. The copy
 * is transferred with a request (the worker closes it); the original stays with the page.
 */
export function workerCopy(image: ImageBitmapSource): Promise<ImageBitmap> {
  return createImageBitmap(image);
}
