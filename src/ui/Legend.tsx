import { useMemo } from 'react';
import { familyById } from '../models/families';
import { meanScoreByLabel } from '../processing/classStats';
import { paletteFor, toHex } from '../processing/palette';
import { setHighlight } from '../services/view';
import { selectStillResult } from '../store/selectors';
import { useApp } from '../store/store';

const percent = (n: number, total: number) => `${((100 * n) / total).toFixed(1)}%`;

/**
 * Each class's colour, its share of the image and its mean score. Every row is a button that
 * names all three (its accessible name and tooltip) and, pressed, shows that class alone on the
 * picture (pressed again, all of them): the keyboard's way to read the picture, where the pointer
 * has its read-out. Nothing is shown before there is a result.
 */
export function Legend() {
  const result = useApp(selectStillResult);
  const highlight = useApp((s) => s.highlight);
  const model = useApp((s) => s.model);
  const stats = useMemo(
    () =>
      result &&
      meanScoreByLabel(
        result.labels,
        result.width,
        result.height,
        result.scores,
        result.scoreWidth,
        result.scoreHeight,
        result.classes.length + 1,
      ),
    [result],
  );
  const palette = useMemo(() => (result ? paletteFor(result.classes) : []), [result]);
  if (!result || !stats) return null;
  const total = result.width * result.height;
  const rows = result.classes.map((name, i) => ({ name, i, count: result.counts[i + 1] ?? 0 }));
  return (
    <section className="panel legend" data-testid="legend" aria-labelledby="legend-title">
      <h2 id="legend-title">Legend</h2>
      <ul>
        {rows.map(({ name, i, count }) => {
          const mean = stats[i + 1]!;
          const detail = count
            ? `${percent(count, total)} of the picture, mean score ${mean.toFixed(2)}`
            : 'not in the picture';
          return (
            <li key={i} data-class={name}>
              <button
                type="button"
                aria-pressed={highlight === i}
                aria-label={`${name}: ${detail}`}
                title={detail}
                data-testid="legend-item"
                onClick={() => setHighlight(highlight === i ? null : i)}
              >
                <span className="swatch" style={{ background: toHex(palette[i]!) }} />
                <span className="name">{name}</span>
                <span className="share">{percent(count, total)}</span>
              </button>
            </li>
          );
        })}
        <li data-class="">
          <span className="row">
            <span className="swatch none" />
            <span className="name">unlabelled</span>
            <span className="share">{percent(result.counts[0] ?? 0, total)}</span>
          </span>
        </li>
      </ul>
      {model && result.stats && (
        <LegendNote note={familyById(model.family).legendNote?.(result.stats[model.family]) ?? null} />
      )}
      {highlight !== null && highlight < result.classes.length && (
        <p className="hint" data-testid="legend-isolated" role="status">
          Showing only {result.classes[highlight]}.{' '}
          <button type="button" className="link" onClick={() => setHighlight(null)}>
            Show all
          </button>
        </p>
      )}
    </section>
  );
}

/** The family's word on how this result was labelled (e.g. what pixels no object covers take). */
function LegendNote({ note }: { note: string | null }) {
  return note ? (
    <p className="hint" data-testid="legend-note">
      {note}
    </p>
  ) : null;
}
