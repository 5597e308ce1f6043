import { familyOf, settingDefaults, type Manifest } from '../models/families';
import type { Runner } from '../models/runner';
import type { Ep, ModelInfo } from '../shared/protocol';

/** What the page learns of a loaded model: its manifest's words, the variants that run, the times. */
export function describeModel(
  m: Manifest,
  runner: Runner,
  ep: Ep,
  times: { loadMs: number; warmupMs: number; textKey?: string | undefined },
): ModelInfo {
  return {
    id: m.id,
    name: m.name,
    family: m.family,
    description: m.description ?? '',
    ep,
    imageDtype: runner.dtypes.image,
    textDtype: runner.dtypes.text,
    threshold: m.threshold ?? 0,
    vocabulary: familyOf(m).vocabulary?.(m) ?? [],
    settings: settingDefaults(m),
    ...times,
  };
}
