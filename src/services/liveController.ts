import { CameraUnavailableError, RequestSupersededError, WorkerHungError } from '../errors';
import { closeCamera, listCameras, openCamera } from '../media/webcam';
import { FrameLoop } from '../media/frameLoop';
import type { SegmentResult } from '../shared/protocol';
import { useApp, type LiveStats, type LoadedImage } from '../store/store';
import type { Controller } from './controller';
import { notify } from './notices';

const now = () => performance.now();

/**
 * Webcam mode: opens the camera, segments its frames (one in flight, newest wins) with whatever
 * model, backend, vocabulary and threshold are current, and releases the camera on stop.
 */
export class LiveController {
  private loop: FrameLoop | null = null;
  private video: HTMLVideoElement | null = null;
  private frameTimes: number[] = [];
  private pending: { result: SegmentResult; liveStats: LiveStats } | null = null;

  constructor(private controller: Controller) {}

  async refreshCameras(): Promise<void> {
    try {
      useApp.setState({ cameras: await listCameras() });
    } catch {
      useApp.setState({ cameras: [] });
    }
  }

  /** Picks a camera; a running stream switches to it. */
  selectCamera(deviceId: string): void {
    useApp.setState({ cameraId: deviceId });
    if (useApp.getState().live) void this.start(deviceId);
  }

  setMirrored(mirrored: boolean): void {
    useApp.setState({ mirrored });
  }

  /** Weight of past frames in the moving average; the next frame uses it. */
  setSmoothing(smoothing: number): void {
    useApp.setState({ smoothing });
  }

  /** The <video> element the stream plays in (mounted by the UI). */
  attach(video: HTMLVideoElement | null): void {
    this.video = video;
    const { stream, live } = useApp.getState();
    if (video && stream && live) void this.play(video, stream);
  }

  async start(deviceId: string | null = useApp.getState().cameraId): Promise<void> {
    this.stop(false);
    let stream: MediaStream;
    try {
      stream = await openCamera(deviceId);
    } catch (e) {
      notify(
        'error',
        e instanceof CameraUnavailableError ? e.message : `Camera error: ${(e as Error).message}`,
      );
      return;
    }
    const track = stream.getVideoTracks()[0];
    track?.addEventListener('ended', () => {
      if (useApp.getState().stream === stream) {
        notify(
          'error',
          'The camera stopped (unplugged or taken by another program). Still images still work.',
        );
        this.stop();
      }
    });
    useApp.setState({
      stream,
      live: true,
      cameraId: track?.getSettings().deviceId ?? deviceId,
      liveStats: null,
    });
    void this.refreshCameras(); // labels become readable once permission is granted
    if (this.video) await this.play(this.video, stream);
  }

  private async play(video: HTMLVideoElement, stream: MediaStream): Promise<void> {
    if (video.srcObject !== stream) video.srcObject = stream;
    try {
      await video.play();
    } catch {
      // Autoplay of a muted camera stream is allowed; a failure here shows as no frames.
    }
    this.loop?.stop();
    this.loop = new FrameLoop(video, (frame, captureMs) => this.process(frame, captureMs));
    this.loop.start();
  }

  private async process(frame: ImageBitmap, captureMs: number): Promise<void> {
    const s = useApp.getState();
    // The worker must hold the current vocabulary (sent when it changes; an identity check here).
    if (!s.live || !s.engineReady || !this.controller.vocabulary.sync()) {
      frame.close();
      return;
    }
    const t0 = now();
    const shape = `${frame.width} × ${frame.height}`; // read before the frame is transferred
    try {
      // The vocabulary travels on its own, when it changes (the controller sends it).
      const result = await this.controller.client.segment({
        bitmap: frame,
        threshold: s.threshold,
        live: { smoothing: s.smoothing },
      });
      if (!useApp.getState().live) return;
      const t = now();
      // Rate over the last few results (slow backends give one every few seconds).
      this.frameTimes = [...this.frameTimes.filter((x) => t - x < 10_000).slice(-7), t];
      const span = (t - this.frameTimes[0]!) / 1000;
      const fps = this.frameTimes.length > 1 ? (this.frameTimes.length - 1) / span : 1000 / (t - t0);
      this.show({
        result,
        liveStats: { fps, latencyMs: t - t0, captureMs, flicker: result.flicker ?? null },
      });
    } catch (e) {
      if (e instanceof WorkerHungError) this.hung(shape);
      // A hung worker is also reported by the controller that restarts it.
      else if (!(e instanceof RequestSupersededError)) notify('error', (e as Error).message);
    }
  }

  /**
   * A frame hung the worker: the restarted worker runs the same model, which would hang again on
   * the next frame of the same shape, forever. The loop stops (once, whichever frame hears of it
   * first) and says why; starting the camera again is the user asking to retry.
   */
  private hung(shape: string): void {
    if (!useApp.getState().live) return;
    this.stop();
    notify(
      'error',
      `The webcam stopped: the model hung on a ${shape} camera frame, so frames of that size are not sent again. Start the camera to retry.`,
    );
  }

  /**
   * Shows a result at the next animation frame, not now: the frame loop sends the next frame to the
   * worker first, so the page draws this result while the worker computes the next one (drawing
   * first would add its time to every frame). A newer result replaces one not drawn yet.
   */
  private show(update: { result: SegmentResult; liveStats: LiveStats }): void {
    const first = this.pending === null;
    this.pending = update;
    if (!first) return;
    requestAnimationFrame(() => {
      const u = this.pending;
      this.pending = null;
      if (u && useApp.getState().live) useApp.setState({ ...u, resultImage: null });
    });
  }

  /** Stops the stream and releases the camera; the still image (if any) comes back. */
  stop(restoreStill = true): void {
    this.loop?.stop();
    this.loop = null;
    const { stream } = useApp.getState();
    closeCamera(stream);
    if (this.video) this.video.srcObject = null;
    this.frameTimes = [];
    this.pending = null;
    useApp.setState({ stream: null, live: false, liveStats: null });
    if (restoreStill && stream) this.controller.restoreStill();
  }

  /** Freezes the current frame: it becomes the still image, with export and hover. */
  async snapshot(): Promise<void> {
    const video = this.video;
    if (!video || !useApp.getState().live) return;
    const bitmap = await createImageBitmap(video);
    this.stop(false);
    const image: LoadedImage = { bitmap, name: 'snapshot.png', width: bitmap.width, height: bitmap.height };
    this.controller.setImage(image);
  }
}
