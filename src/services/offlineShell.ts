/**
 * Offline use: registers the service worker the build writes (`sw.js`, tools/vite/offlineShell.ts),
 * which keeps the app's files so that after one visit the page opens and segments with the network
 * off. Optional: where it cannot register (no service workers, an insecure origin, `file:`), the app
 * works as before, online, and the console says why.
 */
export function registerOfflineShell(firstLoad: Promise<unknown>): void {
  if (!('serviceWorker' in navigator)) {
    console.info('Offline use is off: this browser offers no service workers here (an insecure origin?)');
    return;
  }
  const base = import.meta.env.BASE_URL;
  // After the page's load and the first model load (failed or not): precaching (about 33 MB, most of
  // it ONNX Runtime's WASM) would otherwise share the network with the downloads that load waits for.
  const pageLoaded = new Promise<void>((resolve) => {
    if (document.readyState === 'complete') resolve();
    else window.addEventListener('load', () => resolve(), { once: true });
  });
  void Promise.all([pageLoaded, firstLoad.catch(() => undefined)])
    .then(() => navigator.serviceWorker.register(`${base}sw.js`, { scope: base }))
    .catch((e: unknown) => console.info(`Offline use is off: ${e instanceof Error ? e.message : String(e)}`));
}
