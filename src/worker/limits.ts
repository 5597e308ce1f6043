import { MAX_MANIFEST_BYTES } from '../models/manifest';

/**
 * How many bytes one file of a bundle may take. Every download is streamed and counted against its
 * cap, so an endless or lying server costs at most the cap in memory, never the tab.
 */
const MiB = 1024 * 1024;

export const LIMITS = {
  manifest: MAX_MANIFEST_BYTES,
  /** CLIP's tokenizer.json is about 2 MB; multilingual tokenizers reach ~10 MB. */
  tokenizerJson: 16 * MiB,
  tokenizerConfig: 1 * MiB,
  /**
   * An ONNX file whose manifest declares no size. The WASM runtime's heap is 4 GiB and must hold the
   * model plus its working memory, so a bigger graph could not run in a tab anyway.
   */
  onnx: 2048 * MiB,
} as const;

/**
 * Cap for a file whose manifest declares its size: the declared size (the manifest's sizes are
 * approximate) plus a quarter and 1 MiB, never above the general ONNX cap.
 */
export function capFor(declared: number | undefined, fallback: number = LIMITS.onnx): number {
  if (declared === undefined || !Number.isFinite(declared) || declared <= 0) return fallback;
  return Math.min(fallback, Math.ceil(declared * 1.25) + MiB);
}
