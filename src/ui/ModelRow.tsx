import { familyById, settingsOf } from '../models/families';
import type { Manifest } from '../models/manifest';
import type { ModelEntry } from '../services/catalogue';
import type { StoredModel } from '../services/modelStorage';
import { formatBytes } from '../shared/format';
import type { ModelInfo } from '../shared/protocol';
import { useApp } from '../store/store';
import { useServices } from './services';

const mb = (b: number) => formatBytes(b, 'decimal');

/**
 * What a model's family lets the user choose, and the model's default for each: the loaded model's,
 * else its manifest's when the entry carries one (presets, dropped files); none for a URL not loaded.
 */
function settingDefaults(e: ModelEntry, model: ModelInfo | null, active: boolean) {
  if (active && model)
    return (familyById(model.family).settings ?? []).map((s) => ({ s, value: model.settings[s.key]! }));
  if (e.source.kind === 'url') return [];
  // The family says what it offers (the manifest may not be checked yet: any family name).
  const m = e.source.manifest as Manifest;
  return settingsOf(m).map((s) => ({ s, value: s.defaultFor(m) }));
}

/** Where a model comes from (a link when it is an address), its licence and its whole download. */
function Origin({ e }: { e: ModelEntry }) {
  const size = Object.values(e.totalSizes ?? {})[0];
  return (
    <p className="hint">
      {e.embedded || !/^https?:/.test(e.origin) ? (
        e.origin
      ) : (
        <a href={e.origin} target="_blank" rel="noreferrer">
          {e.origin}
        </a>
      )}{' '}
      · {e.licence}
      {size
        ? ` · ${e.embedded ? '' : 'about '}${mb(size)}${Object.keys(e.sizes).length > 1 ? ' (largest variant)' : ''}, tokenizer included`
        : ''}
    </p>
  );
}

/** Whether the model's files are kept (and whole), in words; the embedded one also ships with the app. */
function cacheWords(e: ModelEntry, s: StoredModel): string {
  if (s.problem) return `${s.problem[0]!.toUpperCase()}${s.problem.slice(1)}`;
  if (s.files > 0) return `Cached: ${mb(s.files)}${e.embedded ? ' (comes with the app)' : ''}`;
  return e.embedded ? 'Comes with the app' : 'Not downloaded';
}

/** One model of the manager: what it is, what it costs, what the site keeps of it; use, cancel, delete. */
export function ModelRow(p: { e: ModelEntry; stored: StoredModel; onUse(): void; onDelete(): void }) {
  const { controller } = useServices();
  const { e, stored } = p;
  const bytes = stored.problem ? 0 : stored.files;
  const kept = stored.files + stored.text;
  const active = useApp((s) => s.entry?.key === e.key);
  const model = useApp((s) => s.model);
  const loadingKey = useApp((s) => s.loadingEntry?.key ?? null);
  const reason = useApp((s) => s.variantReason);
  const isLoading = loadingKey === e.key;
  return (
    <li
      data-key={e.key}
      data-testid="model-row"
      data-cached={bytes > 0 ? 'yes' : 'no'}
      data-stored-bytes={kept}
      data-text-bytes={stored.text}
    >
      <div className="title">
        <strong>{e.name}</strong> {active && <span className="badge">in use</span>}
      </div>
      <p className="hint">{e.summary}</p>
      <Origin e={e} />
      {settingDefaults(e, model, active).map(({ s, value }) => (
        <p key={s.key} className="hint" data-testid={`model-${s.testId}`}>
          {s.describeDefault(value)}
        </p>
      ))}
      <p className="hint" data-testid="model-cache-state" data-problem={stored.problem ? 'yes' : 'no'}>
        {cacheWords(e, stored)}
        {stored.text > 0 && ` · prompts' text values: ${mb(stored.text)}`}
      </p>
      {active && model && (
        <p className="hint" data-testid="model-variant">
          Running the {model.imageDtype} variant on {model.ep === 'webgpu' ? 'WebGPU' : 'WASM'}: {reason}.
        </p>
      )}
      <div className="row">
        {!active && !isLoading && (
          <button data-testid="model-use" disabled={loadingKey !== null} onClick={p.onUse}>
            {e.embedded || bytes > 0 ? 'Use' : 'Download and use'}
          </button>
        )}
        {isLoading && (
          <button data-testid="model-cancel" onClick={() => controller.cancelLoad()}>
            Cancel download
          </button>
        )}
        {kept > 0 && !isLoading && (
          <button data-testid="model-delete" onClick={p.onDelete}>
            {e.embedded ? 'Clear cached data' : 'Delete from cache'}
          </button>
        )}
      </div>
    </li>
  );
}
