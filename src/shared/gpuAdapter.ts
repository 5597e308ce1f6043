/** Adapter names of software WebGPU implementations (for browsers that do not flag them). */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render driver/i;

/**
 * Whether an adapter is a software one: flagged as a fallback, or named like one. Here, not in the
 * store, because the worker asks it when it describes the GPU.
 */
export function isSoftwareAdapter(flagged: boolean, names: (string | undefined)[]): boolean {
  return flagged || names.some((n) => !!n && SOFTWARE.test(n));
}
