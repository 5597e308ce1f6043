/**
 * Inputs a user can throw at the app: broken, empty, huge or rotated files, and odd vocabularies.
 * Each must get a clear message or a sane result, and the app must keep working afterwards.
 */
import { expect, onlyOnWasm, test } from './support/fixtures';
import type { AppPage } from './support/app';
import { bigDiscPng } from './support/bigPng';
import { exifScene } from './support/exifScene';
import { LIGHT_GREY, prng, RED, shapesScene, toPng } from './support/images';

const CLASSES = 'red, blue, green, yellow';
/** Why file-refusal tests run once: the file is refused before any model runs. */
const REFUSED_BEFORE_ENGINE =
  'the file is refused before any model runs, so the backend makes no difference; the WASM project covers it';

/** The app still segments: a good picture gets a result with the current classes. */
async function stillWorks(app: AppPage, labels = CLASSES.split(', ')): Promise<void> {
  await app.setClasses(labels.join(', '));
  await app.segmentImage(toPng(shapesScene(160, 128, 5)), `good-${Date.now()}.png`);
  await app.waitForResult(labels);
  await expect(app.page.locator('h1')).toBeVisible();
}

/** A notice naming the file; the app must not have replaced or lost its page. */
async function expectNotice(app: AppPage, pattern: RegExp, fileName: string): Promise<void> {
  const notice = app.notices.filter({ hasText: pattern });
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText(fileName);
}

test.describe('bad image files', () => {
  test('a text file is refused with a message (WASM project only)', async ({ app }) => {
    onlyOnWasm(app.ep, REFUSED_BEFORE_ENGINE);
    await app.open({ classes: CLASSES });
    await app.dropImage(Buffer.from('just some notes, not a picture\n'), 'notes.txt', 'text/plain');
    await expectNotice(app, /not an image/i, 'notes.txt');
    await stillWorks(app);
  });

  test('a corrupt PNG (valid signature, garbage after) is refused with a message (WASM project only)', async ({
    app,
  }) => {
    onlyOnWasm(app.ep, REFUSED_BEFORE_ENGINE);
    const rand = prng(42);
    const garbage = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), garbage]);
    await app.open({ classes: CLASSES });
    await app.dropImage(png, 'broken.png', 'image/png');
    await expectNotice(app, /could not be decoded|damaged/i, 'broken.png');
    await stillWorks(app);
  });

  test('a zero-byte file is refused with a message (WASM project only)', async ({ app }) => {
    onlyOnWasm(app.ep, REFUSED_BEFORE_ENGINE);
    await app.open({ classes: CLASSES });
    await app.dropImage(Buffer.alloc(0), 'empty.png', 'image/png');
    await expectNotice(app, /empty/i, 'empty.png');
    await stillWorks(app);
  });

  test('a huge 12000x9000 PNG is scaled down, segmented, and the page stays usable', async ({
    app,
    page,
  }) => {
    const [W, H] = [12000, 9000];
    const disc = { cx: 4000, cy: 4500, r: 2200 };
    await app.open({ classes: 'red' });
    await app.segmentImage(bigDiscPng(W, H, LIGHT_GREY, RED, disc), 'huge.png');
    await app.waitForResult(['red']);
    // The note tells the user both sizes; the app works at the reduced one.
    const note = app.notices.filter({ hasText: /huge\.png/ });
    await expect(note).toContainText('12000×9000');
    const { width, height } = await app.overlaySize();
    expect(Math.max(width, height)).toBe(4096);
    expect(width / height).toBeCloseTo(W / H, 2);
    await expect(note).toContainText(`${width}×${height}`);
    // The disc is where it was drawn, at the new scale.
    const s = width / W;
    await app.hoverPixel(Math.round(disc.cx * s), Math.round(disc.cy * s));
    await expect(page.getByTestId('hover')).toContainText('red');
    await app.hoverPixel(Math.round(10_000 * s), Math.round(1000 * s));
    await expect(page.getByTestId('hover')).toContainText('unlabelled');
    await stillWorks(app);
  });

  test('an EXIF-rotated JPEG is shown and segmented upright', async ({ app }) => {
    const s = exifScene();
    await app.open({ classes: 'red, blue' });
    await app.segmentImage(s.jpeg, 'portrait.jpg', 'image/jpeg');
    await app.waitForResult(['red', 'blue']);
    // Orientation 6: the stored landscape picture is shown in portrait.
    expect(await app.overlaySize()).toEqual({ width: s.stored.height, height: s.stored.width });
    const out = await app.exportLabelMap();
    expect([out.png.width, out.png.height]).toEqual([s.stored.height, s.stored.width]);
    for (const [value, colour] of [
      [1, 'red'],
      [2, 'blue'],
    ] as const) {
      const got = s.centroidOf(out.png.data, value);
      const want = s.uprightCentroid(colour);
      expect(Math.hypot(got.x - want.x, got.y - want.y), `${colour} centre moved`).toBeLessThan(3);
      expect(s.uprightIou(out.png.data, value, colour), `IoU of ${colour}`).toBeGreaterThanOrEqual(0.85);
    }
    await stillWorks(app);
  });
});

