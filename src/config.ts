import type { Ep } from './engine/protocol';
import type { Dtype } from './models/manifest';

/** Start-up settings from the page URL: ?model=<manifest URL>&ep=wasm|webgpu&dtype=fp32&classes=... */
export interface AppConfig {
  manifestUrl: string;
  ep: Ep | null;
  dtype: Dtype | undefined;
  classes: string | null;
  debug: boolean;
}

export const EMBEDDED_MODEL = `${import.meta.env.BASE_URL}models/colours/ovseg.json`;

export function readConfig(search: string): AppConfig {
  const q = new URLSearchParams(search);
  const ep = q.get('ep');
  const dtype = q.get('dtype');
  return {
    manifestUrl: q.get('model') || EMBEDDED_MODEL,
    ep: ep === 'wasm' || ep === 'webgpu' ? ep : null,
    dtype: dtype === 'fp32' || dtype === 'fp16' || dtype === 'q8' || dtype === 'q4f16' ? dtype : undefined,
    classes: q.get('classes'),
    debug: q.has('debug'),
  };
}
