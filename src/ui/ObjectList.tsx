import { familyById } from '../models/families';
import { addPoint, clearPoints } from '../services/prompts';
import { selectStillResult } from '../store/selectors';
import { useApp } from '../store/store';
import { useServices } from './services';

/**
 * The objects a family proposed on the picture, best first: each a button that outlines it and
 * names it as a click on it would (the keyboard's and screen readers' way to the objects).
 */
export function ObjectList() {
  const { controller } = useServices();
  const result = useApp(selectStillResult);
  const model = useApp((s) => s.model);
  const objects =
    model && result?.stats ? (familyById(model.family).objects?.(result.stats[model.family]) ?? null) : null;
  if (!objects || !result) return null;
  const total = result.width * result.height;
  return (
    <section className="panel objects" aria-labelledby="objects-title" data-testid="object-list">
      <h2 id="objects-title">Objects ({objects.length})</h2>
      <ul>
        {objects.map((o, i) => (
          <li key={i}>
            <button
              type="button"
              data-testid="object"
              onClick={() => {
                clearPoints();
                void addPoint(controller, { x: o.point[0], y: o.point[1], positive: true });
              }}
            >
              <span className="name">{o.label}</span>
              <span className="share">
                {o.score.toFixed(2)} · {((100 * o.area) / total).toFixed(1)}%
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
