// Runs every ONNX graph of fixtures/sam-tiny with onnxruntime-web (WASM, one thread) and prints, as JSON,
// the max abs differences from the PyTorch references in the folder. make_fixture.py calls it and puts
// the figures into golden.json; it also runs alone:
//
//   node tools/sam-fixture/check_onnx.mjs fixtures/sam-tiny [--dump DIR]
//
// --dump DIR writes the fp32 decoder's outputs for the automatic-mask-generation batches (for
// make_fixture.py, which reruns the AMG on them). pixel_values is rebuilt here from resized.png the way
// the app must build it (normalise with float32 rounding, pad with zeros), and checked against the
// SHA-256 in golden.json.
import * as ort from 'onnxruntime-web';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

ort.env.wasm.numThreads = 1;
const dir = process.argv[2] ?? 'fixtures/sam-tiny';
const dumpAt = process.argv.indexOf('--dump');
const dump = dumpAt > 0 ? process.argv[dumpAt + 1] : null;
const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8'));
const f = Math.fround;

const TYPES = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
};
function array(name) {
  const m = golden.arrays[name];
  const b = new Uint8Array(readFileSync(join(dir, m.file))); // a copy: aligned, offset 0
  return { data: new TYPES[m.dtype](b.buffer), dims: m.shape };
}
const tensor = (a, type = 'float32') => new ort.Tensor(type, a.data, a.dims);

function maxAbs(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// 8-bit RGB, non-interlaced PNG (what Pillow writes for resized.png)
function decodePng(buf) {
  let p = 8,
    w = 0,
    h = 0;
  const idat = [];
  while (p < buf.length) {
    const len = buf.readUInt32BE(p),
      type = buf.toString('latin1', p + 4, p + 8);
    const body = buf.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      w = body.readUInt32BE(0);
      h = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 2 || body[12] !== 0)
        throw new Error('expected 8-bit RGB, not interlaced');
    } else if (type === 'IDAT') idat.push(body);
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat)),
    bpp = 3,
    stride = w * bpp;
  const out = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const ft = raw[y * (stride + 1)],
      src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp] : 0,
        b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y ? out[(y - 1) * stride + x - bpp] : 0;
      let v = src[x];
      if (ft === 1) v += a;
      else if (ft === 2) v += b;
      else if (ft === 3) v += (a + b) >> 1;
      else if (ft === 4) {
        const pa = Math.abs(b - c),
          pb = Math.abs(a - c),
          pc = Math.abs(a + b - 2 * c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = v & 255;
    }
  }
  return { w, h, rgb: out };
}

function pixelValues() {
  const pre = golden.sam_preprocess;
  const { w, h, rgb } = decodePng(readFileSync(join(dir, pre.resized.file)));
  const px = new Float32Array(3 * 1024 * 1024);
  for (let c = 0; c < 3; c++) {
    const m = f(pre.mean[c]),
      s = f(pre.std[c]);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        px[c * 1024 * 1024 + y * 1024 + x] = f(f(f(rgb[(y * w + x) * 3 + c] / 255) - m) / s);
  }
  const sha = createHash('sha256').update(Buffer.from(px.buffer)).digest('hex');
  if (sha !== pre.pixel_values.sha256)
    throw new Error('pixel_values rebuilt from resized.png do not match the SHA-256');
  return new ort.Tensor('float32', px, [1, 3, 1024, 1024]);
}

const session = async (file) => ort.InferenceSession.create(readFileSync(join(dir, file)));
const report = {
  backend: `onnxruntime-web ${ort.env.versions?.web ?? ''} wasm, numThreads 1`.trim(),
  pixel_values_sha256: 'ok',
};
const px = pixelValues();
const embT = array('image_embeddings'),
  peT = array('image_positional_embeddings');

const encOut = {};
for (const v of ['', '_fp16', '_quantized']) {
  const s = await session(`vision_encoder${v}.onnx`);
  const o = await s.run({ pixel_values: px });
  encOut[v] = o;
  report[`vision_encoder${v}`] = {
    image_embeddings: maxAbs(o.image_embeddings.data, embT.data),
    image_positional_embeddings: maxAbs(o.image_positional_embeddings.data, peT.data),
  };
}

const cases = Object.keys(golden.decoder_cases);
const strided = (d, dims, k) => {
  // [..., H, W] -> [..., H/k, W/k] taking every k-th row and column
  const [H, W] = dims.slice(-2),
    n = d.length / (H * W),
    out = new Float32Array(n * (H / k) * (W / k));
  let o = 0;
  for (let i = 0; i < n; i++)
    for (let y = 0; y < H; y += k) for (let x = 0; x < W; x += k) out[o++] = d[i * H * W + y * W + x];
  return out;
};
for (const v of ['', '_fp16', '_quantized']) {
  const s = await session(`prompt_encoder_mask_decoder${v}.onnx`);
  const r = {};
  for (const c of cases) {
    const meta = golden.decoder_cases[c];
    const feeds = {
      input_points: tensor(array(meta.input_points)),
      input_labels: tensor(array(meta.input_labels), 'int64'),
    };
    const compare = (o) => {
      const m = meta.pred_masks
        ? maxAbs(o.pred_masks.data, array(meta.pred_masks).data)
        : maxAbs(strided(o.pred_masks.data, o.pred_masks.dims, 4), array(meta.pred_masks_s4).data);
      return { iou_scores: maxAbs(o.iou_scores.data, array(meta.iou_scores).data), pred_masks: m };
    };
    const given = await s.run({
      ...feeds,
      image_embeddings: tensor(embT),
      image_positional_embeddings: tensor(peT),
    });
    r[c] = compare(given);
    if (v) {
      const e = encOut[v];
      r[c].end_to_end = compare(
        await s.run({
          ...feeds,
          image_embeddings: e.image_embeddings,
          image_positional_embeddings: e.image_positional_embeddings,
        }),
      );
    }
  }
  report[`prompt_encoder_mask_decoder${v}`] = v
    ? {
        note: "per case: fed the PyTorch embeddings; end_to_end: fed this variant encoder's embeddings",
        ...r,
      }
    : r;
  if (!v && dump) {
    const grid = array('amg_grid_points_1024'),
      n = grid.dims[0],
      bs = golden.amg.config.points_per_batch;
    for (let b = 0; b * bs < n; b++) {
      const P = Math.min(bs, n - b * bs);
      const o = await s.run({
        input_points: new ort.Tensor('float32', grid.data.slice(b * bs * 2, (b * bs + P) * 2), [1, P, 1, 2]),
        input_labels: new ort.Tensor('int64', new BigInt64Array(P).fill(1n), [1, P, 1]),
        image_embeddings: tensor(embT),
        image_positional_embeddings: tensor(peT),
      });
      writeFileSync(join(dump, `amg_${b}_iou_scores.bin`), Buffer.from(o.iou_scores.data.buffer));
      writeFileSync(join(dump, `amg_${b}_pred_masks.bin`), Buffer.from(o.pred_masks.data.buffer));
    }
  }
}

const cpx = array('clip_pixel_values'),
  cref = array('clip_image_embeds');
for (const v of ['', '_fp16', '_quantized']) {
  const s = await session(`clip_vision_model${v}.onnx`);
  const o = await s.run({ pixel_values: tensor(cpx) });
  report[`clip_vision_model${v}`] = { image_embeds: maxAbs(o.image_embeds.data, cref.data) };
}
console.log(JSON.stringify(report));
