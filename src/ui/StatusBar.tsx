import { familyById } from '../models/families';
import type { WorkSteps } from '../shared/protocol';
import { useShallow } from 'zustand/react/shallow';
import { selectStatusState } from '../store/selectors';
import { useApp } from '../store/store';
import { useServices } from './services';

const ms = (v: number | undefined) => `${Math.round(v ?? 0)} ms`;
const WORK_WORDS: Record<WorkSteps['what'], string> = {
  prompts: 'encoding',
  rows: 'decoding',
  runs: 'warm-up',
};

/**
 * Model, backend and timings: what ran, where, and how long it took. "error" when no model could be
 * loaded (with why, and a retry); "loading" only while a load runs.
 */
export function StatusBar() {
  const { controller } = useServices();
  const { model, ep, result, gpu, failure, backendReason, state, work } = useApp(
    useShallow((s) => ({
      model: s.model,
      ep: s.ep,
      result: s.result,
      gpu: s.gpu,
      failure: s.loadFailure,
      backendReason: s.backendReason,
      state: selectStatusState(s),
      work: s.work,
    })),
  );

  // The family's own line about this result (CLIPSeg: which names rule ran), from its description.
  const line =
    model && result?.stats ? familyById(model.family).statusLine?.(result.stats[model.family]) : null;
  const backend = ep === 'webgpu' ? `WebGPU${gpu?.fallback ? ' (software adapter)' : ''}` : 'WASM';
  const t = result?.timings;
  return (
    <footer className="status" data-testid="status" data-state={state} data-backend={ep}>
      <span>Model: {model ? `${model.name} [${model.imageDtype}]` : '—'}</span>
      <span>Backend: {backend}</span>
      {backendReason && ep === 'wasm' && <span data-testid="backend-reason">({backendReason})</span>}
      <span>State: {state}</span>
      {work && (
        <span data-testid="work" data-done={work.done} data-total={work.total} aria-live="polite">
          {WORK_WORDS[work.what]} {work.done.toLocaleString('en-US')} / {work.total.toLocaleString('en-US')}{' '}
          {work.what}
        </span>
      )}
      {failure && (
        <span className="failure" data-testid="load-failure">
          {failure}{' '}
          <button data-testid="retry-load" onClick={() => void controller.retry()}>
            Retry
          </button>
        </span>
      )}
      {model && (
        <span data-testid="load-times">
          Load {ms(model.loadMs)} + warm-up {ms(model.warmupMs)}
        </span>
      )}
      {t && (
        <span data-testid="timings">
          Last run {ms(t.total)}: preprocess {ms(t.preprocess)}, image model {ms(t.image)}, text {ms(t.text)},
          combine {ms(t.combine)}, render {ms(t.render)}
        </span>
      )}
      {line && (
        <span
          data-testid={line.testId}
          {...Object.fromEntries(Object.entries(line.data).map(([k, v]) => [`data-${k}`, v]))}
        >
          {line.text}
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
