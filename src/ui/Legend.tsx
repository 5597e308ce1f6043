import { paletteFor, toHex } from '../processing/palette';
import { selectStillResult } from '../store/selectors';
import { useApp } from '../store/store';

/** Each class's colour and its share of the image. */
export function Legend() {
  const result = useApp(selectStillResult);
  if (!result) return <section className="panel legend" data-testid="legend" />;
  const total = result.width * result.height;
  const palette = paletteFor(result.classes);
  const share = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
  return (
    <section className="panel legend" data-testid="legend">
      <h2>Legend</h2>
      <ul>
        {result.classes.map((c, i) => (
          <li key={i} data-class={c}>
            <span className="swatch" style={{ background: toHex(palette[i]!) }} />
            <span className="name">{c}</span>
            <span className="share">{share(result.counts[i + 1] ?? 0)}</span>
          </li>
        ))}
        <li data-class="">
          <span className="swatch none" />
          <span className="name">unlabelled</span>
          <span className="share">{share(result.counts[0] ?? 0)}</span>
        </li>
      </ul>
    </section>
  );
}
