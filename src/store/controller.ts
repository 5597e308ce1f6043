import { EngineClient, SupersededError, type WorkerLike } from '../engine/engineClient';
import type { Ep } from '../engine/protocol';
import type { Dtype } from '../models/manifest';
import { parseVocabulary } from '../processing/vocabulary';
import { notify, setLoading, useApp, type LoadedImage } from './store';

/**
 * Wires the store to the engine worker: loads models, and re-segments whenever the image, the
 * vocabulary or the threshold changes (the client keeps one request in flight, latest wins).
 */
export class Controller {
  readonly client: EngineClient;
  /** A copy of the current image that the worker has not received yet (sent with the next request). */
  private pendingBitmap: ImageBitmap | null = null;
  /** The worker lost its image (model reload, failed run): send a copy again. */
  private resend = false;
  private dtype: Dtype | undefined;
  /** Segmentation requests not yet settled (queued, in flight, or superseded). */
  private outstanding = 0;

  constructor(worker: WorkerLike, opts: { dtype?: Dtype } = {}) {
    this.client = new EngineClient(worker);
    this.dtype = opts.dtype;
  }

  async init(manifestUrl: string, wanted: Ep | null): Promise<void> {
    const { gpu } = await this.client.request('init', {});
    const ep: Ep = wanted ?? (gpu.available ? 'webgpu' : 'wasm');
    useApp.setState({ gpu });
    if (ep === 'webgpu' && !gpu.available)
      notify('warning', `WebGPU is not available (${gpu.description}); using WASM.`);
    await this.load(manifestUrl, ep === 'webgpu' && !gpu.available ? 'wasm' : ep);
  }

  async load(manifestUrl: string, ep: Ep): Promise<void> {
    const url = new URL(manifestUrl, location.href).href;
    useApp.setState({ engineReady: false, manifestUrl: url, ep });
    try {
      const model = await this.client.request(
        'load',
        { manifestUrl: url, ep, dtype: this.dtype },
        [],
        setLoading,
      );
      this.resend = true;
      useApp.setState({ model, threshold: model.threshold, engineReady: true });
      void this.run();
    } catch (e) {
      notify('error', `Could not load the model: ${(e as Error).message}`);
    } finally {
      setLoading(null);
    }
  }

  /** `workerCopy` is transferred to the worker; `image.bitmap` stays here for display. */
  setImage(image: LoadedImage, workerCopy: ImageBitmap): void {
    const old = useApp.getState().image;
    if (old && old !== image) old.bitmap.close();
    this.pendingBitmap?.close();
    this.pendingBitmap = workerCopy;
    this.resend = false;
    useApp.setState({ image, result: null, resultImage: null });
    void this.run();
  }

  setClasses(text: string): void {
    const vocab = parseVocabulary(text);
    useApp.setState({ classesText: text, vocab });
    void this.run();
  }

  setThreshold(threshold: number): void {
    useApp.setState({ threshold });
    void this.run();
  }

  /** After live video, the worker holds the last frame: send the still image again. */
  restoreStill(): void {
    this.resend = true;
    useApp.setState({ result: null, resultImage: null });
    void this.run();
  }

  /** Segments the current state; stale results never overwrite newer ones. */
  async run(debug = false) {
    const s = useApp.getState();
    // In live mode every frame picks up the current settings by itself.
    if (!s.engineReady || !s.image || s.live) return null;
    if (s.vocab.classes.length === 0) {
      useApp.setState({ result: null });
      return null;
    }
    const image = s.image;
    // Busy before the first await: a caller that sees "ready" must never get a stale result.
    this.outstanding++;
    useApp.setState({ busy: true });
    let bitmap: ImageBitmap | undefined;
    try {
      if (this.resend && !this.pendingBitmap) {
        this.resend = false;
        this.pendingBitmap = await createImageBitmap(image.bitmap);
      }
      bitmap = this.pendingBitmap ?? undefined;
      this.pendingBitmap = null;
      const result = await this.client.segment({
        bitmap,
        classes: s.vocab.classes,
        threshold: s.threshold,
        debug,
      });
      if (useApp.getState().image === image) useApp.setState({ result, resultImage: image });
      return result;
    } catch (e) {
      if (e instanceof SupersededError) return null;
      if (bitmap && useApp.getState().image === image) this.resend = true;
      notify('error', (e as Error).message);
      return null;
    } finally {
      if (--this.outstanding === 0) useApp.setState({ busy: false });
    }
  }

  async exportLabels(): Promise<{ png: Blob; json: Blob }> {
    const { png, json } = await this.client.request('export', {});
    return {
      png: new Blob([png], { type: 'image/png' }),
      json: new Blob([json], { type: 'application/json' }),
    };
  }
}