test.describe('odd vocabularies', () => {
  test('an empty vocabulary shows a message and no result, then recovers', async ({ app, page }) => {
    await app.open({ classes: CLASSES });
    await stillWorks(app);
    for (const text of ['', ' , ;  | \n']) {
      await app.setClasses(text);
      await expect(page.getByText(/at least one class name/i)).toBeVisible();
      await expect(app.legendItems).toHaveCount(0);
    }
    await expect(page.locator('[role=alert]')).toHaveCount(0);
    await stillWorks(app, ['red', 'blue']);
  });

  test('duplicate names give a warning and one class', async ({ app, page }) => {
    await app.open({ classes: CLASSES });
    await app.setClasses('red, Red, blue | RED, blue');
    await app.segmentImage(toPng(shapesScene(160, 128, 9)), 'dups.png');
    await app.waitForResult(['red', 'blue']);
    await expect(page.getByText(/appears more than once/i).first()).toBeVisible();
    const out = await app.exportLabelMap();
    expect(out.json.classes.map((c) => c.names)).toEqual([['red'], ['blue']]);
    await stillWorks(app);
  });

  test('300 classes: the legend lists 300 + unlabelled, the label map is 16-bit', async ({ app }) => {
    // Six colours the model knows, then names it does not (they embed to zero and win no pixel).
    // Not 50 copies of each colour: GKC's softmax would split a colour's score 50 ways, under the threshold.
    const colours = ['red', 'blue', 'green', 'yellow', 'white', 'grey'];
    const names = [...colours, ...Array.from({ length: 300 - colours.length }, (_, i) => `thing ${i}`)];
    await app.open({ classes: 'red' });
    await app.setClasses(names.join(', '));
    await app.segmentImage(toPng(shapesScene(160, 128, 13)), 'many.png');
    await app.waitForResult(names);
    const out = await app.exportLabelMap();
    expect(out.json.classes).toHaveLength(300);
    expect(out.json.classes.at(-1)).toMatchObject({ value: 300, label: 'thing 293' });
    expect(out.png.depth).toBe(16);
    // The red disc's centre is labelled red: class values above 255 did not shift the others.
    const centre = Math.round(0.3 * 128) * 160 + Math.round(0.25 * 160);
    expect(names[out.png.data[centre]! - 1]).toBe('red');
    await stillWorks(app);
  });

  test('HTML and script in class names are shown as text, never run', async ({ app, page }) => {
    const evil = ['<img src=x onerror="window.__pwned=1">', '<b>bold</b>', 'red'];
    await app.open({ classes: 'red' });
    const before = await page.evaluate(() => ({
      img: document.images.length,
      b: document.querySelectorAll('b').length,
    }));
    await app.setClasses(evil.join(', '));
    await app.segmentImage(toPng(shapesScene(160, 128, 17)), 'evil.png');
    await app.waitForResult(evil);
    const rows = await app.legendRows();
    expect(rows.slice(0, 3).map((r) => r.label)).toEqual(evil);
    await expect(app.page.getByTestId('unknown-names')).toContainText(evil[0]!);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(
      await page.evaluate(() => ({ img: document.images.length, b: document.querySelectorAll('b').length })),
    ).toEqual(before);
    await stillWorks(app);
  });
});
