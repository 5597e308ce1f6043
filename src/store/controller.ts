import { EngineClient, SupersededError, type WorkerLike } from '../engine/engineClient';
import type { Ep } from '../engine/protocol';
import type { Dtype } from '../models/manifest';
import { parseVocabulary } from '../processing/vocabulary';
import { chooseVariant } from '../models/presets';
import { chooseBackend } from './backend';
import { EMBEDDED_KEY, embeddedEntry, presetEntries, urlEntry, type ModelEntry } from './catalogue';
import { notify, setLoading, useApp, type LoadedImage } from './store';

const CLIPSEG_ENTRY = (hub: string) => presetEntries(hub)[0]!;

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

  private gpuBufferLimit: number | undefined;

  constructor(
    worker: WorkerLike,
    opts: { dtype?: Dtype | undefined; gpuBufferLimit?: number | undefined } = {},
  ) {
    this.client = new EngineClient(worker);
    this.dtype = opts.dtype;
    this.gpuBufferLimit = opts.gpuBufferLimit;
  }

  /**
   * Picks the backend and the first model: the one asked for in the URL, else CLIPSeg from the hub
   * (downloaded once, then cached), else the embedded model, with a banner saying why.
   */
  async init(wanted: Ep | null, model: string | null): Promise<void> {
    const { gpu } = await this.client.request('init', {});
    const { ep, reason, warning } = chooseBackend(wanted, gpu);
    useApp.setState({ gpu, backendReason: reason });
    if (warning) notify('warning', warning);
    const { hub, embeddedUrl } = useApp.getState();
    const embedded = embeddedEntry(embeddedUrl);
    if (model === EMBEDDED_KEY) return void (await this.load(embedded, ep));
    const entry = model
      ? (presetEntries(hub).find((e) => e.key === model) ?? urlEntry(model))
      : CLIPSEG_ENTRY(hub);
    if (await this.load(entry, ep, { quiet: !model })) return;
    if (!model) {
      useApp.setState({
        banner: `${entry.name} could not be downloaded (offline, or the model hub is unreachable) and is not cached: using the embedded colours model, which segments colours only.`,
      });
    }
    await this.load(embedded, ep);
  }

  /** Loads a model; on failure the previous model stays. Returns whether it loaded. */
  async load(entry: ModelEntry, ep: Ep, o: { quiet?: boolean; restoring?: boolean } = {}): Promise<boolean> {
    const before = useApp.getState();
    const { gpu, hub } = before;
    const choice = chooseVariant(ep, gpu, entry.sizes);
    const dtype = this.dtype ?? choice.prefer[0];
    const reason = this.dtype ? 'chosen in the page address (?dtype=)' : choice.reason;
    // The reason for starting on WASM holds until another backend is picked.
    useApp.setState({
      engineReady: false,
      ep,
      loadingEntry: entry,
      backendReason: ep === 'wasm' ? before.backendReason : null,
    });
    try {
      const source =
        entry.source.kind === 'url'
          ? { ...entry.source, manifestUrl: new URL(entry.source.manifestUrl, location.href).href }
          : entry.source;
      const model = await this.client.request(
        'load',
        { source, ep, dtype, hub, gpuBufferLimit: this.gpuBufferLimit },
        [],
        setLoading,
      );
      this.resend = true;
      // The bundle may lack the preferred variant: then say so rather than why it was preferred.
      const why = model.imageDtype === dtype ? reason : `the bundle has no ${dtype} variant`;
      useApp.setState({
        model,
        entry,
        variantReason: why,
        threshold: model.threshold,
        engineReady: true,
        banner: entry.embedded ? before.banner : null,
      });
      void this.run();
      return true;
    } catch (e) {
      const err = e as Error;
      if (!o.quiet)
        notify(err.name === 'AbortError' ? 'info' : 'error', `Could not load ${entry.name}: ${err.message}`);
      // The worker may have released the previous model before the new one failed: load it again
      // (its files are cached or embedded, so this is quick).
      useApp.setState({ loadingEntry: null });
      if (before.entry && before.model && !o.restoring)
        await this.load(before.entry, before.model.ep, { quiet: true, restoring: true });
      return false;
    } finally {
      setLoading(null);
      useApp.setState({ loadingEntry: null });
    }
  }

  /** Stops a download in progress (the load then fails and the previous model stays). */
  cancelLoad(): void {
    void this.client.request('cancel', {});
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
    // The vocabulary travels in the page address, so a link shares it.
    const url = new URL(location.href);
    url.searchParams.set('classes', text);
    history.replaceState(null, '', url);
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
