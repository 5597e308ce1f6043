/**
 * Vite plugin: writes the offline shell's service worker (src/sw/serviceWorker.ts) into the build as
 * `sw.js`, with the list of files it precaches at install: every file the build writes, that is
 * `index.html`, every asset under `assets/` (scripts, the stylesheet, ONNX Runtime's `.wasm` and
 * `.mjs`) and every file copied from `public/` (the embedded model's manifest, ONNX graphs and
 * tokenizer files under `models/colours/`, the vocabulary presets under `vocab/`, the icon).
 *
 * The list comes with a hash of all those files and of the worker's code: it names the worker's
 * cache and is stamped into the page (`<meta name="ovseg-build">`), so a new build writes a
 * byte-different `sw.js` (which the browser installs on the next visit) and the page says which build
 * it is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithOxc, type Plugin, type ResolvedConfig } from 'vite';

const SOURCE = fileURLToPath(new URL('../../src/sw/serviceWorker.ts', import.meta.url));
/** At the build's root, so that its scope is the whole app (src/services/offlineShell.ts registers it). */
const OUTPUT = 'sw.js';

/** What the worker is given (its `Shell`): files relative to the worker's own URL. */
export interface Shell {
  version: string;
  hashed: string[];
  files: string[];
}

/** Every file under `dir`, by its path relative to `dir` with `/` separators. */
function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name), root)
      : [relative(root, join(dir, e.name)).split(sep).join('/')],
  );
}

/**
 * The shell of a build from its files (name -> bytes): names under `assetsDir` carry a content hash
 * (Vite's default file names), the others do not. The version hashes names and bytes, in name order.
 */
function shellOf(files: ReadonlyMap<string, string | Uint8Array>, code: string, assetsDir: string): Shell {
  const names = [...files.keys()].sort();
  const h = createHash('sha256').update(code);
  for (const name of names) {
    const data = files.get(name)!;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    h.update(`\0${name}\0${bytes.length}\0`).update(bytes);
  }
  const isHashed = (name: string) => name.startsWith(`${assetsDir}/`);
  return {
    version: h.digest('hex').slice(0, 16),
    hashed: names.filter(isHashed),
    files: names.filter((n) => !isHashed(n)),
  };
}

/** The worker's code as a script: types stripped, nothing bundled (it must import nothing). */
async function workerCode(): Promise<string> {
  const { code } = await transformWithOxc(readFileSync(SOURCE, 'utf8'), SOURCE, { lang: 'ts' });
  if (/^\s*(import|export)\b/m.test(code))
    throw new Error(`${SOURCE} imports or exports: it is built alone and must be self-contained`);
  return code;
}

export function offlineShell(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'ovseg-offline-shell',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      this.addWatchFile(SOURCE);
    },
    generateBundle: {
      // After Vite's HTML plugin has written index.html into the bundle.
      order: 'post',
      async handler(_options, bundle) {
        const files = new Map<string, string | Uint8Array>();
        for (const [name, out] of Object.entries(bundle))
          files.set(name, out.type === 'chunk' ? out.code : out.source);
        // Vite copies public/ into the output itself, outside the bundle.
        const pub = config.publicDir;
        if (config.build.copyPublicDir && pub && existsSync(pub))
          for (const name of walk(pub)) if (!files.has(name)) files.set(name, readFileSync(join(pub, name)));
        const page = bundle['index.html'];
        if (page?.type !== 'asset' || typeof page.source !== 'string' || !page.source.includes('</head>'))
          return this.error('The offline shell needs the built index.html, with a <head>');

        const code = await workerCode();
        const shell = shellOf(files, code, config.build.assetsDir);
        // Stamped after hashing: the stamp is the hash of the page without it.
        page.source = page.source.replace(
          '</head>',
          `  <meta name="ovseg-build" content="${shell.version}" />\n  </head>`,
        );
        this.emitFile({
          type: 'asset',
          fileName: OUTPUT,
          source: `const SHELL = ${JSON.stringify(shell)};\n${code}`,
        });
      },
    },
  };
}
