/**
 * One owner of state: only the services in src/services write the store. Components, the entry
 * point and the store's own modules read it and call the services' named actions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** A write to the zustand store: `useApp.setState(…)`, `store.setState(…)`, `getState().setX(…)`. */
const WRITE = /\b(?:useApp|store)\s*\.\s*setState\s*\(|\.getState\s*\(\s*\)\s*\.\s*set[A-Z]\w*\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('store writers', () => {
  it('the pattern catches each kind of write (so the next test can fail)', () => {
    expect(WRITE.test('onChange={() => useApp.setState({ opacity: 1 })}')).toBe(true);
    expect(WRITE.test('useApp .setState((s) => s)')).toBe(true);
    expect(WRITE.test('useApp.getState().setOpacity(1)')).toBe(true);
    expect(WRITE.test('this.setState({ error: null })')).toBe(false); // a component's own state
    expect(WRITE.test('const s = useApp.getState();')).toBe(false);
  });

  it('no module outside src/services writes the store', () => {
    const files = sources(SRC);
    expect(files.some((f) => f.endsWith(join('ui', 'Controls.tsx')))).toBe(true);
    const writers = files
      .map((f) => relative(SRC, f).split('\\').join('/'))
      .filter((f) => !f.startsWith('services/'))
      .filter((f) => WRITE.test(readFileSync(join(SRC, f), 'utf8')));
    expect(writers).toEqual([]);
  });

  it('the services do write it (the check looks where the writes are)', () => {
    const services = sources(join(SRC, 'services')).filter((f) => WRITE.test(readFileSync(f, 'utf8')));
    expect(services.length).toBeGreaterThan(0);
  });
});
