import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerOfflineShell } from './offlineShell';

/** A page still loading: its load event fires on `fireLoad()`; `register` records its calls. */
function fakePage(register: (url: string, o: { scope: string }) => Promise<unknown>) {
  const target = new EventTarget();
  const document = { readyState: 'loading' };
  vi.stubGlobal('document', document);
  vi.stubGlobal('window', target);
  vi.stubGlobal('navigator', { serviceWorker: { register } });
  return () => {
    document.readyState = 'complete';
    target.dispatchEvent(new Event('load'));
  };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((r) => setTimeout(r));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('registerOfflineShell', () => {
  it('registers the build’s service worker only once the page and the first model have loaded', async () => {
    const register = vi.fn(() => Promise.resolve({}));
    const fireLoad = fakePage(register);
    let modelLoaded!: () => void;
    registerOfflineShell(new Promise<void>((r) => (modelLoaded = r)));
    fireLoad();
    await settle();
    expect(register, 'the first model is still loading').not.toHaveBeenCalled();
    modelLoaded();
    await settle();
    expect(register).toHaveBeenCalledExactlyOnceWith('/sw.js', { scope: '/' });
  });

  it('says in the console, and nowhere else, when the browser refuses the worker', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const fireLoad = fakePage(() => Promise.reject(new TypeError('file: URLs are not supported')));
    registerOfflineShell(Promise.resolve());
    fireLoad();
    await settle();
    expect(info).toHaveBeenCalledExactlyOnceWith('Offline use is off: file: URLs are not supported');
  });

  it('does nothing but say so where there are no service workers', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    vi.stubGlobal('navigator', {});
    expect(() => registerOfflineShell(Promise.resolve())).not.toThrow();
    expect(info).toHaveBeenCalledOnce();
    expect(info.mock.calls[0]![0]).toMatch(/^Offline use is off: /);
  });
});
