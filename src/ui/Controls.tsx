import { NAMES_RULE_LABELS, NAMES_RULES, type NamesRule } from '../processing/namesRule';
import { compositePng, download } from '../render/overlay';
import type { Controller } from '../store/controller';
import { notify, useApp } from '../store/store';

const stem = (name: string) => name.replace(/\.[^.]+$/, '') || 'image';

/** Overlay opacity, the "unlabelled" threshold, and exports. */
export function Controls({ controller }: { controller: Controller }) {
  const opacity = useApp((s) => s.opacity);
  const threshold = useApp((s) => s.threshold);
  const ready = useApp((s) => s.result !== null && s.resultImage === s.image);
  const model = useApp((s) => s.model);
  const names = useApp((s) => s.names);
  const namesDefault = model?.namesDefault;

  const exportLabels = async () => {
    try {
      const { png, json } = await controller.exportLabels();
      const name = stem(useApp.getState().image?.name ?? 'image');
      download(png, `${name}-labels.png`);
      download(json, `${name}-labels.json`);
    } catch (e) {
      notify('error', `Export failed: ${(e as Error).message}`);
    }
  };
  const exportOverlay = async () => {
    const s = useApp.getState();
    if (!s.image || !s.result) return;
    try {
      download(
        await compositePng(s.image.bitmap, s.result.overlay, s.opacity),
        `${stem(s.image.name)}-overlay.png`,
      );
    } catch (e) {
      notify('error', `Export failed: ${(e as Error).message}`);
    }
  };

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
          onChange={(e) => useApp.setState({ opacity: Number(e.target.value) })}
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
        <button data-testid="export-labelmap" disabled={!ready} onClick={() => void exportLabels()}>
          Export label map (PNG + JSON)
        </button>
        <button data-testid="export-overlay" disabled={!ready} onClick={() => void exportOverlay()}>
          Export overlay (PNG)
        </button>
      </div>
    </section>
  );
}
