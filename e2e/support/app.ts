/**
 * Page object for the app as a whole: opening it, dropping an image, the viewer and legend, and the
 * waits that make them deterministic. Each panel has its own page object (./pages/), reachable
 * from here and given to specs as fixtures; the methods kept here delegate to them.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { DebugHook } from './debug';
import { ClassesPanel } from './pages/classes';
import { ExportPanel, type LabelExport } from './pages/exportPanel';
import { ModelManagerPanel } from './pages/modelManager';
import { StatusBar, type Runs } from './pages/statusBar';
import { WebcamPanel } from './pages/webcam';

export type { LabelExport, Runs };
import type { Ep } from '../../src/shared/protocol';

export type { Ep };

export interface OpenOptions {
  /** "embedded" (the default), a preset id, a manifest URL, or null for the app's own default. */
  model?: string | null;
  /** Model hub base URL (?hub=). */
  hub?: string;
  classes?: string;
  dtype?: string;
  debug?: boolean;
}

export class AppPage {
  readonly statusBar: StatusBar;
  readonly classes: ClassesPanel;
  readonly exportPanel: ExportPanel;
  readonly modelManager: ModelManagerPanel;
  readonly webcam: WebcamPanel;
  /** The typed debug API of this page (pages opened with `debug: true`). */
  readonly debug: DebugHook;
  /** The app's own load + warm-up time of the model it loaded last (ms; 0 before the first). */
  private measuredMs = 0;
  readonly status: Locator;
  readonly legend: Locator;
  readonly legendItems: Locator;
  readonly overlay: Locator;
  readonly notices: Locator;
  readonly classesInput: Locator;
  readonly backend: Locator;

  constructor(
    readonly page: Page,
    readonly ep: Ep,
    /**
     * Wait for one model load or segmentation on a quiet machine (SwiftShader WebGPU is slow),
     * already scaled by the measured contention (`load`).
     */
    private readonly budget: number,
    /** How much slower than CPU time the machine runs now (1 = idle; see support/load.ts). */
    readonly load = 1,
  ) {
    this.statusBar = new StatusBar(page);
    this.classes = new ClassesPanel(page, () => this.slow);
    this.exportPanel = new ExportPanel(page, () => this.slow);
    this.modelManager = new ModelManagerPanel(page);
    this.webcam = new WebcamPanel(page);
    this.debug = new DebugHook(page);
    this.status = page.getByTestId('status');
    this.legend = page.getByTestId('legend');
    this.legendItems = this.legend.locator('li');
    this.overlay = page.getByTestId('overlay');
    this.notices = page.getByTestId('notice');
    this.classesInput = page.getByTestId('classes-input');
    this.backend = page.getByTestId('backend');
  }

  /**
   * Longest wait for one model load or segmentation: the budget scaled to the measured load, or,
   * once a model has loaded, a few times the app's own load + warm-up time if that is longer (a
   * warm-up runs the model once at the real input size, so a segmentation takes about as long).
   */
  get slow(): number {
    return Math.max(this.budget, 3 * this.measuredMs);
  }

  /** The same app object for another page (another browser's), its budget times `factor`. */
  onPage(page: Page, factor = 1): AppPage {
    return new AppPage(page, this.ep, Math.round(this.budget * factor), this.load);
  }

  url(opts: OpenOptions = {}): string {
    // Without ?model= the app tries a hub model first: tests name theirs (the embedded one by default).
    const q = new URLSearchParams({ ep: this.ep });
    if (opts.model !== null) q.set('model', opts.model ?? 'embedded');
    if (opts.hub) q.set('hub', opts.hub);
    if (opts.dtype) q.set('dtype', opts.dtype);
    if (opts.classes !== undefined) q.set('classes', opts.classes);
    if (opts.debug) q.set('debug', '1');
    return `/?${q}`;
  }

  /** Opens the app on this project's backend and waits until the model is loaded. */
  async open(opts: OpenOptions = {}): Promise<void> {
    await this.page.goto(this.url(opts));
    await this.waitReady();
  }

