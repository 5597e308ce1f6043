import { NAMES_RULE_LABELS, NAMES_RULES, type NamesRule } from '../processing/namesRule';
import { useShallow } from 'zustand/react/shallow';
import type { Controller } from '../services/controller';
import { exportLabelMap, exportOverlay } from '../services/exports';
import { useApp } from '../store/store';

/** Overlay opacity, the "unlabelled" threshold, and exports. */
export function Controls({ controller }: { controller: Controller }) {
  const { opacity, threshold, ready, names, namesDefault } = useApp(
    useShallow((s) => ({
      opacity: s.opacity,
      threshold: s.threshold,
      ready: s.result !== null && s.resultImage === s.image,
      names: s.names,
      namesDefault: s.model?.namesDefault,
    })),
  );

  return (
    <section className="panel controls">
      <label>
        Overlay opacity <output>{Math.round(opacity * 100)}%</output>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={opacity}
          data-testid="opacity"
          onChange={(e) => controller.setOpacity(Number(e.target.value))}
        />
      </label>
      <label title="Pixels whose best class score is below this are left unlabelled">
        Unlabelled below <output>{threshold.toFixed(2)}</output>
        <input
          type="range"
          min={0}
          max={0.95}
          step={0.05}
          value={threshold}
          data-testid="threshold"
          onChange={(e) => controller.setThreshold(Number(e.target.value))}
        />
      </label>
      {namesDefault && (
        <label title="How a class with several names (a | b) is scored">
          Class names
          <select
            data-testid="names-rule"
            value={names ?? namesDefault}
            onChange={(e) => controller.setNames(e.target.value as NamesRule)}
          >
            {NAMES_RULES.map((r) => (
              <option key={r} value={r}>
                {NAMES_RULE_LABELS[r]}
                {r === namesDefault ? " (this model's default)" : ''}
              </option>
            ))}
          </select>
          <span className="hint">
            Best name is GKC's rule (one decoder row per name); averaging is cheaper (one row per class).
          </span>
        </label>
      )}
      <div className="buttons">
        <button
          data-testid="export-labelmap"
          disabled={!ready}
          onClick={() => void exportLabelMap(controller)}
        >
          Export label map (PNG + JSON)
        </button>
        <button data-testid="export-overlay" disabled={!ready} onClick={() => void exportOverlay()}>
          Export overlay (PNG)
        </button>
      </div>
    </section>
  );
}
