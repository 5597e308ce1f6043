/** Page object: the model manager ("Models…"), and the model bar's name, backend and download progress. */
import { expect, type Locator, type Page } from '@playwright/test';

export class ModelManagerPanel {
  readonly openButton: Locator;
  readonly panel: Locator;
  readonly byoUrl: Locator;
  readonly byoLoad: Locator;
  readonly byoFiles: Locator;
  readonly storageUsed: Locator;
  /** The model bar: the running model's name, its progress bar and its cancel button. */
  readonly modelName: Locator;
  readonly progress: Locator;
  readonly cancelDownload: Locator;
  readonly backend: Locator;

  constructor(readonly page: Page) {
    this.openButton = page.getByTestId('open-models');
    this.panel = page.getByTestId('model-manager');
    this.byoUrl = page.getByTestId('byo-url');
    this.byoLoad = page.getByTestId('byo-load');
    this.byoFiles = page.getByTestId('byo-files');
    this.storageUsed = page.getByTestId('storage-used');
    this.modelName = page.getByTestId('model-name');
    this.progress = page.getByTestId('load-progress');
    this.cancelDownload = page.getByTestId('cancel-download');
    this.backend = page.getByTestId('backend');
  }

  /** Opens the panel (no-op when open). */
  async open(): Promise<void> {
    if ((await this.openButton.getAttribute('aria-expanded')) !== 'true') await this.openButton.click();
    await expect(this.panel).toBeVisible();
  }

  /** The list entry of a model, by its key ("embedded", a preset id, "url:<manifest URL>"). */
  row(key: string): Locator {
    return this.page.locator(`[data-testid=model-row][data-key="${key}"]`);
  }

  async use(key: string): Promise<void> {
    await this.open();
    await this.row(key).getByTestId('model-use').click();
  }

  cancel(key: string): Promise<void> {
    return this.row(key).getByTestId('model-cancel').click();
  }

  remove(key: string): Promise<void> {
    return this.row(key).getByTestId('model-delete').click();
  }

  /** Bytes of the running download so far (0 when none shows). */
  async downloaded(): Promise<number> {
    return Number((await this.progress.getAttribute('data-loaded')) ?? 0);
  }

  /** "Bring your own": a manifest URL typed and loaded. */
  async loadUrl(url: string): Promise<void> {
    await this.open();
    await this.byoUrl.fill(url);
    await this.byoLoad.click();
  }

  /** "Bring your own": the bundle's files chosen from disk. */
  async loadFiles(files: string[] | { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
    await this.open();
    await this.byoFiles.setInputFiles(files);
  }
}
