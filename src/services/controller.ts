import { DEFAULT_HUB } from '../config';
import { WorkerClient, type WorkerLike } from '../client/workerClient';
import type { Ep, FileProgress } from '../shared/protocol';
import { workerCopy } from '../client/workerCopy';
import { RequestSupersededError, WorkerHungError } from '../errors';
import type { Dtype } from '../models/manifest';
import { selectVocab } from '../store/selectors';
import { useApp, type LoadedImage } from '../store/store';
import type { ModelEntry } from './catalogue';
import { afterError, afterHang, type Loaded, type LoadOptions, type LoadState } from './loadMachine';
import { VocabularySync } from './vocabularySync';
import { notify } from './notices';
import { keepClassesInAddress, keepInAddress } from './address';
import { reportLoadCache } from './modelStorage';
import { loadRequest } from './loadRequest';

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
  /** Where loading stands (loadMachine.ts); `seq` numbers loads, the newest wins. */
  private state: LoadState = { name: 'empty' };
  private seq = 0;
  /** Newest user input (image drop, snapshot): older ones never overwrite it. */
  private inputSeq = 0;
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
    this.client.onSteps = (work) => useApp.setState({ work });
    this.dtype = opts.dtype;
    this.gpuBufferLimit = opts.gpuBufferLimit;
    this.hub = opts.hub ?? DEFAULT_HUB;
  }

  /**
   * Loads a model (see loadMachine.ts for what every outcome does). On failure the previous model
   * comes back (its files are cached or embedded, so this is quick); with none to come back to, or
   * if that fails too, the status says so and offers a retry. Never leaves the status on
   * "loading". Returns whether the model asked for loaded.
   */
  async load(entry: ModelEntry, ep: Ep, o: LoadOptions = {}): Promise<boolean> {
    const before = useApp.getState();
    const previous =
      !o.restoring && before.entry && before.model ? { entry: before.entry, model: before.model } : null;
    const seq = this.beginLoad(entry, ep, o);
    try {
      const { request, reason } = loadRequest(entry, ep, before.gpu, {
        dtype: this.dtype,
        hub: this.hub,
        gpuBufferLimit: this.gpuBufferLimit,
        responseMs: this.client.overrides.responseMs,
      });
      await this.client.renewIfGrown();
      const model = await this.client.request('load', request, [], setLoading);
      this.sendImage = true;
      if (seq !== this.seq) return false; // a newer load follows in the worker's queue
      // The bundle may lack the preferred variant: then say so rather than why it was preferred.
      const why = model.imageDtype === request.dtype ? reason : `the bundle has no ${request.dtype} variant`;
      this.state = { name: 'ready', loaded: { entry, model } };
      useApp.setState({
        model,
        entry,
        variantReason: why,
        threshold: model.threshold,
        engineReady: true,
        banner: entry.embedded ? before.banner : null,
      });
      reportLoadCache(entry, model);
      this.vocabulary.sync();
      void this.run();
      return true;
    } catch (e) {
      return await this.loadFailed(e as Error, { seq, entry, ep, o, previous });
    } finally {
      if (seq === this.seq) {
        setLoading(null);
        useApp.setState({ loadingEntry: null });
      }
    }
  }

  /** A load starts: the newest wins (an older download stops, nothing queued runs ahead of it). */
  private beginLoad(entry: ModelEntry, ep: Ep, o: LoadOptions): number {
    if (this.state.name === 'loading' && !o.restoring) this.cancelLoad();
    this.client.dropQueued();
    this.vocabulary.forget();
    const seq = ++this.seq;
    this.state = { name: 'loading', seq, entry };
    // The reason for starting on WASM holds until another backend is picked.
    const s = useApp.getState();
    useApp.setState({
      engineReady: false,
      ep,
      loadingEntry: entry,
      loadFailure: null,
      prompt: null,
      backendReason: ep === 'wasm' ? s.backendReason : null,
    });
    return seq;
  }

  /** Carries out what the load machine decides after a failed load (afterError). */
  private async loadFailed(
    err: Error,
    l: { seq: number; entry: ModelEntry; ep: Ep; o: LoadOptions; previous: Loaded | null },
  ): Promise<boolean> {
    const next = afterError(err, l.entry.name, {
      newest: l.seq === this.seq,
      previous: l.previous,
      quiet: !!l.o.quiet,
    });
    if (next.notice) notify(next.notice.level, next.notice.text);
    if (next.do === 'again') return this.load(l.entry, l.ep, { ...l.o, quiet: false });
    if (next.do === 'restore') {
      const back = l.previous!;
      const ok = await this.load(back.entry, back.model.ep, { quiet: true, restoring: true });
      if (ok && next.ifRestored) notify(next.ifRestored.level, next.ifRestored.text);
    } else if (next.do === 'fail') this.fail(next.message, () => this.load(l.entry, l.ep, l.o));
    return false;
  }

  /** No model to run: the status shows `message` and a retry that runs `retry`. */
  fail(message: string, retry: () => Promise<unknown>): void {
    this.state = { name: 'failed', message, retry };
    // The worker holds no model now: none is named as loaded, and the next failure has none to restore.
    useApp.setState({ engineReady: false, loadFailure: message, model: null, entry: null });
  }

  /** Retries what failed last (the status bar's button); nothing when nothing failed. */
  async retry(): Promise<void> {
    if (this.state.name !== 'failed') return;
    const { retry } = this.state;
    this.state = { name: 'empty' };
    await retry();
  }

  /**
   * The worker hung and was replaced. A load in progress ends with the hang and decides itself;
   * else the last good model is loaded again (downloads come from the cache; dropped files are read
   * again from the File objects the page still holds), and the request that hung is not re-sent.
   */
  private async recover(err: WorkerHungError): Promise<void> {
    const s = useApp.getState();
    const { entry, model, image, threshold, settings } = s;
    if (err.kind === 'segment')
      this.hungKey = this.runKey(image, selectVocab(s).classes, threshold, settings);
    if (err.kind === 'vocabulary') this.vocabulary.hung();
    if (this.state.name === 'loading') return;
    const { reload, notice } = afterHang(err, entry && model ? { entry, model } : null);
    if (notice) return notify(notice.level, notice.text);
    const ok = await this.load(reload!.entry, reload!.model.ep, { quiet: true, restoring: true });
    notify(
      'error',
      ok
        ? `${err.message}; restarted on ${reload!.model.name}.`
        : `${err.message}; restarting on ${reload!.model.name} failed too: reload the page.`,
    );
  }

  private runKey(image: LoadedImage | null, classes: unknown, threshold: number, settings: unknown): string {
    return `${this.inputSeq}|${image?.name}|${JSON.stringify(classes)}|${threshold}|${JSON.stringify(settings)}`;
  }

  /**
   * A new user input is starting (e.g. a file is being decoded): older inputs lose, and until it is
   * shown (or `inputFailed`) no segmentation of the picture it replaces is sent (client.holdForPicture).
   */
  beginInput(): number {
    this.client.holdForPicture();
    return ++this.inputSeq;
  }

  /** Input `seq` shows nothing: the current picture is segmented after all (this run replaces what waited). */
  inputFailed(seq: number): void {
    if (seq !== this.inputSeq) return;
    void this.run();
    this.client.releasePicture();
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
    useApp.setState({ image, result: null, resultImage: null, prompt: null });
    void this.run();
    return true;
  }

  setClasses(text: string): void {
    // An isolated class is an index into the old list: the new list shows every class. An object
    // found at a click was named with the old list: it goes too.
    useApp.setState({ classesText: text, highlight: null, prompt: null });
    keepClassesInAddress(text);
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
