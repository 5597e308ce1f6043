import { formatBytes } from '../shared/format';
import type { Ep, ModelSource } from '../shared/protocol';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store/store';
import { useServices } from './services';

const mb = (b: number) => formatBytes(b, 'decimal');

/** The host a model downloads from (null: files on this computer). */
function serverOf(source: ModelSource): string | null {
  const base = source.kind === 'url' ? source.manifestUrl : source.kind === 'inline' ? source.baseUrl : null;
  if (base === null) return null;
  try {
    return new URL(base, location.href).host;
  } catch {
    return null;
  }
}

/** Which model runs, what it is, and the backend switch. */
export function ModelBar() {
  const { controller } = useServices();
  const { model, gpu, ep, ready, entry, loading, loadingEntry, failed } = useApp(
    useShallow((s) => ({
      model: s.model,
      gpu: s.gpu,
      ep: s.ep,
      ready: s.engineReady,
      entry: s.entry,
      loading: s.loading,
      loadingEntry: s.loadingEntry,
      failed: s.loadFailure !== null,
    })),
  );

  // Before the first byte: the server being waited for, with Cancel from the first request.
  const waiting = loadingEntry && !loadingEntry.embedded && !loading ? serverOf(loadingEntry.source) : null;

  return (
    <div className="modelbar">
      <div className="model">
        <strong data-testid="model-name">
          {model?.name ?? (failed ? 'No model loaded (see the status bar)' : 'Loading model…')}
        </strong>
        {model?.description && (
          <p className="desc" data-testid="model-description">
            {model.description}
          </p>
        )}
      </div>
      <label className="backend">
        Backend
        <select
          data-testid="backend"
          value={ep}
          disabled={!ready}
          onChange={(e) => entry && void controller.load(entry, e.target.value as Ep)}
        >
          <option value="webgpu" disabled={!gpu?.available}>
            WebGPU{gpu?.available ? (gpu.fallback ? ' (software)' : '') : ' (unavailable)'}
          </option>
          <option value="wasm">WASM (CPU)</option>
        </select>
      </label>
      {(loading || waiting) && (
        <div
          className="progress"
          data-testid="load-progress"
          data-loaded={loading?.loaded ?? 0}
          data-total={loading?.total ?? ''}
        >
          <span>
            {loading ? (
              <>
                {loadingEntry ? `Downloading ${loadingEntry.name}: ` : 'Loading '}
                {loading.file.split('/').pop()} — {mb(loading.loaded)}
                {loading.total ? ` of ${mb(loading.total)}` : ''}
              </>
            ) : (
              `Waiting for ${waiting}…`
            )}
          </span>
          <progress value={loading?.loaded} max={loading?.total ?? undefined} />
          {loadingEntry && !loadingEntry.embedded && (
            <button data-testid="cancel-download" onClick={() => controller.cancelLoad()}>
              Cancel
            </button>
          )}
        </div>
      )}
    </div>
  );
}
