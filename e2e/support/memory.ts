/**
 * Memory of the test's browser: the resident size of every process the Playwright worker started
 * (browser, renderer with the page and its worker, GPU and network processes), read from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

const PAGE = 4096;

/** Sum of RSS (bytes) over all descendants of this process. */
export function browserRss(root = process.pid): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Fields after "(comm)": state, ppid, ... rss is the 22nd of them.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(d);
      const ppid = Number(f[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      rss.set(pid, Number(f[21]) * PAGE);
    } catch {
      // The process ended while we looked.
    }
  }
  let sum = 0;
  const todo = [...(children.get(root) ?? [])];
  while (todo.length) {
    const pid = todo.pop()!;
    sum += rss.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return sum;
}

/**
 * Collects garbage in the page and its workers (gc() is there with --expose-gc), then returns the
 * browser's RSS once freed pages had a moment to go back to the system.
 */
export async function settledRss(page: Page): Promise<number> {
  const gc = () => (globalThis as unknown as { gc(): void }).gc();
  for (let i = 0; i < 2; i++) {
    await page.evaluate(gc);
    // ORT's thread workers sit in Atomics.wait and cannot evaluate; the app's worker holds downloads.
    for (const w of page.workers()) if (!w.url().includes('ort-wasm')) await w.evaluate(gc);
  }
  await page.waitForTimeout(500);
  return browserRss();
}

export const CHROMIUM_MEMORY_ARGS = ['--js-flags=--expose-gc'];
