import { ADDRESS_BUDGET, EMBEDDED_MODEL, type AppConfig } from '../config';
import type { Ep, GpuInfo } from '../shared/protocol';
import { WorkerStartFailedError } from '../errors';
import { useApp } from '../store/store';
import { keepClassesInAddress } from './address';
import { chooseBackend } from './backend';
import { EMBEDDED_KEY, embeddedEntry, presetEntries, urlEntry } from './catalogue';
import type { Controller } from './controller';
import { notify } from './notices';

export type StartOptions = Pick<AppConfig, 'ep' | 'model' | 'classes' | 'settings' | 'problems'>;

/**
 * The page's start: the vocabulary and names rule from the page address, a warning for each thing
 * in it that cannot be done, then the engine (errors said on the page, never thrown).
 */
export function startApp(c: Controller, o: StartOptions): Promise<void> {
  useApp.setState({ settings: o.settings });
  if (o.classes) {
    useApp.setState({ classesText: o.classes });
    // A link over the address budget loads (its problem says so) and leaves the address.
    if (location.href.length > ADDRESS_BUDGET) keepClassesInAddress(o.classes, true);
  }
  for (const problem of o.problems) notify('warning', problem);
  return startEngine(c, o.ep, o.model).catch((e: Error) => notify('error', e.message));
}

/**
 * The engine's start: asks the worker what the browser offers, picks the backend (a software WebGPU
 * adapter is not the default), then the first model: the one asked for in the URL, else CLIPSeg
 * from the hub (downloaded once, then cached), else the embedded model, with a banner saying why.
 */
async function startEngine(c: Controller, wanted: Ep | null, model: string | null): Promise<void> {
  let gpu: GpuInfo;
  try {
    gpu = (await c.client.request('init', {})).gpu;
  } catch (e) {
    // A worker whose script never ran says so itself; others are framed here.
    const message =
      e instanceof WorkerStartFailedError ? e.message : `The engine could not start: ${(e as Error).message}`;
    c.fail(message, () => startEngine(c, wanted, model));
    return;
  }
  const { ep, reason, warning } = chooseBackend(wanted, gpu);
  useApp.setState({ gpu, backendReason: reason });
  if (warning) notify('warning', warning);
  const hub = c.hub;
  const embedded = embeddedEntry(EMBEDDED_MODEL);
  if (model === EMBEDDED_KEY) return void (await c.load(embedded, ep));
  const entry = model
    ? (presetEntries(hub).find((e) => e.key === model) ?? urlEntry(model))
    : presetEntries(hub)[0]!;
  if (await c.load(entry, ep, { quiet: !model })) return;
  if (!model) {
    useApp.setState({
      banner: `${entry.name} could not be downloaded (offline, or the model hub is unreachable) and is not cached: using the embedded colours model, which segments colours only.`,
    });
  }
  await c.load(embedded, ep);
}
