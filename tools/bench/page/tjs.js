// The baseline: transformers.js's own CLIPSeg classes, used as its documentation shows (tokenizer +
// processor + one model call), then sigmoid, max over a class's names and per-pixel argmax.
// Plain JavaScript: the page is served as is, with an import map (tjs.html).
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPSegForImageSegmentation,
  RawImage,
  env,
} from '@huggingface/transformers';

const q = new URLSearchParams(location.search);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = '/models/';
// Each round starts in a fresh browser context; a Cache Storage copy of the model would only add load time.
env.useBrowserCache = false;
env.backends.onnx.wasm.wasmPaths = {
  mjs: '/ort/ort-wasm-simd-threaded.asyncify.mjs',
  wasm: '/ort/ort-wasm-simd-threaded.asyncify.wasm',
};
env.backends.onnx.wasm.numThreads = Number(q.get('threads') || 1);

let tokenizer, processor, model;
const images = new Map();

function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

window.bench = {
  /** dtype: 'fp32' (onnx/model.onnx) or 'q8' (onnx/model_quantized.onnx, transformers.js's WASM default). */
  async load(name, device, dtype = 'fp32') {
    const t0 = performance.now();
    tokenizer = await AutoTokenizer.from_pretrained(name);
    processor = await AutoProcessor.from_pretrained(name);
    model = await CLIPSegForImageSegmentation.from_pretrained(name, { device, dtype });
    document.getElementById('state').textContent = 'ready';
    return { loadMs: performance.now() - t0, threads: env.backends.onnx.wasm.numThreads };
  },
  /** Decodes a picture ahead of the timed call (the app side gets a decoded bitmap too). */
  async image(url) {
    if (!images.has(url)) images.set(url, await RawImage.fromURL(url));
  },
  /**
   * One segmentation: classes are [{ names }]. Returns wall time and parts; with `labels`, the
   * label map at the model's resolution (base64 bytes, class index + 1) and the pixel values fed.
   */
  async segment(url, classes, opts = {}) {
    const image = images.get(url);
    if (!image) throw new Error(`picture not decoded: ${url}`);
    const prompts = [];
    const promptClass = [];
    classes.forEach((c, k) => c.names.forEach((n) => (prompts.push(n), promptClass.push(k))));
    const t0 = performance.now();
    const textInputs = tokenizer(prompts, { padding: true, truncation: true });
    const imageInputs = await processor(image);
    const t1 = performance.now();
    const { logits } = await model({ ...textInputs, ...imageInputs });
    const t2 = performance.now();
    const [n, h, w] = logits.dims;
    const P = h * w;
    const data = logits.data;
    const C = classes.length;
    // sigmoid is increasing: the max over names and the argmax can use the logits themselves.
    const best = new Float32Array(P).fill(-Infinity);
    const labels = new Uint8Array(P);
    const score = new Float32Array(P);
    for (let r = 0; r < n; r++) {
      const k = promptClass[r];
      for (let p = 0; p < P; p++) {
        const v = data[r * P + p];
        if (v > best[p]) {
          best[p] = v;
          labels[p] = Math.min(255, k + 1);
        }
      }
    }
    for (let p = 0; p < P; p++) score[p] = 1 / (1 + Math.exp(-best[p]));
    const t3 = performance.now();
    const out = {
      wall: t3 - t0,
      parts: { pre: t1 - t0, model: t2 - t1, post: t3 - t2 },
      prompts: n,
      classes: C,
      h,
      w,
    };
    if (opts.labels) {
      out.labels = toBase64(labels);
      const px = imageInputs.pixel_values.data;
      out.pixels = toBase64(new Uint8Array(px.buffer, px.byteOffset, px.byteLength));
      out.pixelDims = imageInputs.pixel_values.dims;
    }
    return out;
  },
};
document.getElementById('state').textContent = 'script ready';
