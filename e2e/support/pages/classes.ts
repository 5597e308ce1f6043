/** Page object: the class list (text, presets, warnings, names the model does not know). */
import { expect, type Locator, type Page } from '@playwright/test';

export class ClassesPanel {
  readonly input: Locator;
  readonly preset: Locator;
  readonly warnings: Locator;
  readonly unknownNames: Locator;

  constructor(
    readonly page: Page,
    /** Longest wait for the app to take a vocabulary (it debounces typing). */
    private readonly slow: () => number,
  ) {
    this.input = page.getByTestId('classes-input');
    this.preset = page.getByTestId('vocab-preset');
    this.warnings = page.getByTestId('vocab-warning');
    this.unknownNames = page.getByTestId('unknown-names');
  }

  /**
   * Types the vocabulary; no-op when already there. The app debounces typing: this returns once the
   * app has taken the new vocabulary (the page address follows it), so an image dropped next is
   * segmented with it, not with the old one.
   */
  async set(text: string): Promise<void> {
    if ((await this.input.inputValue()) === text) return;
    await this.input.fill(text);
    await expect
      .poll(() => new URL(this.page.url()).searchParams.get('classes'), { timeout: this.slow() })
      .toBe(text);
  }

  /** Picks a benchmark vocabulary from the preset menu (by its id, e.g. "ade20k_150"). */
  async pickPreset(id: string): Promise<void> {
    await this.preset.selectOption(id);
  }
}
