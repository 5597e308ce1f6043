import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../store/store';
import { Slider } from './Slider';
import { useServices } from './services';

/** Webcam toggle, camera picker, mirror and smoothing options, snapshot, and live figures. */
export function WebcamPanel() {
  const { live: ctl } = useServices();
  const { live, cameras, cameraId, mirrored, smoothing } = useApp(
    useShallow((s) => ({
      live: s.live,
      cameras: s.cameras,
      cameraId: s.cameraId,
      mirrored: s.mirrored,
      smoothing: s.smoothing,
    })),
  );

  useEffect(() => {
    void ctl.refreshCameras();
  }, [ctl]);

  return (
    <section className="panel webcam">
      <div className="row">
        <button
          data-testid="webcam-toggle"
          aria-pressed={live}
          onClick={() => (live ? ctl.stop() : void ctl.start())}
        >
          {live ? 'Stop webcam' : 'Start webcam'}
        </button>
        {live && (
          <button data-testid="snapshot" onClick={() => void ctl.snapshot()}>
            Snapshot
          </button>
        )}
      </div>
      {cameras.length > 0 && (
        <label className="field">
          Camera
          <select
            data-testid="camera-select"
            value={cameraId ?? ''}
            onChange={(e) => ctl.selectCamera(e.target.value)}
          >
            {cameras.map((c) => (
              <option key={c.deviceId} value={c.deviceId}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="check">
        <input
          type="checkbox"
          data-testid="mirror"
          checked={mirrored}
          onChange={(e) => ctl.setMirrored(e.target.checked)}
        />{' '}
        Mirror preview
      </label>
      <Slider
        label="Temporal smoothing"
        shown={smoothing === 0 ? 'off' : smoothing.toFixed(2)}
        value={smoothing}
        min={0}
        max={0.9}
        step={0.1}
        testId="smoothing"
        hint="Average class scores over recent frames: steadier labels, slower to follow motion"
        onChange={(v) => ctl.setSmoothing(v)}
      />
      <LiveStats />
    </section>
  );
}

/** The live figures: frame rate, frame-to-result time and each stage's, flicker. */
function LiveStats() {
  const { live, stats, timings } = useApp(
    useShallow((s) => ({
      live: s.live,
      stats: s.liveStats,
      timings: s.live ? s.result?.timings : undefined,
    })),
  );
  if (!live || !stats) return null;
  return (
    <p
      className="hint"
      data-testid="live-stats"
      data-fps={stats.fps.toFixed(2)}
      data-flicker={stats.flicker === null ? '' : stats.flicker.toFixed(4)}
    >
      {stats.fps.toFixed(1)} fps · frame to result {Math.round(stats.latencyMs)} ms
      {timings &&
        ` (preprocess ${Math.round(timings.preprocess)}, image model ${Math.round(timings.image)}, combine ${Math.round(
          timings.combine,
        )}, render ${Math.round(timings.render ?? 0)} ms)`}
      {stats.flicker !== null && ` · flicker ${(100 * stats.flicker).toFixed(1)}%`}
    </p>
  );
}
