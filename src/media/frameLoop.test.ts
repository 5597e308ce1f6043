import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameLoop } from './frameLoop';

/** A video element that presents frames when told to, calling back like requestVideoFrameCallback. */
class FakeVideo {
  readyState = 4;
  paused = false;
  frame = 0;
  private callbacks = new Map<number, () => void>();
  private next = 1;
  requestVideoFrameCallback(cb: () => void): number {
    this.callbacks.set(this.next, cb);
    return this.next++;
  }
  cancelVideoFrameCallback(id: number): void {
    this.callbacks.delete(id);
  }
  get registered(): number {
    return this.callbacks.size;
  }
  present(): void {
    this.frame++;
    const cbs = [...this.callbacks.values()];
    this.callbacks.clear();
    cbs.forEach((cb) => cb());
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FrameLoop', () => {
  beforeEach(() => {
    Object.assign(globalThis, {
      document: { visibilityState: 'visible', addEventListener() {}, removeEventListener() {} },
      // The "bitmap" is the number of the frame the video shows.
      createImageBitmap: (v: FakeVideo) => Promise.resolve(v.frame),
    });
  });
  afterEach(() => {
    delete (globalThis as Record<string, unknown>).document;
    delete (globalThis as Record<string, unknown>).createImageBitmap;
  });

  it('takes a frame presented during processing as soon as the engine is free, each frame once', async () => {
    const video = new FakeVideo();
    const seen: number[] = [];
    let finish: (() => void) | null = null;
    const loop = new FrameLoop(video as unknown as HTMLVideoElement, (frame) => {
      seen.push(frame as unknown as number);
      return new Promise<void>((r) => (finish = r));
    });
    loop.start();
    video.present(); // frame 1: taken
    await tick();
    expect(seen).toEqual([1]);
    video.present(); // frames 2 and 3 arrive while 1 is in flight: only the newest is taken
    video.present();
    await tick();
    expect(seen).toEqual([1]);
    finish!();
    await tick();
    expect(seen).toEqual([1, 3]); // without waiting for another frame callback
    finish!();
    await tick();
    expect(seen).toEqual([1, 3]); // nothing new was presented: idle until the next frame
    expect(video.registered).toBe(1); // one callback registered, never two
    video.present();
    await tick();
    expect(seen).toEqual([1, 3, 4]);
    loop.stop();
    expect(video.registered).toBe(0);
  });
});
