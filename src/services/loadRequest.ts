import type { Dtype } from '../models/manifest';
import { chooseVariant } from '../models/presets';
import type { Ep, GpuInfo } from '../shared/protocol';
import type { ModelEntry } from './catalogue';

/** What the page fixes for every load: `dtype` from the page address (?dtype=), the hub, test bounds. */
export interface LoadSettings {
  dtype: Dtype | undefined;
  hub: string;
  gpuBufferLimit: number | undefined;
  responseMs: number | undefined;
}

/** The worker's load request for an entry, and why its file variant was preferred. */
export function loadRequest(entry: ModelEntry, ep: Ep, gpu: GpuInfo | null, o: LoadSettings) {
  const choice = chooseVariant(ep, gpu, entry.sizes);
  const dtype = o.dtype ?? choice.prefer[0];
  const reason = o.dtype ? 'chosen in the page address (?dtype=)' : choice.reason;
  const source =
    entry.source.kind === 'url'
      ? { ...entry.source, manifestUrl: new URL(entry.source.manifestUrl, location.href).href }
      : entry.source;
  const request = {
    source,
    ep,
    dtype,
    hub: o.hub,
    gpuBufferLimit: o.gpuBufferLimit,
    responseMs: o.responseMs,
  };
  return { request, reason };
}
