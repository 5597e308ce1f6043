/**
 * Finds ONNX Runtime's WebAssembly memory, which ORT does not expose: it is either created in
 * JavaScript (threaded builds share one `WebAssembly.Memory`) or exported by the instance. Both
 * ways are watched from worker start, before ORT initialises. Diagnostics only (soak test, ?debug).
 */
const seen: WebAssembly.Memory[] = [];

function remember(m: unknown): void {
  if (m instanceof WebAssembly.Memory && !seen.includes(m)) seen.push(m);
}

function fromInstance(r: unknown): void {
  const inst = r instanceof WebAssembly.Instance ? r : (r as { instance?: unknown } | null)?.instance;
  if (inst instanceof WebAssembly.Instance)
    for (const v of Object.values(inst.exports as Record<string, unknown>)) remember(v);
}

export function watchWasmMemory(): void {
  const W = WebAssembly as unknown as Record<string, unknown>;
  if (W.__ovsegWatched) return;
  W.__ovsegWatched = true;
  const Memory = WebAssembly.Memory;
  W.Memory = new Proxy(Memory, {
    construct(target, args: [WebAssembly.MemoryDescriptor]) {
      const m = new target(...args);
      remember(m);
      return m;
    },
  });
  for (const name of ['instantiate', 'instantiateStreaming'] as const) {
    const orig = WebAssembly[name] as (...a: unknown[]) => Promise<unknown>;
    W[name] = (...a: unknown[]) =>
      orig.apply(WebAssembly, a).then((r) => {
        fromInstance(r);
        return r;
      });
  }
}

/** Bytes of the largest WebAssembly memory seen (ORT's heap), or null before ORT started. */
export function wasmMemoryBytes(): number | null {
  if (seen.length === 0) return null;
  return Math.max(...seen.map((m) => m.buffer.byteLength));
}
