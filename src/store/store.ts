import { create } from 'zustand';
import type { Ep, FileProgress, GpuInfo, ModelInfo, NamesRule, SegmentResult } from '../engine/protocol';
import { parseVocabulary, type ParsedVocabulary } from '../processing/vocabulary';
import type { ModelEntry } from './catalogue';

export interface Notice {
  id: number;
  level: 'error' | 'warning' | 'info';
  text: string;
}

export interface LoadedImage {
  /** Kept on the main thread for display; the worker gets its own copy. */
  bitmap: ImageBitmap;
  name: string;
  width: number;
  height: number;
}

interface EngineSlice {
  gpu: GpuInfo | null;
  ep: Ep;
  /** Why the app started on WASM although WebGPU has an adapter (null: nothing to explain). */
  backendReason: string | null;
  model: ModelInfo | null;
  /** The catalogue entry of the loaded model, and of the one being loaded. */
  entry: ModelEntry | null;
  loadingEntry: ModelEntry | null;
  /** Why this file variant runs (shown in the model manager). */
  variantReason: string;
  /** Base URL of the model hub (build setting or ?hub=). */
  hub: string;
  embeddedUrl: string;
  /** A persistent message above the app (e.g. fell back to the embedded model). */
  banner: string | null;
  loading: { file: string; loaded: number; total: number | null } | null;
  engineReady: boolean;
  /**
   * No model is loaded and none is loading: the last load failed with nothing to go back to (or
   * going back failed too). The status bar says so and offers a retry.
   */
  loadFailure: string | null;
}

interface InputSlice {
  image: LoadedImage | null;
  classesText: string;
  vocab: ParsedVocabulary;
  /** Names of the vocabulary the loaded model knows no word of (the worker's answer to it). */
  unknownNames: string[];
}

interface ResultSlice {
  result: SegmentResult | null;
  busy: boolean;
  /** The result belongs to this image (a new image clears it). */
  resultImage: LoadedImage | null;
}

interface ViewSlice {
  opacity: number;
  threshold: number;
  /** Dense family: the user's rule for classes with several names; null = the model's default. */
  names: NamesRule | null;
  notices: Notice[];
}

export interface LiveStats {
  fps: number;
  /** Frame grab to result on screen, and the worker's share of it. */
  latencyMs: number;
  captureMs: number;
  flicker: number | null;
}

interface LiveSlice {
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

export type AppState = EngineSlice & InputSlice & ResultSlice & ViewSlice & LiveSlice;

const DEFAULT_CLASSES = 'sky | blue, grass | green, red, yellow, white, black';

export const useApp = create<AppState>()(() => ({
  gpu: null,
  ep: 'wasm',
  backendReason: null,
  model: null,
  entry: null,
  loadingEntry: null,
  variantReason: '',
  hub: '',
  embeddedUrl: '',
  banner: null,
  loading: null,
  engineReady: false,
  loadFailure: null,
  image: null,
  classesText: DEFAULT_CLASSES,
  vocab: parseVocabulary(DEFAULT_CLASSES),
  unknownNames: [],
  result: null,
  busy: false,
  resultImage: null,
  opacity: 0.6,
  threshold: 0,
  names: null,
  notices: [],
  live: false,
  cameras: [],
  cameraId: null,
  mirrored: true,
  smoothing: 0,
  liveStats: null,
  stream: null,
}));

let noticeId = 1;
/** Adds a message; the same text is not repeated while it is on screen. */
export function notify(level: Notice['level'], text: string): void {
  const { notices } = useApp.getState();
  if (notices.some((n) => n.text === text)) return;
  useApp.setState({ notices: [...notices.slice(-4), { id: noticeId++, level, text }] });
}

export function dismiss(id: number): void {
  useApp.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

export function setLoading(p: FileProgress | null): void {
  useApp.setState({ loading: p });
}

/** Settings travel in the page address, so a link shares them. */
export function keepInAddress(key: string, value: string): void {
  const url = new URL(location.href);
  url.searchParams.set(key, value);
  history.replaceState(null, '', url);
}
