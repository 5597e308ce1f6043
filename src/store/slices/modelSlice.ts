import type { StateCreator } from 'zustand';
import type { Ep, FileProgress, GpuInfo, ModelInfo, WorkSteps } from '../../shared/protocol';
import type { ModelEntry } from '../../services/catalogue';
import type { AppState } from '../store';

/** The engine side: adapter, backend, the loaded model and the one loading, and why a load failed. */
export interface ModelSlice {
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
  /** A persistent message above the app (e.g. fell back to the embedded model). */
  banner: string | null;
  loading: FileProgress | null;
  engineReady: boolean;
  /**
   * No model is loaded and none is loading: the last load failed with nothing to go back to (or
   * going back failed too). The status bar says so and offers a retry.
   */
  loadFailure: string | null;
  /** How far the running long job got (a vocabulary's prompts, a picture's decoder rows), or null. */
  work: WorkSteps | null;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = () => ({
  gpu: null,
  ep: 'wasm',
  backendReason: null,
  model: null,
  entry: null,
  loadingEntry: null,
  variantReason: '',
  banner: null,
  loading: null,
  engineReady: false,
  loadFailure: null,
  work: null,
});
