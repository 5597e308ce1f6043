/**
 * Test support: a GraphWriter whose weights are the sam-tiny fixture's own (its torch export's
 * initializers), so the builder's tiny graphs can be checked against the PyTorch references.
 *
 * The export names most parameters (`sam.<torch name>`). What it does not name is found by rule:
 * - linears' MatMul weights, stored transposed as `onnx::MatMul_<k>`: in module order (k rises as
 *   the trace meets them), which is the order the builder asks for them;
 * - tensors the trace folded into constants: by kind and rank in FOLDED;
 * - the first block's token self-attention: steer_decoder sets k_proj = q_proj and the exporter
 *   stores identical tensors once, so k_proj reads q_proj's.
 * Every fixture initializer must be used (`unused()`), and each one's size must fit.
 */
import { readFileSync } from 'node:fs';
import { decodeModel, type OnnxTensor } from '../../src/models/onnx/onnxProto';
import { GraphWriter } from './graphWriter';

/** Builder name -> [the folded tensor's op kind, its rank among that kind's anonymous tensors]. */
const FOLDED: Record<string, [string, number]> = {
  'image_encoder.neck.1.weight': ['Mul', 0],
  'image_encoder.neck.1.bias': ['Add', 0],
  'image_encoder.neck.3.weight': ['Mul', 1],
  'image_encoder.neck.3.bias': ['Add', 1],
  'prompt_encoder.point_embeddings.0.weight': ['Add', 0],
  'prompt_encoder.point_embeddings.1.weight': ['Add', 1],
  'prompt_encoder.no_mask_embed.weight': ['Add', 2],
  'mask_decoder.output_upscaling.1.bias': ['Add', 3],
  'mask_decoder.output_upscaling.1.weight': ['Mul', 0],
  'mask_decoder.output_tokens': ['Expand', 0],
};

const floats = (t: OnnxTensor) => {
  const raw = t.raw_data!;
  return new Float32Array(new Uint8Array(raw).buffer); // a copy: raw may be a Buffer view
};
const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export class FixtureWeights extends GraphWriter {
  private readonly byName = new Map<string, OnnxTensor>();
  private readonly anonymous = new Map<string, OnnxTensor[]>();
  private readonly used = new Set<string>();
  private readonly given = new Map<string, Float32Array>();
  private nextMatMul = 0;

  constructor(file: string) {
    super(0);
    const g = decodeModel(new Uint8Array(readFileSync(file))).graph!;
    for (const t of g.initializer!) {
      const m = /^onnx::(\w+)_(\d+)$/.exec(t.name!);
      if (!m) this.byName.set(t.name!, t);
      else this.anonymous.set(m[1]!, [...(this.anonymous.get(m[1]!) ?? []), t]);
    }
    const num = (t: OnnxTensor) => Number(/_(\d+)$/.exec(t.name!)![1]);
    for (const list of this.anonymous.values()) list.sort((a, b) => num(a) - num(b));
  }

  override weight(name: string, dims: number[]): string {
    return this.raw(name, dims, this.lookup(name, dims));
  }
  override filled(name: string, dims: number[]): string {
    return this.raw(name, dims, this.lookup(name, dims));
  }
  override values(name: string, dims: number[]): string {
    return this.raw(name, dims, this.lookup(name, dims));
  }

  /** Fixture initializers the builder never asked for (empty when the parameters match one to one). */
  unused(): string[] {
    const all = [...this.byName.keys(), ...[...this.anonymous.values()].flat().map((t) => t.name!)];
    return all.filter((n) => !this.used.has(n));
  }

  private take(t: OnnxTensor, want: number[], transpose = false): Float32Array {
    if (count(t.dims!) !== count(want)) throw new Error(`${t.name}: dims ${t.dims} for ${want}`);
    this.used.add(t.name!);
    const data = floats(t);
    if (!transpose) return data;
    const [rows, cols] = t.dims as [number, number];
    const out = new Float32Array(data.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
    return out;
  }

  private lookup(name: string, dims: number[]): Float32Array {
    const data = this.find(name, dims);
    this.given.set(name, data);
    return data;
  }

  private find(name: string, dims: number[]): Float32Array {
    const own = this.byName.get(`sam.${name}`);
    if (own) return this.take(own, dims);
    const shared = /^(.*)\.k_proj\.(weight_t|bias)$/.exec(name);
    if (shared && !this.byName.has(`sam.${shared[1]}.k_proj.bias`)) {
      const q = this.given.get(`${shared[1]}.q_proj.${shared[2]}`);
      if (q) return q;
    }
    if (name.endsWith('.weight_t')) {
      const torch = this.byName.get(`sam.${name.slice(0, -2)}`);
      if (torch) return this.take(torch, dims, true);
      const t = this.anonymous.get('MatMul')?.[this.nextMatMul++];
      if (!t || t.dims!.join() !== dims.join()) throw new Error(`${name}: no MatMul weight of dims ${dims}`);
      return this.take(t, dims);
    }
    const folded = FOLDED[name];
    const t = folded && this.anonymous.get(folded[0])?.[folded[1]];
    if (!t) throw new Error(`${name}: not in the fixture`);
    return this.take(t, dims);
  }
}
