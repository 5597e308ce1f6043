/**
 * The device kit's probe, the pure part: what the server's files and commands say (Vulkan ICD
 * manifests, the NVIDIA driver's version file, nvidia-smi's CSV) and the verdict on what is missing
 * for WebGPU through Dawn. Gathering them is probeRun.ts.
 */

/** The loader's default ICD folders (Vulkan loader docs, Linux), searched when no variable names files. */
const ICD_DIRS = ['/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

export interface IcdFile {
  file: string;
  /** The driver library the manifest names, or null when the manifest cannot be read. */
  library: string | null;
  api: string | null;
  /** What the loader will make of it. */
  kind: 'nvidia' | 'software' | 'other' | 'unreadable';
}

export interface Gpu {
  name: string;
  driver: string;
  memory: string;
}

export interface ProbeFacts {
  /** Where the ICD manifests were looked for, and why there. */
  icdSource: 'VK_DRIVER_FILES' | 'VK_ICD_FILENAMES' | 'default folders';
  icds: IcdFile[];
  /** /proc/driver/nvidia/version's kernel module version, or null without the file. */
  nvidiaModule: string | null;
  /** nvidia-smi's GPUs, or null when nvidia-smi is not there or failed. */
  smi: Gpu[] | null;
  /** The Vulkan loader the kit runs with (its own libvulkan.so.1 unless one is missing). */
  loader: string | null;
  /** Dawn's adapter, or the reason it gave none. */
  dawn: { adapter: string; isFallback: boolean } | { error: string };
}

/** Which ICD manifests the loader reads: the variables win over the default folders (in that order). */
export function icdSearch(env: Record<string, string | undefined>): {
  source: ProbeFacts['icdSource'];
  paths: string[];
} {
  for (const v of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES'] as const) {
    const list = env[v]?.split(':').filter(Boolean);
    if (list?.length) return { source: v, paths: list };
  }
  return { source: 'default folders', paths: ICD_DIRS };
}

/** One ICD manifest's JSON (`{"ICD": {"library_path", "api_version"}}`). */
export function parseIcd(file: string, text: string): IcdFile {
  let icd: { library_path?: unknown; api_version?: unknown } | undefined;
  try {
    icd = (JSON.parse(text) as { ICD?: typeof icd }).ICD;
  } catch {
    icd = undefined;
  }
  const library = typeof icd?.library_path === 'string' ? icd.library_path : null;
  if (!library) return { file, library: null, api: null, kind: 'unreadable' };
  const api = typeof icd?.api_version === 'string' ? icd.api_version : null;
  const lib = library.toLowerCase();
  const kind = /nvidia/.test(lib)
    ? 'nvidia'
    : /lvp|lavapipe|swiftshader|vk_swiftshader/.test(lib)
      ? 'software'
      : 'other';
  return { file, library, api, kind };
}

/** "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 ..." -> "550.54.15". */
export function parseNvidiaVersion(text: string): string | null {
  return /Kernel Module\s+(?:for\s+\S+\s+)?([\d.]+)/.exec(text)?.[1] ?? null;
}

/** `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader` lines. */
export function parseSmi(csv: string): Gpu[] {
  return csv
    .split(/\r?\n/)
    .map((l) => l.split(',').map((s) => s.trim()))
    .filter((f) => f.length >= 3 && f[0])
    .map(([name, driver, memory]) => ({ name: name!, driver: driver!, memory: memory! }));
}

export interface Verdict {
  /** A hardware adapter: the WebGPU figures are a GPU's. */
  gpuReady: boolean;
  /** What the server lacks, each with what would supply it. */
  lacks: string[];
}

export function verdict(f: ProbeFacts): Verdict {
  const lacks: string[] = [];
  const nvidiaGpu = f.nvidiaModule !== null || (f.smi?.length ?? 0) > 0;
  if (!nvidiaGpu)
    lacks.push('an NVIDIA GPU with its driver (no /proc/driver/nvidia/version and no nvidia-smi GPU)');
  if (!f.loader) lacks.push("a Vulkan loader (libvulkan.so.1): the kit's own copy is missing");
  const readable = f.icds.filter((i) => i.kind !== 'unreadable');
  if (readable.length === 0)
    lacks.push(
      `a Vulkan ICD manifest (none in ${f.icdSource}); the NVIDIA driver installs nvidia_icd.json ` +
        '(its Vulkan part: on Debian/Ubuntu the nvidia-vulkan-icd or libnvidia-gl-<version> package)',
    );
  else if (nvidiaGpu && !readable.some((i) => i.kind === 'nvidia'))
    lacks.push(
      "the NVIDIA Vulkan ICD (nvidia_icd.json): the driver is there but not its Vulkan part; install the driver's " +
        'Vulkan/GL libraries of the same version (libnvidia-gl-<version>), or point VK_ICD_FILENAMES at its nvidia_icd.json',
    );
  if ('error' in f.dawn) lacks.push(`a Dawn adapter: ${f.dawn.error}`);
  else if (f.dawn.isFallback)
    lacks.push(`a hardware adapter: Dawn offers only ${f.dawn.adapter}, a software one (CPU figures)`);
  return { gpuReady: !('error' in f.dawn) && !f.dawn.isFallback, lacks };
}

/** The probe's plain-text report. */
export function probeText(f: ProbeFacts): string {
  const v = verdict(f);
  const out = [
    `NVIDIA kernel module: ${f.nvidiaModule ?? 'none (/proc/driver/nvidia/version absent)'}`,
    `nvidia-smi: ${
      f.smi === null
        ? 'not found or failed'
        : f.smi.length
          ? f.smi.map((g) => `${g.name} (driver ${g.driver}, ${g.memory})`).join('; ')
          : 'no GPU listed'
    }`,
    `Vulkan loader: ${f.loader ?? 'none'}`,
    `Vulkan ICD manifests (${f.icdSource}): ${f.icds.length || 'none'}`,
    ...f.icds.map(
      (i) => `  ${i.file}: ${i.library ?? 'unreadable'}${i.api ? ` (Vulkan ${i.api})` : ''} [${i.kind}]`,
    ),
    `Dawn adapter: ${'error' in f.dawn ? `none (${f.dawn.error})` : `${f.dawn.adapter}${f.dawn.isFallback ? ' (software fallback)' : ''}`}`,
    v.gpuReady ? 'Verdict: ready, WebGPU runs on a hardware adapter.' : 'Verdict: not ready for GPU figures.',
    ...v.lacks.map((l) => `  lacks ${l}`),
  ];
  return out.join('\n');
}
