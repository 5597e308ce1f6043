import { DEFAULT_HUB } from '../config';
import { WorkerClient, type WorkerLike } from '../client/workerClient';
import type { Ep, FileProgress } from '../shared/protocol';
import { workerCopy } from '../client/workerCopy';
import { DownloadCancelledError, RequestSupersededError, WorkerHungError } from '../errors';
import type { Dtype } from '../models/manifest';
import { chooseVariant } from '../models/presets';
import { selectVocab } from '../store/selectors';
import { useApp, type LoadedImage } from '../store/store';
import type { ModelEntry } from './catalogue';
import { VocabularySync } from './vocabularySync';
import { notify } from './notices';
import { keepInAddress } from './address';

const setLoading = (loading: FileProgress | null) => useApp.setState({ loading });

/**
 * Wires the store to the engine worker: loads models, and re-segments whenever the image, the
 * vocabulary or the threshold changes (the client keeps one request in flight, latest wins). With
 * the live controller and the notices, the only writer of the store: components call its actions.
 */
export class Controller {
  readonly client: WorkerClient;
  /** The worker lacks the current image (new image, model reload, failed run): send it a copy. */
  private sendImage = false;
  /** Sends the vocabulary to the worker when it changes. */
  readonly vocabulary: VocabularySync;
  private dtype: Dtype | undefined;
  /** Segmentation requests not yet settled (queued, in flight, or superseded). */
  private outstanding = 0;

  private gpuBufferLimit: number | undefined;
  /** What the status bar's retry does after a failure that left no model (see `fail`). */
  private retryAction: (() => Promise<unknown>) | null = null;
  /** Newest user input (image drop, snapshot) and newest load: older ones never overwrite them. */
  private inputSeq = 0;
  private loadSeq = 0;
  private loadsRunning = 0;
  /** Inputs dropped because a newer one overtook them (diagnostics). */
  droppedInputs = 0;
  /** The request that hung the worker: not re-sent by itself after the restart. */
  private hungKey: string | null = null;

  /** Base URL of the model hub (build setting or ?hub=): fixed for the page's life, so not state. */
  readonly hub: string;

  constructor(
    worker: WorkerLike | (() => WorkerLike),
    opts: { dtype?: Dtype | undefined; gpuBufferLimit?: number | undefined; hub?: string } = {},
  ) {
    this.client = new WorkerClient(worker);
    this.vocabulary = new VocabularySync(this.client);
    this.client.onRestart = (err) => void this.recover(err);
    this.dtype = opts.dtype;
    this.gpuBufferLimit = opts.gpuBufferLimit;
    this.hub = opts.hub ?? DEFAULT_HUB;
  }

  /**
   * Loads a model. On failure the previous model comes back (the worker may have released it
   * before the new one failed; its files are cached or embedded, so this is quick); with none to
   * come back to, or if that fails too, the status says so and offers a retry. Never leaves the
   * status on "loading". Returns whether the model asked for loaded.
   */
  async load(entry: ModelEntry, ep: Ep, o: { quiet?: boolean; restoring?: boolean } = {}): Promise<boolean> {
    const before = useApp.getState();
    const { gpu } = before;
    const hub = this.hub;
    // Newest load wins: stop an older download, and send no segmentation ahead of this load.
    const seq = ++this.loadSeq;
    if (this.loadsRunning > 0 && !o.restoring) this.cancelLoad();
    this.client.dropQueued();
    this.vocabulary.forget();
    this.loadsRunning++;
    const stale = () => seq !== this.loadSeq;
    this.retryAction = null;
    // The reason for starting on WASM holds until another backend is picked.
    useApp.setState({
      engineReady: false,
      ep,
      loadingEntry: entry,
      loadFailure: null,
      backendReason: ep === 'wasm' ? before.backendReason : null,
    });
    let message: string;
    try {
      const choice = chooseVariant(ep, gpu, entry.sizes);
      const dtype = this.dtype ?? choice.prefer[0];
      const reason = this.dtype ? 'chosen in the page address (?dtype=)' : choice.reason;
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
      this.sendImage = true;
      if (stale()) return false; // a newer load follows in the worker's queue
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
      this.vocabulary.sync();
      void this.run();
      return true;
    } catch (e) {
      const err = e as Error;
      // Replaced by a newer load (cancelled, or failed while the newer one waits): nothing to say.
      if (stale() && !(err instanceof WorkerHungError)) return false;
      if (err instanceof WorkerHungError) {
        // A segmentation hung while this load waited behind it: the fresh worker can still load it.
        if (err.kind !== 'load' && !stale()) {
          notify('error', `${err.message}; the worker was restarted.`);
          this.loadsRunning--;
          try {
            return await this.load(entry, ep, { ...o, quiet: false });
          } finally {
            this.loadsRunning++;
          }
        }
        if (!stale() && before.entry && before.model && !o.restoring) {
          if (await this.load(before.entry, before.model.ep, { quiet: true, restoring: true }))
            notify(
              'error',
              `Could not load ${entry.name}: ${err.message}; restarted on ${before.model.name}.`,
            );
          return false;
        }
        if (stale()) {
          notify('error', `Could not load ${entry.name}: ${err.message}.`);
          return false;
        }
      }
      message = `Could not load ${entry.name}: ${err.message}`;
      if (!o.quiet) notify(err instanceof DownloadCancelledError ? 'info' : 'error', message);
    } finally {
      this.loadsRunning--;
      if (!stale()) {
        setLoading(null);
        useApp.setState({ loadingEntry: null });
      }
    }
    if (!o.restoring && before.entry && before.model) {
      // Should going back fail too, that load leaves the failure state (retrying the previous model).
      await this.load(before.entry, before.model.ep, { quiet: true, restoring: true });
      return false;
    }
    this.fail(message, () => this.load(entry, ep, o));
    return false;
  }

