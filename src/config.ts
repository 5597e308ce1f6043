import type { Ep } from './engine/protocol';
import type { Dtype } from './models/manifest';

/**
 * Start-up settings from the page URL:
 * ?model=embedded|<preset id>|<manifest URL> &ep=wasm|webgpu &dtype=fp32|fp16|q8 &classes=... &hub=<URL>
 */
export interface AppConfig {
  /** null: the default (CLIPSeg from the hub, else the embedded model). */
  model: string | null;
  ep: Ep | null;
  dtype: Dtype | undefined;
  classes: string | null;
  hub: string;
  debug: boolean;
  /** Diagnostics (with ?debug): pretend the GPU allows at most this many bytes per buffer. */
  gpuBufferLimit: number | undefined;
}

export const EMBEDDED_MODEL = `${import.meta.env.BASE_URL}models/colours/ovseg.json`;
/** The model hub; a build can point it elsewhere with VITE_HUB_URL (e.g. a mirror). */
export const DEFAULT_HUB: string = import.meta.env.VITE_HUB_URL || 'https://huggingface.co';

export function readConfig(search: string): AppConfig {
  const q = new URLSearchParams(search);
  const ep = q.get('ep');
  const dtype = q.get('dtype');
  return {
    model: q.get('model') || null,
    ep: ep === 'wasm' || ep === 'webgpu' ? ep : null,
    dtype: dtype === 'fp32' || dtype === 'fp16' || dtype === 'q8' || dtype === 'q4f16' ? dtype : undefined,
    classes: q.get('classes'),
    hub: q.get('hub') || DEFAULT_HUB,
    debug: q.has('debug'),
    gpuBufferLimit: q.has('debug') && q.get('gpuBufferLimit') ? Number(q.get('gpuBufferLimit')) : undefined,
  };
}
