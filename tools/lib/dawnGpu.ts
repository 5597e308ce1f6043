/**
 * WebGPU without a browser: Dawn's Node bindings (the `webgpu` package) give this process the
 * `navigator.gpu` that onnxruntime-web's WebGPU backend asks for. Dawn drives any Vulkan driver
 * through libvulkan1; on a machine with no GPU, Mesa's lavapipe (a CPU Vulkan driver) will do, from
 * Debian's bookworm-backports (bookworm's own Mesa 22.3 lacks a feature Dawn needs). See
 * docs/testing.md, "WebGPU in Node".
 */

export interface DawnGpu {
  /** The adapter's own description, e.g. lavapipe's "llvmpipe (LLVM …)". */
  adapter: string;
  /** Dawn's word for a CPU implementation (lavapipe, SwiftShader): its timings are not GPU speed. */
  isFallback: boolean;
}

const SETUP =
  'Node WebGPU needs a Vulkan loader and driver: on Debian 12, `apt-get install libvulkan1` and ' +
  '`apt-get install -t bookworm-backports mesa-vulkan-drivers` (see docs/testing.md, "WebGPU in Node")';

let installed: Promise<DawnGpu> | null = null;

/**
 * Gives this Node process a navigator.gpu from Dawn (the webgpu package), with the SharedArrayBuffer
 * writeBuffer copy; throws an Error with a plain message when there is no Vulkan loader/driver/adapter.
 */
export async function installDawnGpu(): Promise<DawnGpu> {
  // Once a process: ORT keeps the device it made from the first navigator.gpu it saw.
  installed ??= install();
  try {
    return await installed;
  } catch (e) {
    installed = null;
    throw e;
  }
}

async function install(): Promise<DawnGpu> {
  let gpu: GPU;
  let globals: object;
  try {
    // Loaded here, not at the top: the native module is only wanted by a process that asks for
    // WebGPU, and a machine without it still runs everything on WASM.
    const dawn = await import('webgpu');
    globals = dawn.globals;
    Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode… which ORT reads as globals
    gpu = dawn.create([]);
  } catch (e) {
    throw new Error(`Dawn could not start (${message(e)}). ${SETUP}`);
  }
  copySharedWrites(globals);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    throw new Error(`Dawn found no WebGPU adapter (${message(e)}). ${SETUP}`);
  }
  if (!adapter) throw new Error(`Dawn found no WebGPU adapter: no Vulkan driver answered. ${SETUP}`);
  // Node 21+ has a navigator of its own (without gpu); Node 20 has none.
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const info = adapter.info;
  return {
    adapter: [info.description, info.vendor].filter(Boolean).join(', ') || 'unnamed adapter',
    isFallback: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
  };
}

/**
 * Dawn's GPUQueue.writeBuffer refuses views on a SharedArrayBuffer (WebGPU's IDL allows them only
 * in a browser's cross-origin-isolated pages), and ORT's threaded build keeps its heap on one: hand
 * Dawn a copy of the bytes instead.
 */
function copySharedWrites(globals: object): void {
  const queue = (globals as { GPUQueue: { prototype: GPUQueue } }).GPUQueue.prototype;
  const write = queue.writeBuffer;
  queue.writeBuffer = function (
    this: GPUQueue,
    buffer: GPUBuffer,
    offset: number,
    data: BufferSource | SharedArrayBuffer,
    dataOffset?: number,
    size?: number,
  ): undefined {
    if (data instanceof SharedArrayBuffer) {
      const start = dataOffset ?? 0;
      const bytes = new Uint8Array(data, start, size ?? data.byteLength - start).slice();
      return write.call(this, buffer, offset, bytes, 0, bytes.length);
    }
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      // slice() copies into a fresh ArrayBuffer and keeps the element type, so dataOffset and size
      // (counted in elements for typed arrays) still mean the same.
      const copy = (data as unknown as { slice(): ArrayBufferView }).slice();
      return writeGiven(this, buffer, offset, copy as BufferSource, dataOffset, size);
    }
    return writeGiven(this, buffer, offset, data as BufferSource, dataOffset, size);
  };
  // Dawn refuses an explicit `undefined` for the optional arguments: pass on only those given.
  function writeGiven(
    q: GPUQueue,
    buffer: GPUBuffer,
    offset: number,
    data: BufferSource,
    dataOffset?: number,
    size?: number,
  ): undefined {
    if (dataOffset === undefined) return write.call(q, buffer, offset, data);
    if (size === undefined) return write.call(q, buffer, offset, data, dataOffset);
    return write.call(q, buffer, offset, data, dataOffset, size);
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
