import type { StateCreator } from 'zustand';
import type { PromptPoint, PromptResult, SegmentResult } from '../../shared/protocol';
import type { AppState } from '../store';

export interface LoadedImage {
  /** Kept on the main thread for display; the worker gets its own copy. */
  bitmap: ImageBitmap;
  name: string;
  width: number;
  height: number;
}

/** The still image and the newest result (of the image, or of a live frame). */
export interface ImageSlice {
  image: LoadedImage | null;
  result: SegmentResult | null;
  busy: boolean;
  /** The result belongs to this image (a new image clears it). */
  resultImage: LoadedImage | null;
  /**
   * Families that find an object at a click: the points given on the current picture and the
   * object found at them (`image`: the picture they belong to; a new picture clears them).
   */
  prompt: { image: LoadedImage; points: PromptPoint[]; result: PromptResult | null } | null;
}

export const createImageSlice: StateCreator<AppState, [], [], ImageSlice> = () => ({
  image: null,
  result: null,
  busy: false,
  resultImage: null,
  prompt: null,
});
