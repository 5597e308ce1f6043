import { useCallback, useEffect, useRef, useState } from 'react';
import { sampleNearest } from '../processing/labels';
import { drawBitmap } from '../render/overlay';
import type { LiveController } from '../services/liveController';
import { useShallow } from 'zustand/react/shallow';
import { selectStillResult } from '../store/selectors';
import { useApp } from '../store/store';

interface Hover {
  x: number;
  y: number;
  left: number;
  top: number;
  text: string;
}

/** The image (or live video), its coloured label map on top, and the class under the pointer. */
export function Viewer({ live: ctl }: { live: LiveController }) {
  const { live, mirrored, image, result, liveResult, opacity, busy } = useApp(
    useShallow((s) => ({
      live: s.live,
      mirrored: s.mirrored,
      image: s.image,
      result: selectStillResult(s),
      liveResult: s.live ? s.result : null,
      opacity: s.opacity,
      busy: s.busy,
    })),
  );
  const base = useRef<HTMLCanvasElement>(null);
  const over = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  // Stable ref callback: a new one each render would restart playback every render.
  const videoRef = useCallback((v: HTMLVideoElement | null) => ctl.attach(v), [ctl]);

  useEffect(() => {
    if (base.current && image) drawBitmap(base.current, image.bitmap, image.width, image.height);
  }, [image]);
  useEffect(() => {
    if (over.current && image && !live)
      drawBitmap(over.current, result?.overlay ?? null, image.width, image.height);
  }, [image, result, live]);
  useEffect(() => {
    if (over.current && liveResult)
      drawBitmap(over.current, liveResult.overlay, liveResult.width, liveResult.height);
  }, [liveResult]);

  if (live)
    return (
      <div className="viewer">
        <div className={`stack${mirrored ? ' mirrored' : ''}`}>
          <video ref={videoRef} className="layer" muted playsInline data-testid="video" />
          <canvas ref={over} data-testid="overlay" className="layer top" style={{ opacity }} />
        </div>
      </div>
    );
  if (!image)
    return <div className="viewer empty">No image yet: drop one, paste one, or start the webcam.</div>;

  const onMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!result) return setHover(null);
    const r = e.currentTarget.getBoundingClientRect();
    const x = Math.min(result.width - 1, Math.floor(((e.clientX - r.left) / r.width) * result.width));
    const y = Math.min(result.height - 1, Math.floor(((e.clientY - r.top) / r.height) * result.height));
    const label = result.labels[y * result.width + x] ?? 0;
    const score = sampleNearest(
      result.scores,
      result.scoreHeight,
      result.scoreWidth,
      x,
      y,
      result.width,
      result.height,
    );
    const name = label === 0 ? 'unlabelled' : result.classes[label - 1];
    setHover({
      x,
      y,
      left: e.clientX - r.left,
      top: e.clientY - r.top,
      text: `${name} · ${score.toFixed(2)}`,
    });
  };

  return (
    <div className="viewer">
      <div className="stack">
        <canvas ref={base} className="layer" aria-label={`Image ${image.name}`} />
        <canvas
          ref={over}
          data-testid="overlay"
          className="layer top"
          style={{ opacity }}
          onPointerMove={onMove}
          onPointerLeave={() => setHover(null)}
        />
        {hover && (
          <div className="tooltip" data-testid="hover" style={{ left: hover.left + 12, top: hover.top + 12 }}>
            {hover.text}
          </div>
        )}
        {busy && <div className="spinner" aria-label="working" />}
      </div>
    </div>
  );
}