  /** Waits for the app's "ready" (failing at once on its "error"), then notes its load time. */
  async waitReady(timeout = this.slow): Promise<void> {
    await this.statusBar.waitSettled(timeout);
    const t = await this.statusBar.loadTimes();
    if (t) this.measuredMs = t.loadMs + t.warmupMs;
    // The app falls back to WASM (with a notice) when WebGPU is missing: that must fail a WebGPU run.
    await expect(this.status).toHaveAttribute('data-backend', this.ep);
  }

  /** Picks a file as the user would; waits until the app shows it (not for its result). */
  async dropImage(buffer: Buffer, name: string, mimeType: string): Promise<void> {
    await this.page.getByTestId('image-input').setInputFiles({ name, mimeType, buffer });
  }

  /** Drops an image and waits for its segmentation; names must differ between drops of one test. */
  async segmentImage(buffer: Buffer, name: string, mimeType = 'image/png'): Promise<void> {
    await this.dropImage(buffer, name, mimeType);
    // The viewer labels its image canvas with the file name: the new image replaced the old one.
    const shown = this.page.locator('.viewer canvas[aria-label]').first();
    await expect.poll(() => shown.getAttribute('aria-label'), { timeout: this.slow }).toBe(`Image ${name}`);
    await this.waitForResult();
  }

  /** Types the vocabulary and waits until the app has taken it (see ClassesPanel.set). */
  setClasses(text: string): Promise<void> {
    return this.classes.set(text);
  }

  /**
   * Waits for an idle app with a result in the legend; with `labels`, for the result of exactly
   * those classes (so a stale result of the previous vocabulary does not count).
   */
  async waitForResult(labels?: string[]): Promise<void> {
    if (labels) {
      await expect(this.legendItems).toHaveCount(labels.length + 1, { timeout: this.slow });
      const want = [...labels, ''];
      await expect
        .poll(() => this.legendItems.evaluateAll((els) => els.map((e) => e.getAttribute('data-class'))), {
          timeout: this.slow,
        })
        .toEqual(want);
    } else {
      await expect(this.legendItems.first()).toBeVisible({ timeout: this.slow });
    }
    await expect(this.statusBar.ready).toBeVisible({ timeout: this.slow });
  }

  /** Class name and its share text (e.g. "12.3%") per legend row, unlabelled last (name ""). */
  async legendRows(): Promise<{ name: string; label: string; share: string }[]> {
    return this.legendItems.evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute('data-class') ?? '',
        label: e.querySelector('.name')?.textContent ?? '',
        share: e.querySelector('.share')?.textContent ?? '',
      })),
    );
  }

  runs(): Promise<Runs> {
    return this.statusBar.runs();
  }

  /** Exports the label map: the PNG (decoded) and the JSON legend beside it. */
  exportLabelMap(): Promise<LabelExport> {
    return this.exportPanel.exportLabelMap();
  }

  exportOverlay(): Promise<{ name: string; bytes: Buffer }> {
    return this.exportPanel.exportOverlay();
  }

  /** Opens a sample picture (its button in "Try a sample") and waits for its result. */
  async openSample(id: string): Promise<void> {
    await this.page.locator(`[data-testid=sample][data-sample=${id}]`).click();
    // A new picture clears the old result: once it is shown, the legend is the new picture's.
    await expect(this.page.locator(`canvas[aria-label="Image ${id}.jpg"]`)).toBeVisible({
      timeout: this.slow,
    });
    await this.waitForResult();
  }

  /** The overlay canvas's pixel size (its backing store, not its CSS size). */
  async overlaySize(): Promise<{ width: number; height: number }> {
    return this.overlay.evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  }

  /** Moves the pointer over image pixel (x, y) of the displayed overlay. */
  async hoverPixel(x: number, y: number): Promise<void> {
    const { width, height } = await this.overlaySize();
    // A click further down (an export button) may have scrolled the picture partly out of view.
    await this.overlay.scrollIntoViewIfNeeded();
    const box = await this.overlay.boundingBox();
    if (!box) throw new Error('overlay not visible');
    await this.page.mouse.move(
      box.x + ((x + 0.5) / width) * box.width,
      box.y + ((y + 0.5) / height) * box.height,
    );
  }
}
