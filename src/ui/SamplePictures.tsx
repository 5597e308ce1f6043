import { openSample, SAMPLES, thumbnailUrl } from '../services/samples';
import { useServices } from './services';

/** Pictures shipped with the app, one click each (with classes that suit the running model). */
export function SamplePictures() {
  const { controller } = useServices();
  return (
    <section className="panel samples" aria-labelledby="samples-title">
      <h2 id="samples-title">Try a sample</h2>
      <ul>
        {SAMPLES.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              data-testid="sample"
              data-sample={s.id}
              title={`${s.title}: ${s.credit}`}
              onClick={() => void openSample(controller, s)}
            >
              <img src={thumbnailUrl(s)} alt="" width={72} height={48} />
              <span>{s.title}</span>
            </button>
          </li>
        ))}
      </ul>
      <p className="hint">Photos: NASA and SpaceX (public domain), Rachel Michetti (CC0).</p>
    </section>
  );
}
