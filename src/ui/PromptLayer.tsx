import { useEffect, useRef } from 'react';
import { outlineLabels, outlineThickness } from '../processing/outlines';
import { drawPrompt } from '../render/overlay';
import type { LoadedImage } from '../store/store';
import { useApp } from '../store/store';

/** Twice the regions' outline: the object found at a click stands out from them. */
const WIDER = 2;

/**
 * The object found at the user's clicks, drawn over the result (outline and points), and its best
 * names beside the last point. Nothing while no point was given on this picture.
 */
export function PromptLayer({ image }: { image: LoadedImage }) {
  const prompt = useApp((s) => (s.prompt?.image === image ? s.prompt : null));
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const r = prompt?.result;
    const shown = c.getBoundingClientRect().width || image.width;
    const outline = r
      ? outlineLabels(
          Uint16Array.from(r.mask),
          r.width,
          r.height,
          outlineThickness((WIDER * image.width) / shown),
        )
      : null;
    drawPrompt(c, image.width, image.height, outline, prompt?.points ?? []);
  }, [prompt, image]);
  const last = prompt?.points.at(-1);
  return (
    <>
      <canvas ref={canvas} data-testid="prompt-layer" className="layer top passive" />
      {prompt?.result && last && (
        <div
          className="tooltip prompt"
          data-testid="prompt-classes"
          role="status"
          style={{ left: `${(100 * last.x) / image.width}%`, top: `${(100 * last.y) / image.height}%` }}
        >
          {prompt.result.classes.map((c) => `${c.label} ${c.score.toFixed(2)}`).join(' · ') || 'no class'}
          {` (mask quality ${prompt.result.score.toFixed(2)})`}
        </div>
      )}
    </>
  );
}
