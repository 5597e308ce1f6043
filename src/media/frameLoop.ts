import { workerCopy } from '../client/workerCopy';

type VideoWithRvfc = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: () => void) => number;
  cancelVideoFrameCallback?: (id: number) => void;
};

/**
 * Feeds video frames to `process` with at most one frame in flight: frames that arrive meanwhile
 * are not queued, the newest one is taken when the engine is free. Idle while the tab is hidden.
 */
export class FrameLoop {
  private running = false;
  private inFlight = false;
  /** A new frame was presented while one was in flight: it is taken as soon as that one is done. */
  private missed = false;
  private handle = 0;
  /** A frame callback is registered (one at a time: a second would report the same frame twice). */
  private scheduled = false;
  private usesRvfc: boolean;

  constructor(
    private video: VideoWithRvfc,
    private process: (frame: ImageBitmap, captureMs: number) => Promise<void>,
  ) {
    this.usesRvfc = typeof video.requestVideoFrameCallback === 'function';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.schedule();
  }

  stop(): void {
    this.running = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.cancel();
  }

  private cancel(): void {
    if (this.usesRvfc) this.video.cancelVideoFrameCallback?.(this.handle);
    else cancelAnimationFrame(this.handle);
    this.scheduled = false;
  }

  private onVisibility = () => {
    if (document.visibilityState !== 'visible') return;
    // A callback registered before the tab was hidden may never come: register afresh.
    this.cancel();
    this.schedule();
  };

  private schedule(): void {
    if (!this.running || document.visibilityState === 'hidden' || this.scheduled) return;
    this.scheduled = true;
    if (this.usesRvfc) this.handle = this.video.requestVideoFrameCallback!(this.tick);
    else this.handle = requestAnimationFrame(this.tick);
  }

  private tick = () => {
    this.scheduled = false;
    if (!this.running) return;
    if (this.inFlight) this.missed = true;
    else if (this.ready()) void this.grab();
    // Keep listening while a frame is in flight: a frame presented meanwhile is taken right after.
    this.schedule();
  };

  private ready(): boolean {
    return this.video.readyState >= 2 && !this.video.paused;
  }

  private async grab(): Promise<void> {
    this.inFlight = true;
    try {
      const t0 = performance.now();
      const frame = await workerCopy(this.video);
      await this.process(frame, performance.now() - t0);
    } catch {
      // A frame that fails is dropped; the next one is tried.
    } finally {
      this.inFlight = false;
      // Waiting for the next frame callback would idle up to a frame interval while the newest frame
      // is already there: take it now (the callback already scheduled then finds us busy).
      const now = this.missed && this.running && document.visibilityState !== 'hidden' && this.ready();
      this.missed = false;
      if (now) void this.grab();
      else this.schedule();
    }
  }
}
