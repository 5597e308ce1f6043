import { useCallback, useEffect, useRef, useState } from 'react';
import type { SegmentResult } from '../shared/protocol';
import { sampleNearest } from '../processing/labels';
import { outlineLabels, outlineThickness } from '../processing/outlines';
import { colourizeLabels, paletteFor } from '../processing/palette';
import { clearCanvas, drawBitmap, drawRgba } from '../render/overlay';
import { selectStillResult } from '../store/selectors';
import { useApp, type LoadedImage } from '../store/store';
import { familyById } from '../models/families';
import { addPoint, clearPoints } from '../services/prompts';
import { PromptLayer } from './PromptLayer';
import { useServices } from './services';

/** The pointer over the picture: where (in picture pixels) and where to put the read-out. */
interface Pointer {
  x: number;
  y: number;
  left: number;
  top: number;
}

/** The class and score at a picture pixel of a result, as the read-out shows them. */
function readOut(r: SegmentResult, x: number, y: number): string {
  const label = r.labels[y * r.width + x] ?? 0;
  const score = sampleNearest(r.scores, r.scoreHeight, r.scoreWidth, x, y, r.width, r.height);
  return `${label === 0 ? 'unlabelled' : r.classes[label - 1]} · ${score.toFixed(2)}`;
}

/**
 * Fills: the worker's overlay bitmap, or, while the legend isolates a class, that class alone
 * (coloured here from the labels, a millisecond or two). Outlines: from the labels, at full opacity,
 * about one screen pixel wide whatever the picture's size.
 */
function drawLayers(
  fill: HTMLCanvasElement,
  lines: HTMLCanvasElement | null,
  r: SegmentResult | null,
  o: { width: number; height: number; highlight: number | null; outlines: boolean },
): void {
  if (r && o.highlight !== null && o.highlight < r.classes.length) {
    const others = new Set(r.classes.map((_, i) => i).filter((i) => i !== o.highlight));
    drawRgba(fill, colourizeLabels(r.labels, paletteFor(r.classes), others), r.width, r.height);
  } else drawBitmap(fill, r?.overlay ?? null, r?.width ?? o.width, r?.height ?? o.height);
  if (!lines) return;
  if (!r || !o.outlines) return clearCanvas(lines);
  const shownWidth = lines.getBoundingClientRect().width || r.width;
  drawRgba(
    lines,
    outlineLabels(r.labels, r.width, r.height, outlineThickness(r.width / shownWidth)),
    r.width,
    r.height,
  );
}

/**
 * The overlay and outline canvases of a result: redrawn when the result, the isolated class or the
 * outlines setting change. `size`: the picture's, for clearing when there is no result yet.
 */
function useResultLayers(shown: SegmentResult | null, size: { width: number; height: number } | null) {
  const over = useRef<HTMLCanvasElement>(null);
  const lines = useRef<HTMLCanvasElement>(null);
  const outlines = useApp((s) => s.outlines);
  const highlight = useApp((s) => s.highlight);
  const width = shown?.width ?? size?.width ?? 0;
  const height = shown?.height ?? size?.height ?? 0;
  useEffect(() => {
    if (over.current) drawLayers(over.current, lines.current, shown, { width, height, highlight, outlines });
  }, [shown, width, height, highlight, outlines]);
  return { over, lines, opacity: useApp((s) => s.opacity) };
}

/** The camera's video with the newest frame's result on top. */
function LiveView() {
  const { live: ctl } = useServices();
  const mirrored = useApp((s) => s.mirrored);
  const result = useApp((s) => s.result);
  const { over, lines, opacity } = useResultLayers(result, null);
  // Stable ref callback: a new one each render would restart playback every render.
  const videoRef = useCallback((v: HTMLVideoElement | null) => ctl.attach(v), [ctl]);
  return (
    <div className="viewer">
      <div className={`stack${mirrored ? ' mirrored' : ''}`}>
        <video ref={videoRef} className="layer" muted playsInline data-testid="video" />
        <canvas ref={over} data-testid="overlay" className="layer top" style={{ opacity }} />
        <canvas ref={lines} data-testid="outlines-layer" className="layer top" />
      </div>
    </div>
  );
}

/** The picture pixel under a pointer event on a canvas drawn at the picture's size. */
function pixelAt(e: React.MouseEvent<HTMLCanvasElement>, width: number, height: number) {
  const r = e.currentTarget.getBoundingClientRect();
  return {
    x: Math.min(width - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * width))),
    y: Math.min(height - 1, Math.max(0, Math.floor(((e.clientY - r.top) / r.height) * height))),
    left: e.clientX - r.left,
    top: e.clientY - r.top,
  };
}

/**
 * A still picture, its result on top, and the class and score under the pointer. For a family
 * that finds an object at a click, a click adds a point on the object, Shift- or Alt-click one off
 * it, and Escape forgets them.
 */
function StillView({ image }: { image: LoadedImage }) {
  const { controller } = useServices();
  const result = useApp(selectStillResult);
  const busy = useApp((s) => s.busy);
  const clickHint = useApp((s) => (s.model ? familyById(s.model.family).clickHint : undefined));
  useEffect(() => {
    if (!clickHint) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && clearPoints();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [clickHint]);
  const base = useRef<HTMLCanvasElement>(null);
  const { over, lines, opacity } = useResultLayers(result, image);
  const [pointer, setPointer] = useState<Pointer | null>(null);
  useEffect(() => {
    if (base.current) drawBitmap(base.current, image.bitmap, image.width, image.height);
  }, [image]);

  const onMove = (e: React.PointerEvent<HTMLCanvasElement>) =>
    setPointer(result ? pixelAt(e, result.width, result.height) : null);
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!clickHint) return;
    const { x, y } = pixelAt(e, image.width, image.height);
    void addPoint(controller, { x, y, positive: !(e.shiftKey || e.altKey) });
  };

  return (
    <div className="viewer">
      <div className="stack">
        <canvas ref={base} className="layer" role="img" aria-label={`Image ${image.name}`} />
        <canvas ref={over} data-testid="overlay" className="layer top" style={{ opacity }} />
        <canvas
          ref={lines}
          data-testid="outlines-layer"
          className="layer top"
          onPointerMove={onMove}
          onPointerLeave={() => setPointer(null)}
          onClick={onClick}
          style={clickHint ? { cursor: 'crosshair' } : undefined}
        />
        {clickHint && <PromptLayer image={image} />}
        {/* Read from the result shown now: a new threshold or result updates it without a pointer move. */}
        {pointer && result && (
          <div
            className="tooltip"
            data-testid="hover"
            style={{ left: pointer.left + 12, top: pointer.top + 12 }}
          >
            {readOut(result, pointer.x, pointer.y)}
          </div>
        )}
        {busy && <div className="spinner" role="status" aria-label="working" />}
      </div>
      {clickHint && (
        <p className="hint" data-testid="click-hint">
          {clickHint}
        </p>
      )}
    </div>
  );
}

/** The image (or live video), its coloured label map and outlines on top, and the read-out. */
export function Viewer() {
  const live = useApp((s) => s.live);
  const image = useApp((s) => s.image);
  if (live) return <LiveView />;
  if (!image)
    return (
      <div className="viewer empty">
        No image yet: drop one, paste one, pick a sample, or start the webcam.
      </div>
    );
  return <StillView image={image} />;
}
