/**
 * S1-S6 on a server with no browser: the page bench's scenario steps (tools/bench/summary.ts'
 * phases: the same pictures, vocabularies and order, a fresh engine per phase) run through the Node
 * engine on the given backend. Each step's time is what the engine spends on it: the vocabulary
 * when it changed, the picture when it is new (decoded beforehand: a page decodes in the browser),
 * and the segmentation. No transformers.js side: the page bench alone compares with it.
 */
import { ort, type Ep } from '../../src/models/runtime/ortRuntime';
import type { RgbaImage } from '../../src/processing/resize';
import type { ScenarioId } from '../bench/report';
import { scene } from '../bench/inputs';
import { phases } from '../bench/phases';
import { decodeImage, fsFetcher, newSegmenter, rgbaSource } from '../lib/nodeSegmenter';

export interface ScenarioFigures {
  /** Load and warm-up of each phase's engine, ms. */
  loadMs: number[];
  /** Each step's ms by scenario (S6: one a frame). */
  ms: Partial<Record<ScenarioId, number[]>>;
}

/** The page bench's pictures (tools/bench/run.ts' images()). */
function picture(name: string): RgbaImage {
  const seeds: Record<string, number> = { a: 1, b: 2, c: 3 };
  const frame = /^frame(\d+)$/.exec(name);
  const png = frame ? scene(640, 480, 4, Number(frame[1])) : scene(640, 480, seeds[name]!);
  return decodeImage(png);
}

export async function runScenarios(o: {
  model: string;
  ep: Ep;
  frames: number;
  threads: number;
  log: (line: string) => void;
}): Promise<ScenarioFigures> {
  const out: ScenarioFigures = { loadMs: [], ms: {} };
  const pictures = new Map<string, RgbaImage>();
  const pic = (name: string) => pictures.get(name) ?? pictures.set(name, picture(name)).get(name)!;
  for (const steps of phases(o.frames)) {
    const engine = newSegmenter();
    ort.env.wasm.numThreads = o.threads;
    try {
      const t0 = performance.now();
      await engine.load(fsFetcher(o.model), { path: 'ovseg.json' }, o.ep, { dtype: 'fp32' });
      // As the page bench: a word no scenario uses, so start-up encoding counts in no scenario.
      await engine.setVocabulary([{ label: 'zqxbench', names: ['zqxbench'] }]);
      out.loadMs.push(performance.now() - t0);
      let vocab = '';
      let image = '';
      for (const st of steps) {
        const img = pic(st.image);
        const key = JSON.stringify(st.classes);
        const t = performance.now();
        if (key !== vocab) await engine.setVocabulary(st.classes.map((c) => ({ ...c })));
        const fresh = st.live || st.image !== image;
        if (fresh) await engine.setImage(rgbaSource(img));
        await engine.segment({ threshold: 0, fresh, live: st.live ? { smoothing: 0 } : undefined });
        const ms = performance.now() - t;
        [vocab, image] = [key, st.image];
        (out.ms[st.id] ??= []).push(ms);
      }
      const line = Object.entries(out.ms)
        .filter(([id]) => steps.some((s) => s.id === id))
        .map(([id, v]) => `${id} ${v.map((x) => Math.round(x)).join('/')}`)
        .join(', ');
      o.log(`scenarios on ${o.ep}: load ${Math.round(out.loadMs.at(-1)!)} ms; ${line} ms`);
    } finally {
      await engine.dispose();
    }
  }
  return out;
}
