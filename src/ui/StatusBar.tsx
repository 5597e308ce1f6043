import { rowsText } from '../processing/namesRule';
import type { Controller } from '../store/controller';
import { useApp } from '../store/store';

const ms = (v: number | undefined) => `${Math.round(v ?? 0)} ms`;

/**
 * Model, backend and timings: what ran, where, and how long it took. "error" when no model could be
 * loaded (with why, and a retry); "loading" only while a load runs.
 */
export function StatusBar({ controller }: { controller: Controller }) {
  const model = useApp((s) => s.model);
  const ep = useApp((s) => s.ep);
  const ready = useApp((s) => s.engineReady);
  const busy = useApp((s) => s.busy);
  const result = useApp((s) => s.result);
  const gpu = useApp((s) => s.gpu);
  const failure = useApp((s) => s.loadFailure);
  const backendReason = useApp((s) => s.backendReason);

  const backend = ep === 'webgpu' ? `WebGPU${gpu?.fallback ? ' (software adapter)' : ''}` : 'WASM';
  const state = failure ? 'error' : !ready ? 'loading' : busy ? 'working' : 'ready';
  const t = result?.timings;
  return (
    <footer className="status" data-testid="status" data-state={state} data-backend={ep}>
      <span>Model: {model ? `${model.name} [${model.imageDtype}]` : '—'}</span>
      <span>Backend: {backend}</span>
      {backendReason && ep === 'wasm' && <span data-testid="backend-reason">({backendReason})</span>}
      <span>State: {state}</span>
      {failure && (
        <span className="failure" data-testid="load-failure">
          {failure}{' '}
          <button data-testid="retry-load" onClick={() => void controller.retry()}>
            Retry
          </button>
        </span>
      )}
      {model && (
        <span>
          Load {ms(model.loadMs)} + warm-up {ms(model.warmupMs)}
        </span>
      )}
      {t && (
        <span data-testid="timings">
          Last run {ms(t.total)}: preprocess {ms(t.preprocess)}, image model {ms(t.image)}, text {ms(t.text)},
          combine {ms(t.combine)}, render {ms(t.render)}
        </span>
      )}
      {result?.rows && (
        <span data-testid="names-status" data-rule={result.rows.rule} data-rows={result.rows.count}>
          {rowsText(result.rows)}
        </span>
      )}
      {result && (
        <span data-testid="runs" data-image-runs={result.runs.image} data-text-runs={result.runs.text}>
          Runs: image {result.runs.image}, text {result.runs.text} ({result.runs.promptsEncoded} prompts)
        </span>
      )}
    </footer>
  );
}
