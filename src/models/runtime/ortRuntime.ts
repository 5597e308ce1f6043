import * as ortPackage from 'onnxruntime-web';
import { ModelSessionFailedError } from '../../errors';

import type { Ep } from '../../shared/protocol';

export type { Ep };

/**
 * The ORT build every model and tensor here goes through (one build: a session refuses another
 * build's tensors). A live binding, so that Node can swap in the browser build, whose WebGPU backend
 * Node's own build leaves out (tools/lib/nodeSegmenter.ts), before it makes a session.
 */
export let ort: typeof ortPackage = ortPackage;
/** The types under the same name, as the namespace import gave them (`ort.Tensor` as a type). */
// eslint-disable-next-line @typescript-eslint/no-namespace -- types only, merged with the binding above
export declare namespace ort {
  type Tensor = ortPackage.Tensor;
  type InferenceSession = ortPackage.InferenceSession;
  // eslint-disable-next-line @typescript-eslint/no-namespace -- as above
  namespace InferenceSession {
    type SessionOptions = ortPackage.InferenceSession.SessionOptions;
    type OnnxValueMapType = ortPackage.InferenceSession.OnnxValueMapType;
  }
}

/** Replaces the ORT build (before any session or tensor is made: they belong to their build). */
export function useOrtBuild(build: typeof ortPackage): void {
  ort = build;
}

/** Makes transformers.js reuse this ORT instance instead of initialising its own build. */
export function shareOrtInstance(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] = ort;
}

let liveSessions = 0;

/** Sessions created and not yet released (diagnostics: a leak shows as a growing count). */
export const liveSessionCount = (): number => liveSessions;

/**
 * Creates a session on the chosen EP; ORT's own message is kept but framed for people. `extra`: more
 * session options (e.g. `preferredOutputLocation` to keep outputs on the GPU).
 */
export async function createSession(
  bytes: Uint8Array,
  ep: Ep,
  what: string,
  extra: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  try {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      ...extra,
    });
    liveSessions++;
    const release = session.release.bind(session);
    let released = false;
    session.release = () => {
      if (!released) liveSessions--;
      released = true;
      return release();
    };
    return session;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ModelSessionFailedError(
      `Could not load ${what} on ${ep === 'webgpu' ? 'WebGPU' : 'WASM'}: ${msg}${likelyReasons(msg, bytes.length)}`,
    );
  }
}

/**
 * ONNX Runtime's bare "Can't create a session" (an error code, no cause) says nothing a person can
 * act on: the likely causes, the model's size among them.
 */
export function likelyReasons(msg: string, bytes: number): string {
  if (!/can't create a session/i.test(msg) || msg.length > 120) return '';
  const mb = Math.round(bytes / 1e6);
  return (
    ` (likely: its weights are in a separate external-data file this app does not load, an operator ` +
    `this backend does not support, or its size, ${mb.toLocaleString('en-US')} MB, is more than this browser can hold)`
  );
}

/** ONNX files are protobuf ModelProto: the first field is ir_version (tag 0x08). */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 16 && bytes[0] === 0x08;
}
