/** Page object: the webcam panel (toggle, camera, mirror, smoothing, snapshot, live figures). */
import { expect, type Locator, type Page } from '@playwright/test';

export class WebcamPanel {
  readonly toggle: Locator;
  readonly snapshotButton: Locator;
  readonly cameraSelect: Locator;
  readonly mirror: Locator;
  readonly smoothing: Locator;
  readonly stats: Locator;
  readonly video: Locator;

  constructor(readonly page: Page) {
    this.toggle = page.getByTestId('webcam-toggle');
    this.snapshotButton = page.getByTestId('snapshot');
    this.cameraSelect = page.getByTestId('camera-select');
    this.mirror = page.getByLabel('Mirror preview');
    this.smoothing = page.getByTestId('smoothing');
    this.stats = page.getByTestId('live-stats');
    this.video = page.getByTestId('video');
  }

  /** Starts the webcam (its frames' results come later: wait on `stats` or the live frames). */
  async start(): Promise<void> {
    await expect(this.toggle).toHaveAttribute('aria-pressed', 'false');
    await this.toggle.click();
  }

  /** Stops it; returns once the preview is gone. */
  async stop(): Promise<void> {
    await this.toggle.click();
    await expect(this.video).toHaveCount(0);
  }

  async snapshot(): Promise<void> {
    await this.snapshotButton.click();
    await expect(this.video).toHaveCount(0);
  }

  /** Sets the temporal smoothing slider as a user would (the value is a multiple of its 0.1 step). */
  async setSmoothing(value: number): Promise<void> {
    await this.smoothing.fill(String(value));
    await expect(this.smoothing).toHaveValue(String(value));
  }
}
