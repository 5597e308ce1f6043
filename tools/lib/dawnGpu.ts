/**
 * WebGPU in Node from Dawn (the `webgpu` package's dawn.node), so that the engine's WebGPU path runs
 * outside a browser: `navigator.gpu` and the GPU* globals, installed once.
 */
import { create, globals } from 'webgpu';

export interface DawnGpu {
  adapter: string;
  isFallback: boolean;
}

let installed: Promise<DawnGpu> | null = null;

/**
 * Installs Dawn's `navigator.gpu` and returns the adapter it offers; throws a plain Error when there
 * is none (no Vulkan loader, no driver, or a driver with no usable device).
 */
export function installDawnGpu(): Promise<DawnGpu> {
  installed ??= install();
  return installed;
}

async function install(): Promise<DawnGpu> {
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu },
    configurable: true,
    writable: true,
  });
  // ORT's threaded WASM build hands writeBuffer its SharedArrayBuffer heap (or views on it), which
  // Dawn's binding refuses: those bytes go over as a copy on an ordinary buffer.
  const proto = GPUQueue.prototype;
  const write = proto.writeBuffer;
  proto.writeBuffer = function (this: GPUQueue, ...args: Parameters<GPUQueue['writeBuffer']>) {
    const data = args[2];
    if (data instanceof SharedArrayBuffer) {
      const [from, size] = [args[3] ?? 0, args[4] ?? data.byteLength - (args[3] ?? 0)];
      return write.call(this, args[0], args[1], new Uint8Array(data, from, size).slice());
    }
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer)
      args[2] = copyView(data) as GPUAllowSharedBufferSource;
    // Only the arguments given: Dawn's overloads refuse an explicit undefined.
    return write.apply(this, args);
  } as GPUQueue['writeBuffer'];
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    throw new Error(`Dawn could not look for a GPU adapter: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!adapter) throw new Error('Dawn found no GPU adapter (no Vulkan loader, driver or device)');
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const name = [info.description, info.vendor, info.architecture].filter(Boolean).join(', ');
  return { adapter: name || 'unnamed adapter', isFallback: info.isFallbackAdapter ?? false };
}

/** A typed-array view copied onto its own ArrayBuffer, keeping its element type. */
function copyView(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  const Ctor = view.constructor as new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView;
  const per = (view as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  return new Ctor(bytes.buffer, 0, view.byteLength / per);
}
