import type { StateCreator } from 'zustand';
import type { SegmentResult } from '../../shared/protocol';
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
}

export const createImageSlice: StateCreator<AppState, [], [], ImageSlice> = () => ({
  image: null,
  result: null,
  busy: false,
  resultImage: null,
});
