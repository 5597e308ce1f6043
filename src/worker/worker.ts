/// <reference lib="webworker" />
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import mjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import type { RequestMessage, WorkerMessage } from '../shared/protocol';
import { detectGpu, evict, fetcher, sourceFromBitmap, storage, toBitmap } from './browserDeps';
import { EmbeddingCache } from './embeddingCache';
import { Segmenter } from './segmenter';
import { createHandler } from './handler';
import { indexedDbStore } from './idbStore';
import { liveSessionCount, ort, shareOrtInstance } from '../models/runtime/ortRuntime';
import { wasmMemoryBytes, watchWasmMemory } from './wasmMemory';

declare const self: DedicatedWorkerGlobalScope;

// The app serves ORT's runtime itself (never a CDN); give both files or threads break on 3+ cores.
ort.env.wasm.wasmPaths = { wasm: wasmUrl, mjs: mjsUrl };
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
shareOrtInstance();
watchWasmMemory();

// Text embeddings and other per-prompt values: one IndexedDB database, each cache bounded in memory.
const embeddings = new EmbeddingCache(indexedDbStore<Float32Array>());
const structured = new EmbeddingCache(indexedDbStore<unknown>());
const textCaches = [embeddings, structured] as EmbeddingCache<unknown>[];

const handle = createHandler({
  engine: new Segmenter(embeddings, structured),
  post: (msg: WorkerMessage, transfer: Transferable[] = []) => self.postMessage(msg, transfer),
  fetcher,
  storage: (prefixes, models) => storage(prefixes, models, structured),
  evict: (prefixes, models) => evict(prefixes, models, textCaches),
  textCacheBytes: () => embeddings.bytes + structured.bytes,
  gpuInfo: detectGpu,
  sourceFromBitmap,
  toBitmap,
  sessions: liveSessionCount,
  wasmBytes: wasmMemoryBytes,
});

// A request the Content-Security-Policy refuses is named in the worker's console: Chromium's own
// report of a worker's violation does not reach page-level tools (nor the end-to-end tests).
self.addEventListener('securitypolicyviolation', (e: Event) => {
  const v = e as SecurityPolicyViolationEvent;
  console.error(`Content Security Policy: ${v.effectiveDirective} refused ${v.blockedURI || 'inline code'}`);
});

self.onmessage = (e: MessageEvent<RequestMessage>) => void handle(e.data);
