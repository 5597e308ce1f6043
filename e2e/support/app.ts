/**
 * Page object for the app: the few things a user does (open, drop an image, type classes, export)
 * and the waits that make them deterministic, all through the page's data-testid hooks.
 */
import { readFile } from 'node:fs/promises';
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { decode, type DecodedPng } from 'fast-png';

export type Ep = 'wasm' | 'webgpu';

export interface OpenOptions {
  /** "embedded" (the default), a preset id, a manifest URL, or null for the app's own default. */
  model?: string | null;
  /** Model hub base URL (?hub=). */
  hub?: string;
  classes?: string;
  dtype?: string;
  debug?: boolean;
}

export interface LabelExport {
  png: DecodedPng;
  json: { model: string; unlabelled: number; classes: { value: number; label: string; names: string[] }[] };
  pngName: string;
  jsonName: string;
}

export interface Runs {
  image: number;
  text: number;
  prompts: number;
}

export class AppPage {
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
    /** Longest wait for model loads and segmentations (SwiftShader WebGPU is slow). */
    readonly slow: number,
  ) {
    this.status = page.getByTestId('status');
    this.legend = page.getByTestId('legend');
    this.legendItems = this.legend.locator('li');
    this.overlay = page.getByTestId('overlay');
    this.notices = page.getByTestId('notice');
    this.classesInput = page.getByTestId('classes-input');
    this.backend = page.getByTestId('backend');
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

  async waitReady(): Promise<void> {
    await expect(this.page.locator('[data-testid=status][data-state=ready]')).toBeVisible({
      timeout: this.slow,
    });
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

  /**
   * Types the vocabulary; no-op when already there. The app debounces typing: this returns once the
   * app has taken the new vocabulary (the page address follows it), so an image dropped next is
   * segmented with it, not with the old one.
   */
  async setClasses(text: string): Promise<void> {
    if ((await this.classesInput.inputValue()) === text) return;
    await this.classesInput.fill(text);
    await expect
      .poll(() => new URL(this.page.url()).searchParams.get('classes'), { timeout: this.slow })
      .toBe(text);
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
    await expect(this.page.locator('[data-testid=status][data-state=ready]')).toBeVisible({
      timeout: this.slow,
    });
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

  async runs(): Promise<Runs> {
    const el = this.page.getByTestId('runs');
    await expect(el).toBeVisible();
    const text = (await el.textContent()) ?? '';
    const prompts = /\((\d+) prompts?\)/.exec(text);
    if (!prompts) throw new Error(`no prompt count in "${text}"`);
    return {
      image: Number(await el.getAttribute('data-image-runs')),
      text: Number(await el.getAttribute('data-text-runs')),
      prompts: Number(prompts[1]),
    };
  }

  /** Clicks a button that starts `count` downloads and returns them in the order they began. */
  private async downloads(testId: string, count: number): Promise<Download[]> {
    const got: Download[] = [];
    const all = new Promise<void>((resolve) => {
      const on = (d: Download) => {
        got.push(d);
        if (got.length === count) {
          this.page.off('download', on);
          resolve();
        }
      };
      this.page.on('download', on);
    });
    const button = this.page.getByTestId(testId);
    await expect(button).toBeEnabled({ timeout: this.slow });
    await button.click();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${testId}: ${got.length} of ${count} downloads after 30 s`)),
        30_000,
      );
    });
    try {
      await Promise.race([all, late]);
    } finally {
      clearTimeout(timer);
    }
    return got;
  }

  private static async bytes(d: Download): Promise<Buffer> {
    return readFile(await d.path());
  }

  /** Exports the label map: the PNG (decoded) and the JSON legend beside it. */
  async exportLabelMap(): Promise<LabelExport> {
    const found = await this.downloads('export-labelmap', 2);
    const png = found.find((d) => d.suggestedFilename().endsWith('.png'));
    const json = found.find((d) => d.suggestedFilename().endsWith('.json'));
    if (!png || !json)
      throw new Error(`expected a .png and a .json, got ${found.map((d) => d.suggestedFilename())}`);
    return {
      png: decode(await AppPage.bytes(png)),
      json: JSON.parse((await AppPage.bytes(json)).toString('utf8')) as LabelExport['json'],
      pngName: png.suggestedFilename(),
      jsonName: json.suggestedFilename(),
    };
  }

  async exportOverlay(): Promise<{ name: string; bytes: Buffer }> {
    const [d] = await this.downloads('export-overlay', 1);
    return { name: d!.suggestedFilename(), bytes: await AppPage.bytes(d!) };
  }

  /** The overlay canvas's pixel size (its backing store, not its CSS size). */
  async overlaySize(): Promise<{ width: number; height: number }> {
    return this.overlay.evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  }

  /** Moves the pointer over image pixel (x, y) of the displayed overlay. */
  async hoverPixel(x: number, y: number): Promise<void> {
    const { width, height } = await this.overlaySize();
    const box = await this.overlay.boundingBox();
    if (!box) throw new Error('overlay not visible');
    await this.page.mouse.move(
      box.x + ((x + 0.5) / width) * box.width,
      box.y + ((y + 0.5) / height) * box.height,
    );
  }
}
