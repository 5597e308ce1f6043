import { useShallow } from 'zustand/react/shallow';
import { familyById } from '../models/families';
import { exportInstances, exportLabelMap, exportOverlay } from '../services/exports';
import { setOutlines } from '../services/view';
import { useApp } from '../store/store';
import { FamilySettings } from './FamilySettings';
import { Slider } from './Slider';
import { useServices } from './services';

/** Overlay opacity, the "unlabelled" threshold, and exports. */
export function Controls() {
  const { controller } = useServices();
  const instances = useApp((s) => (s.model ? familyById(s.model.family).exportsInstances : false));
  const { opacity, outlines, threshold, ready } = useApp(
    useShallow((s) => ({
      opacity: s.opacity,
      outlines: s.outlines,
      threshold: s.threshold,
      ready: s.result !== null && s.resultImage === s.image,
    })),
  );

  return (
    <section className="panel controls">
      <Slider
        label="Overlay opacity"
        shown={`${Math.round(opacity * 100)}%`}
        value={opacity}
        min={0}
        max={1}
        step={0.05}
        testId="opacity"
        onChange={(v) => controller.setOpacity(v)}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={outlines}
          data-testid="outlines"
          onChange={(e) => setOutlines(e.target.checked)}
        />{' '}
        Outline regions
      </label>
      <Slider
        label="Unlabelled below"
        shown={threshold.toFixed(2)}
        value={threshold}
        min={0}
        max={0.95}
        step={0.05}
        testId="threshold"
        hint="Pixels whose best class score is below this are left unlabelled"
        onChange={(v) => controller.setThreshold(v)}
      />
      <FamilySettings />
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
        {instances && (
          <button
            data-testid="export-instances"
            disabled={!ready}
            onClick={() => void exportInstances(controller)}
          >
            Export objects (COCO JSON)
          </button>
        )}
      </div>
    </section>
  );
}
