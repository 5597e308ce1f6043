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
  private handle = 0;
  private usesRvfc: boolean;

  constructor(
    private video: VideoWithRvfc,
    private process: (frame: ImageBitmap) => Promise<void>,
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
    if (this.usesRvfc) this.video.cancelVideoFrameCallback?.(this.handle);
    else cancelAnimationFrame(this.handle);
  }

  private onVisibility = () => {
    if (document.visibilityState === 'visible') this.schedule();
  };

  private schedule(): void {
    if (!this.running || document.visibilityState === 'hidden') return;
    if (this.usesRvfc) this.handle = this.video.requestVideoFrameCallback!(this.tick);
    else this.handle = requestAnimationFrame(this.tick);
  }

  private tick = () => {
    if (!this.running) return;
    if (!this.inFlight && this.video.readyState >= 2 && !this.video.paused) void this.grab();
    else this.schedule();
  };

  private async grab(): Promise<void> {
    this.inFlight = true;
    try {
      const frame = await createImageBitmap(this.video);
      await this.process(frame);
    } catch {
      // A frame that fails is dropped; the next one is tried.
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}
