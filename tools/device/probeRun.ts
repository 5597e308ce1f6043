/** The device kit's probe, the gathering: files, nvidia-smi, the kit's Vulkan loader and Dawn's adapter. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { installDawnGpu } from '../lib/dawnGpu';
import { icdSearch, parseIcd, parseNvidiaVersion, parseSmi, type IcdFile, type ProbeFacts } from './probe';

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

function icdFiles(paths: string[]): IcdFile[] {
  const files = paths.flatMap((p) => {
    try {
      if (!statSync(p).isDirectory()) return [p];
      return readdirSync(p)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(p, f));
    } catch {
      return [];
    }
  });
  return files.map((f) => parseIcd(f, read(f) ?? ''));
}

function smi(): ProbeFacts['smi'] {
  const r = spawnSync(
    'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  return r.status === 0 ? parseSmi(r.stdout) : null;
}

/** The first libvulkan.so.1 on LD_LIBRARY_PATH (the kit puts its own first). */
function loader(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    const f = path.join(dir, 'libvulkan.so.1');
    if (existsSync(f)) return f;
  }
  return null;
}

export async function gatherFacts(env: NodeJS.ProcessEnv = process.env): Promise<ProbeFacts> {
  const search = icdSearch(env);
  const version = read('/proc/driver/nvidia/version');
  let dawn: ProbeFacts['dawn'];
  try {
    dawn = await installDawnGpu();
  } catch (e) {
    dawn = { error: e instanceof Error ? e.message : String(e) };
  }
  return {
    icdSource: search.source,
    icds: icdFiles(search.paths),
    nvidiaModule: version === null ? null : (parseNvidiaVersion(version) ?? version.trim().slice(0, 120)),
    smi: smi(),
    loader: loader(env),
    dawn,
  };
}