  /** No model to run: the status shows `message` and a retry that runs `retry`. */
  fail(message: string, retry: () => Promise<unknown>): void {
    this.retryAction = retry;
    // The worker holds no model now: none is named as loaded, and the next failure has none to restore.
    useApp.setState({ engineReady: false, loadFailure: message, model: null, entry: null });
  }

  /** Retries what failed last (the status bar's button); nothing when nothing failed. */
  async retry(): Promise<void> {
    const action = this.retryAction;
    this.retryAction = null;
    if (action) await action();
  }

  /**
   * The worker hung and was replaced. A load in progress restores the previous model itself; else
   * the last good model is loaded again (downloads come from the cache; dropped files are read
   * again from the File objects the page still holds), and the request that hung is not re-sent.
   */
  private async recover(err: WorkerHungError): Promise<void> {
    const s = useApp.getState();
    const { entry, model, image, threshold, settings } = s;
    if (err.kind === 'segment')
      this.hungKey = this.runKey(image, selectVocab(s).classes, threshold, settings);
    if (err.kind === 'vocabulary') this.vocabulary.hung();
    if (this.loadsRunning > 0) return;
    if (!entry || !model) return notify('error', `${err.message}.`);
    const ok = await this.load(entry, model.ep, { quiet: true, restoring: true });
    notify(
      'error',
      ok
        ? `${err.message}; restarted on ${model.name}.`
        : `${err.message}; restarting on ${model.name} failed too: reload the page.`,
    );
  }

  private runKey(image: LoadedImage | null, classes: unknown, threshold: number, settings: unknown): string {
    return `${this.inputSeq}|${image?.name}|${JSON.stringify(classes)}|${threshold}|${JSON.stringify(settings)}`;
  }

  /** A new user input is starting (e.g. a file is being decoded): older inputs lose. */
  beginInput(): number {
    return ++this.inputSeq;
  }

  /** Stops a download in progress (the load then fails and the previous model stays). */
  cancelLoad(): void {
    void this.client.request('cancel', {});
  }

  /**
   * A new still image; `image.bitmap` stays here for display (the worker gets its own copy). With
   * the `seq` of beginInput(), an image whose input was overtaken by a newer one is dropped (false).
   */
  setImage(image: LoadedImage, seq?: number): boolean {
    if (seq !== undefined && seq !== this.inputSeq) {
      image.bitmap.close();
      this.droppedInputs++;
      return false;
    }
    if (seq === undefined) this.inputSeq++;
    const old = useApp.getState().image;
    if (old && old !== image) old.bitmap.close();
    this.sendImage = true;
    useApp.setState({ image, result: null, resultImage: null });
    void this.run();
    return true;
  }

  setClasses(text: string): void {
    // An isolated class is an index into the old list: the new list shows every class.
    useApp.setState({ classesText: text, highlight: null });
    keepInAddress('classes', text);
    this.vocabulary.sync();
    void this.run();
  }

  setThreshold(threshold: number): void {
    useApp.setState({ threshold });
    void this.run();
  }

  /** Overlay opacity: drawing only, no run. */
  setOpacity(opacity: number): void {
    useApp.setState({ opacity });
  }

  /** A choice among the model family's settings (`names`: the rule for classes with several names); kept in the page address like the classes. */
  setSetting(key: string, value: string): void {
    useApp.setState((s) => ({ settings: { ...s.settings, [key]: value } }));
    keepInAddress(key, value);
    this.vocabulary.sync();
    void this.run();
  }

  /** After live video, the worker holds the last frame: send the still image again. */
  restoreStill(): void {
    this.sendImage = true;
    useApp.setState({ result: null, resultImage: null });
    void this.run();
  }

  /** Segments the current state; stale results never overwrite newer ones. */
  async run(debug = false) {
    const s = useApp.getState();
    // In live mode every frame picks up the current settings by itself.
    if (!s.engineReady || !s.image || s.live) return null;
    const vocab = selectVocab(s);
    if (vocab.classes.length === 0) {
      useApp.setState({ result: null });
      return null;
    }
    const image = s.image;
    if (this.runKey(image, vocab.classes, s.threshold, s.settings) === this.hungKey) return null;
    if (!this.vocabulary.sync()) return null;
    // Busy before the first await: a caller that sees "ready" must never get a stale result.
    this.outstanding++;
    useApp.setState({ busy: true });
    let bitmap: ImageBitmap | undefined;
    try {
      if (this.sendImage) {
        this.sendImage = false;
        bitmap = await workerCopy(image.bitmap);
      }
      const result = await this.client.segment({ bitmap, threshold: s.threshold, debug });
      if (useApp.getState().image === image) useApp.setState({ result, resultImage: image });
      return result;
    } catch (e) {
      if (e instanceof RequestSupersededError) return null;
      if (bitmap && useApp.getState().image === image) this.sendImage = true;
      if (e instanceof WorkerHungError) return null; // recover() says what happened
      notify('error', (e as Error).message);
      return null;
    } finally {
      if (--this.outstanding === 0) useApp.setState({ busy: false });
    }
  }
}
