import type { StateCreator } from 'zustand';
import type { AppState } from '../store';

export interface LiveStats {
  fps: number;
  /** Frame grab to result on screen, and the worker's share of it. */
  latencyMs: number;
  captureMs: number;
  flicker: number | null;
}

/** Webcam mode. */
export interface LiveSlice {
  /** The webcam is on and its frames are being segmented. */
  live: boolean;
  cameras: { deviceId: string; label: string }[];
  cameraId: string | null;
  mirrored: boolean;
  /** Weight of past frames in the temporal moving average (0 = off). */
  smoothing: number;
  liveStats: LiveStats | null;
  stream: MediaStream | null;
}

export const createLiveSlice: StateCreator<AppState, [], [], LiveSlice> = () => ({
  live: false,
  cameras: [],
  cameraId: null,
  mirrored: true,
  smoothing: 0,
  liveStats: null,
  stream: null,
});
