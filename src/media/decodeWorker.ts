export {}; // a module: its globals are the worker's own

/**
 * Decodes one picture and hands the bitmap back (transferred). Its own worker, so that the page can
 * stop a decode that runs too long by ending it (see boundedDecode.ts).
 */
self.onmessage = async (e: MessageEvent<Blob>) => {
  try {
    const bitmap = await createImageBitmap(e.data, { imageOrientation: 'from-image' });
    self.postMessage({ bitmap }, { transfer: [bitmap] });
  } catch (err) {
    self.postMessage({ error: (err as Error).message });
  }
};
