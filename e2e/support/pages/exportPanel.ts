/** Page object: the controls panel (opacity, "unlabelled below", names rule) and its two exports. */
import { readFile } from 'node:fs/promises';
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { decode, type DecodedPng } from 'fast-png';

export interface LabelExport {
  png: DecodedPng;
  json: { model: string; unlabelled: number; classes: { value: number; label: string; names: string[] }[] };
  pngName: string;
  jsonName: string;
}

const bytes = async (d: Download): Promise<Buffer> => readFile(await d.path());

/** A COCO export: the picture, the categories (the vocabulary) and one annotation an object. */
export interface CocoExport {
  images: { id: number; height: number; width: number }[];
  categories: { id: number; name: string }[];
  annotations: {
    image_id: number;
    category_id: number;
    segmentation: { size: [number, number]; counts: string };
    score: number;
    area: number;
    bbox: [number, number, number, number];
  }[];
}

export class ExportPanel {
  readonly opacity: Locator;
  readonly threshold: Locator;
  readonly namesRule: Locator;
  readonly labelMapButton: Locator;
  readonly overlayButton: Locator;

  constructor(
    readonly page: Page,
    /** Longest wait for a result to export (scaled to the machine's load). */
    private readonly slow: () => number,
  ) {
    this.opacity = page.getByTestId('opacity');
    this.threshold = page.getByTestId('threshold');
    this.namesRule = page.getByTestId('names-rule');
    this.labelMapButton = page.getByTestId('export-labelmap');
    this.overlayButton = page.getByTestId('export-overlay');
  }

  /** Clicks a button that starts `count` downloads and returns them in the order they began. */
  private async downloads(button: Locator, count: number): Promise<Download[]> {
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
    await expect(button).toBeEnabled({ timeout: this.slow() });
    await button.click();
    // The files are made from the result on screen: as long as a result takes, at most.
    const budget = this.slow();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${got.length} of ${count} downloads after ${Math.round(budget / 1000)} s`)),
        budget,
      );
    });
    try {
      await Promise.race([all, late]);
    } finally {
      clearTimeout(timer);
    }
    return got;
  }

  /** Exports the label map: the PNG (decoded) and the JSON legend beside it. */
  async exportLabelMap(): Promise<LabelExport> {
    const found = await this.downloads(this.labelMapButton, 2);
    const png = found.find((d) => d.suggestedFilename().endsWith('.png'));
    const json = found.find((d) => d.suggestedFilename().endsWith('.json'));
    if (!png || !json)
      throw new Error(`expected a .png and a .json, got ${found.map((d) => d.suggestedFilename())}`);
    return {
      png: decode(await bytes(png)),
      json: JSON.parse((await bytes(json)).toString('utf8')) as LabelExport['json'],
      pngName: png.suggestedFilename(),
      jsonName: json.suggestedFilename(),
    };
  }

  /** Exports the objects (families that propose them) as COCO JSON. */
  async exportInstances(): Promise<{ name: string; json: CocoExport }> {
    const [d] = await this.downloads(this.page.getByTestId('export-instances'), 1);
    return {
      name: d!.suggestedFilename(),
      json: JSON.parse((await bytes(d!)).toString('utf8')) as CocoExport,
    };
  }

  async exportOverlay(): Promise<{ name: string; bytes: Buffer }> {
    const [d] = await this.downloads(this.overlayButton, 1);
    return { name: d!.suggestedFilename(), bytes: await bytes(d!) };
  }

  /** Sets a range input (opacity, threshold) as a user would. */
  async setRange(input: Locator, value: number): Promise<void> {
    await input.fill(String(value));
  }
}
