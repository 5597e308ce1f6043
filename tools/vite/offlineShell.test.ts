/**
 * The offline shell's plugin through a real Vite build of a small app: the service worker lists
 * every file the build writes, runs as a classic script, and its version (stamped into the page)
 * follows the files' bytes.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { offlineShell, type Shell } from './offlineShell';

const root = mkdtempSync(path.join(tmpdir(), 'ovseg-shell-'));
writeFileSync(
  path.join(root, 'index.html'),
  '<!doctype html><html><head><title>t</title></head><body><script type="module" src="/main.js"></script></body></html>',
);
writeFileSync(path.join(root, 'main.js'), 'document.title = "shell test";\n');
mkdirSync(path.join(root, 'public/models'), { recursive: true });
writeFileSync(path.join(root, 'public/models/graph.onnx'), new Uint8Array([1, 2, 3]));
writeFileSync(path.join(root, 'public/icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Builds the app; returns the service worker's code, its shell and the page. */
async function buildApp(): Promise<{ code: string; shell: Shell; html: string; written: string[] }> {
  const outDir = path.join(root, 'dist');
  await build({ root, configFile: false, logLevel: 'silent', plugins: [offlineShell()], build: { outDir } });
  const code = readFileSync(path.join(outDir, 'sw.js'), 'utf8');
  const head = /^const SHELL = (.*);$/m.exec(code);
  if (!head) throw new Error(`no SHELL in sw.js: ${code.slice(0, 200)}`);
  const written = readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(outDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  return {
    code,
    shell: JSON.parse(head[1]!) as Shell,
    html: readFileSync(path.join(outDir, 'index.html'), 'utf8'),
    written,
  };
}

describe('offline shell plugin', () => {
  it('precaches every file of the build but itself, hashed assets apart', async () => {
    const { code, shell, written } = await buildApp();
    expect([...shell.hashed, ...shell.files].sort()).toEqual(written.filter((f) => f !== 'sw.js').sort());
    expect(shell.files).toEqual(expect.arrayContaining(['index.html', 'icon.svg', 'models/graph.onnx']));
    expect(shell.hashed).toHaveLength(1);
    expect(shell.hashed[0]).toMatch(/^assets\/index-[\w-]+\.js$/);
    // A service worker registered without `type: 'module'` is a classic script: no import or export.
    expect(() => new Script(code)).not.toThrow();
  });

  it('stamps its version into the page and changes it with any byte of the build', async () => {
    const first = await buildApp();
    expect(first.html).toContain(`<meta name="ovseg-build" content="${first.shell.version}" />`);
    expect((await buildApp()).shell.version).toBe(first.shell.version);

    writeFileSync(path.join(root, 'public/models/graph.onnx'), new Uint8Array([1, 2, 4]));
    const changed = await buildApp();
    expect(changed.shell.version).not.toBe(first.shell.version);
    expect(changed.html).toContain(`content="${changed.shell.version}"`);
    expect(changed.code).not.toBe(first.code);
  });
});
