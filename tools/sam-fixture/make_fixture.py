"""Makes fixtures/sam-tiny: a tiny random-weight SAM (upstream architecture, Hugging Face / transformers.js
ONNX layout) with fp16 and dynamic-int8 variants, SAM's automatic mask generation on a synthetic picture,
and the naming of its masks by a dense CLIP tower (ClearCLIP) and GKC's class combination.

    /usr/bin/python3 tools/sam-fixture/make_fixture.py fixtures/sam-tiny

Needs Debian's python3-torch (1.13), python3-torchvision, python3-onnx (1.12), python3-pil,
python3-numpy, and node with the repository's node_modules/onnxruntime-web (the ONNX graphs are checked with
onnxruntime-web's WASM backend by check_onnx.mjs; its figures go into golden.json). Deterministic:
torch runs on one thread and every random draw is seeded.
"""
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the checkout

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import amg_reference as amg  # noqa: E402
import clip_tiny  # noqa: E402
import naming_reference as nr  # noqa: E402
from fp16_convert import convert_float_to_float16  # noqa: E402
from picture import (CLIP_MEAN, CLIP_STD, H, IMAGENET_MEAN, IMAGENET_STD, W, clip_preprocess,  # noqa: E402
                     draw, longest_side, sam_preprocess)
from quantize_dynamic import quantize_dynamic  # noqa: E402
from sam_tiny import (SAM_CONFIG, PromptEncoderMaskDecoderGraph, VisionEncoderGraph, build_sam)  # noqa: E402

# Automatic mask generation of the fixture: upstream's algorithm with a small grid and thresholds
# lowered for random weights (upstream's defaults: amg.UPSTREAM_DEFAULTS).
AMG_CONFIG = {
    "points_per_side": 8,
    "points_per_batch": 16,
    "pred_iou_thresh": 0.43,
    "stability_score_thresh": 0.53,
    "stability_score_offset": 1.0,
    "box_nms_thresh": 0.7,
    "mask_threshold": 0.0,
    "crop_n_layers": 0,
    "min_mask_region_area": 0,
}
CLIP_CONFIG = {"width": 32, "layers": 3, "heads": 2, "projection_dim": 16, "image_size": 224, "patch_size": 16,
               "seed": 5, "layer_norm_eps": 1e-5, "hidden_act": "quick_gelu"}
# Vocabularies of the naming reference: names are prompts of fixtures/clip-text-tiny (template "{}").
# With random towers all patch embeddings point about the same way, so with the first vocabulary one
# class wins everywhere; the second ("b_" arrays) picks near-tied prompts so the maps vary in space.
VOCABULARIES = {
    "": {"classes": [["cat", "kitten"], ["dog"], ["sky"], ["a photo of a dog."]],
         "thresholds": {"label_map": 0.0, "label_map_t05": 0.5}},
    "b_": {"classes": [["a photo of the kitten."], ["a photo of a kitten.", "kitten"], ["sky", "a photo of the sky."]],
           "thresholds": {"b_label_map": 0.0, "b_label_map_t20": 2.0}},
}
LOGIT_SCALE = 100.0
NEAR = {"score": 0.01, "nms_iou": 0.02, "logit": 1e-3}  # what counts as near a threshold

OPSET = 17
ENC_AXES = {"pixel_values": {0: "batch_size"}, "image_embeddings": {0: "batch_size"},
            "image_positional_embeddings": {0: "batch_size"}}
DEC_AXES = {"input_points": {0: "batch_size", 1: "point_batch_size", 2: "nb_points_per_image"},
            "input_labels": {0: "batch_size", 1: "point_batch_size", 2: "nb_points_per_image"},
            "image_embeddings": {0: "batch_size"}, "image_positional_embeddings": {0: "batch_size"},
            "iou_scores": {0: "batch_size", 1: "point_batch_size"},
            "pred_masks": {0: "batch_size", 1: "point_batch_size"}}


class Out:
    """Writes raw little-endian arrays and records them for golden.json."""

    def __init__(self, d):
        self.d, self.meta = d, {}

    def save(self, name, a, dtype, note=None):
        a = np.ascontiguousarray(np.asarray(a).astype(dtype))
        a.tofile(os.path.join(self.d, name + ".bin"))
        self.meta[name] = {"file": name + ".bin", "dtype": np.dtype(dtype).name, "shape": list(a.shape)}
        if note:
            self.meta[name]["note"] = note
        return a


def export(module, args, path, inputs, outputs, axes):
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)


def set_output_dims(path, dims):
    """The exporter names the output dims it cannot prove static; write the known sizes instead."""
    m = onnx.load(path)
    for v in m.graph.output:
        for d, want in zip(v.type.tensor_type.shape.dim, dims[v.name]):
            if isinstance(want, int):
                d.ClearField("dim_param")
                d.dim_value = want
            else:
                d.dim_param = want
    onnx.save(m, path)


def variants(path):
    """Writes PATH_fp16.onnx and PATH_quantized.onnx next to PATH.onnx."""
    base = path[:-len(".onnx")]
    onnx.save(convert_float_to_float16(onnx.load(path)), base + "_fp16.onnx")
    onnx.save(quantize_dynamic(onnx.load(path)), base + "_quantized.onnx")


def graph_io(path):
    m = onnx.load(path)
    elem = {v: k for k, v in onnx.TensorProto.DataType.items()}

    def vi(v):
        dims = [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
        return {"name": v.name, "dtype": elem[v.type.tensor_type.elem_type].lower(), "shape": dims}
    return {"inputs": [vi(v) for v in m.graph.input], "outputs": [vi(v) for v in m.graph.output],
            "opset": m.opset_import[0].version, "bytes": os.path.getsize(path)}


def main(out_dir):
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    o = Out(out_dir)
    golden = {"what": "Tiny random-weight SAM (mask proposals) named by a tiny dense CLIP, GKC-style; "
                      "made by tools/sam-fixture/make_fixture.py",
              "torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
              "numpy": np.__version__, "pillow": Image.__version__, "exporter": "torchscript",
              "opset": OPSET, "sam_config": SAM_CONFIG}

    # ---------------------------------------------------------------- picture and SAM preprocessing
    rgb = draw()
    img = Image.fromarray(rgb)
    img.save(os.path.join(out_dir, "image.png"))
    resized, px = sam_preprocess(img)
    Image.fromarray(resized).save(os.path.join(out_dir, "resized.png"))
    nh, nw = longest_side(H, W)
    golden["image"] = {"file": "image.png", "width": W, "height": H}
    golden["sam_preprocess"] = {
        "resize": "longest side to 1024 with PIL Image.resize((new_w, new_h), BILINEAR); new = int(side * 1024 / max(h, w) + 0.5)",
        "resized": {"file": "resized.png", "width": nw, "height": nh, "note": "Pillow's output, lossless"},
        "normalize": "(v/255 - mean)/std per channel, each step rounded to float32",
        "mean": IMAGENET_MEAN, "std": IMAGENET_STD,
        "pad": "zeros bottom-right to 1024x1024 (after normalisation)",
        "pixel_values": {"shape": [1, 3, 1024, 1024], "dtype": "float32",
                         "sha256": hashlib.sha256(px.tobytes()).hexdigest(),
                         "note": "not stored (12 MB): rebuild it from resized.png; this hash is of its little-endian bytes"},
        "original_size": [H, W], "reshaped_input_size": [nh, nw],
    }

    # ---------------------------------------------------------------- SAM
    m = build_sam()
    enc, dec = VisionEncoderGraph(m).eval(), PromptEncoderMaskDecoderGraph(m).eval()
    with torch.no_grad():
        emb, pe = enc(torch.from_numpy(px))
    o.save("image_embeddings", emb, np.float32)
    o.save("image_positional_embeddings", pe, np.float32)

    scale_xy = np.array([nw / W, nh / H])  # what transformers.js's processor multiplies points by

    def to1024(p):
        return (np.asarray(p, np.float64) * scale_xy).astype(np.float32)

    cases = {
        "point1": ([[[105, 150]]], [[1]], "one positive point (the house)"),
        "points3": ([[[231, 120], [231, 175], [265, 45]]], [[1, 1, 0]],
                    "one object: two positive points (tree crown, trunk) and a negative one (sun)"),
        "batch4": ([[[265, 45]], [[105, 150]], [[40, 215]], [[160, 30]]], [[1], [1], [1], [1]],
                   "P=4 prompts of one positive point each (sun, house, grass, sky)"),
        "padded": ([[[105, 150], [60, 200]], [[231, 120], [0, 0]]], [[1, 1], [1, -10]],
                   "P=2, n=2: the second prompt has one point and a padding point (label -10, embedding 0)"),
    }
    golden["decoder_cases"] = {}
    upstream_check = 0.0
    for name, (pts, labels, what) in cases.items():
        ip = torch.from_numpy(to1024(pts))[None]
        il = torch.tensor(labels, dtype=torch.int64)[None]
        with torch.no_grad():
            iou, masks = dec(ip, il, emb, pe)
            if name != "padded":  # upstream has no padding label; everything else must agree
                for p in range(ip.shape[1]):
                    um, ui = m.upstream_predict(emb, ip[0, p:p + 1], il[0, p:p + 1])
                    upstream_check = max(upstream_check, (um - masks[0, p:p + 1]).abs().max().item(),
                                         (ui - iou[0, p:p + 1]).abs().max().item())
        entry = {"what": what, "points_original_frame": pts, "labels": labels}
        for k, v, dt in (("input_points", ip, np.float32), ("input_labels", il, np.int64), ("iou_scores", iou, np.float32)):
            o.save(f"dec_{name}_{k}", v, dt)
            entry[k] = f"dec_{name}_{k}"
        if name == "padded":
            o.save(f"dec_{name}_pred_masks_s4", masks[..., ::4, ::4], np.float32,
                   note="pred_masks[..., ::4, ::4] (every 4th row and column), to keep the fixture small")
            entry["pred_masks_s4"] = f"dec_{name}_pred_masks_s4"
        else:
            o.save(f"dec_{name}_pred_masks", masks, np.float32)
            entry["pred_masks"] = f"dec_{name}_pred_masks"
        golden["decoder_cases"][name] = entry
    assert upstream_check < 1e-5, upstream_check
    golden["hf_layout_vs_upstream_max_abs_diff"] = upstream_check

    # ---------------------------------------------------------------- automatic mask generation
    def decode(points_1024):
        with torch.no_grad():
            iou, masks = dec(points_1024[None, :, None, :],
                             torch.ones(1, points_1024.shape[0], 1, dtype=torch.int64), emb, pe)
        return masks[0], iou[0]

    gen = amg.AutomaticMaskGenerator(decode, **{k: AMG_CONFIG[k] for k in (
        "points_per_side", "points_per_batch", "pred_iou_thresh", "stability_score_thresh",
        "stability_score_offset", "box_nms_thresh", "mask_threshold")})
    anns = gen.generate((H, W))
    K = len(anns)
    assert K > 0
    masks_k = np.stack([a["segmentation"] for a in anns]).astype(bool)
    o.save("amg_masks", masks_k, np.uint8, note="binary masks at the original size, in output order")
    o.save("amg_iou", [a["predicted_iou"] for a in anns], np.float32)
    o.save("amg_stability", [a["stability_score"] for a in anns], np.float32)
    o.save("amg_boxes", [a["bbox"] for a in anns], np.int32,
           note="XYWH as upstream records it: x0, y0 (inclusive first column/row), x1 - x0, y1 - y0 with x1/y1 the last column/row (a 1-pixel-wide mask has width 0)")
    o.save("amg_area", [a["area"] for a in anns], np.int32)
    o.save("amg_points", [a["point_coords"][0] for a in anns], np.float32,
           note="each mask's prompt point (x, y) in the original frame")
    o.save("amg_source", [[a["candidate"] // 3, a["candidate"] % 3] for a in anns], np.int32,
           note="[grid point index (row-major, x fastest), multimask output index 0..2]")
    grid = amg.build_point_grid(AMG_CONFIG["points_per_side"])
    grid_orig = grid * np.array([W, H])[None]
    grid_1024 = amg.apply_coords(grid_orig, (H, W)).astype(np.float32)
    o.save("amg_grid_points_1024", grid_1024, np.float32,
           note="the decoder's input_points for the grid, in batches of points_per_batch: [1, P, 1, 2], labels 1")
    trace = {k: torch.cat([t[k] for t in gen.trace]) for k in ("candidate", "iou", "stability")}
    o.save("amg_all_iou", trace["iou"].reshape(-1, 3), np.float32, note="every grid point's 3 predicted IoUs")
    o.save("amg_all_stability", trace["stability"].reshape(-1, 3), np.float32,
           note="every candidate's stability score on the original-size logits (NaN: empty at -offset, 0/0)")
    golden["amg"] = amg_report(gen, anns, trace, masks_k)
    golden["amg"]["config"] = AMG_CONFIG
    golden["amg"]["upstream_defaults"] = amg.UPSTREAM_DEFAULTS
    golden["amg"]["kept"] = K

    # ---------------------------------------------------------------- dense CLIP and naming
    clip = clip_tiny.build(CLIP_CONFIG["width"], CLIP_CONFIG["layers"], CLIP_CONFIG["heads"],
                           CLIP_CONFIG["projection_dim"], CLIP_CONFIG["image_size"], CLIP_CONFIG["patch_size"],
                           seed=CLIP_CONFIG["seed"])
    same = check_clip_is_opset14_tower(clip)
    cpx = clip_preprocess(img, CLIP_CONFIG["image_size"])
    o.save("clip_pixel_values", cpx, np.float32)
    with torch.no_grad():
        patch = clip.dense(torch.from_numpy(cpx))[0].numpy()
        o.save("clip_image_embeds", clip(torch.from_numpy(cpx)).numpy(), np.float32,
               note="the plain graph's output (pooled class token), for a load check")
    o.save("patch_embeds", patch, np.float32, note="ClearCLIP dense embeddings, 14x14 patches row-major, L2-normalised")
    gh = gw = CLIP_CONFIG["image_size"] // CLIP_CONFIG["patch_size"]
    golden["clip"] = {"config": CLIP_CONFIG, "same_weights_as": "fixtures/clip-vision-opset14-tiny (max abs diff of "
                      f"image_embeds on its pixel_values: {same})",
                      "preprocess": {"resize": "PIL Image.resize((224, 224), BILINEAR) of image.png (aspect not kept)",
                                     "normalize": "(v/255 - mean)/std per channel, each step rounded to float32",
                                     "mean": CLIP_MEAN, "std": CLIP_STD},
                      "dense": "ClearCLIP: last block with q-q attention (keys from the query projection), no residual, "
                               "no MLP; post-LayerNorm and projection on every token; class token dropped; L2-normalised"}
    text_meta = json.load(open(os.path.join(ROOT, "fixtures", "clip-text-tiny", "golden.json")))
    prompts = text_meta["prompts"]
    text = np.fromfile(os.path.join(ROOT, "fixtures", "clip-text-tiny", "text_embeds.bin"), np.float32).reshape(len(prompts), -1)
    golden["naming"] = {"logit_scale": LOGIT_SCALE, "void": None,
                        "text_embeddings": "fixtures/clip-text-tiny/text_embeds.bin rows (PyTorch, template '{}'), L2-normalised",
                        "pixel_to_patch": "row floor((y + 0.5) * 14 / 240), column floor((x + 0.5) * 14 / 320), row-major index",
                        "mask_embedding": "sum over patches of (fraction of the patch's pixels in the mask) * patch_embeds, L2-normalised",
                        "gkc": "logit = scale * cos(mask, name); class = max over its names; softmax over classes (no void); "
                               "semseg[c] = sum_q p(q, c) * mask_q over the binary masks; label = argmax + 1 (first max), "
                               "0 where no mask covers the pixel or where the best semseg value is below the threshold",
                        "fill": "label_map_fill: label_map (threshold 0) with uncovered pixels taking their patch's dense-CLIP "
                                "label: argmax + 1 of softmax over classes of (max over names of scale * cos(patch, name))"}
    weights, mask_emb = nr.mask_embeddings(masks_k, patch, gh, gw)
    o.save("mask_embeds", mask_emb, np.float32)
    for pre, voc in VOCABULARIES.items():
        classes, ths = voc["classes"], voc["thresholds"]
        names, name_rows, name_to_class = [], [], []
        for c, cls in enumerate(classes):
            for nm in cls:
                names.append(nm)
                name_rows.append(prompts.index(nm))
                name_to_class.append(c)
        name_emb = nr.l2n(text[name_rows])
        probs = nr.softmax(nr.class_logits(mask_emb, name_emb, name_to_class, len(classes), LOGIT_SCALE))
        o.save(pre + "class_probs", probs, np.float32, note="p(mask, class), softmax over the classes (no void)")
        maps = {}
        for key, th in ths.items():
            lab, best, semseg = nr.label_map(probs, masks_k, th)
            maps[key] = lab
            o.save(key, lab, np.uint16, note=f"threshold {th}: 0 where no mask covers the pixel or the best semseg value is below it")
            if th == 0.0:
                best0, semseg0 = best, semseg
        patch_lab, patch_probs = nr.dense_patch_labels(patch, name_emb, name_to_class, len(classes), LOGIT_SCALE)
        lab0 = maps[pre + "label_map"]
        maps[pre + "label_map_fill"] = nr.fill_uncovered(lab0, masks_k, patch_lab, gh, gw)
        o.save(pre + "label_map_fill", maps[pre + "label_map_fill"], np.uint16,
               note="label_map with uncovered pixels taking their patch's dense-CLIP label")
        o.save(pre + "best_score", best0, np.float32, note="max over classes of semseg (0 where uncovered)")
        o.save(pre + "dense_patch_labels", patch_lab, np.uint16,
               note="per patch (row-major 14x14): argmax + 1 of the dense-CLIP class probabilities")
        golden["naming"]["vocabulary" + ("_" + pre.rstrip("_") if pre else "")] = naming_report(
            pre, classes, ths, masks_k, semseg0, best0, patch_probs, names, name_rows, name_to_class, maps)

    # ---------------------------------------------------------------- ONNX exports
    p_enc = os.path.join(out_dir, "vision_encoder.onnx")
    p_dec = os.path.join(out_dir, "prompt_encoder_mask_decoder.onnx")
    p_clip = os.path.join(out_dir, "clip_vision_model.onnx")
    export(enc, (torch.from_numpy(px),), p_enc, ["pixel_values"], ["image_embeddings", "image_positional_embeddings"], ENC_AXES)
    trace_pts = torch.from_numpy(to1024([[[10, 20], [30, 40]], [[50, 60], [70, 80]]]))[None]
    trace_lab = torch.tensor([[[1, 0], [1, 1]]], dtype=torch.int64)
    export(dec, (trace_pts, trace_lab, emb, pe), p_dec,
           ["input_points", "input_labels", "image_embeddings", "image_positional_embeddings"],
           ["iou_scores", "pred_masks"], DEC_AXES)
    torch.onnx.export(clip, (torch.from_numpy(cpx),), p_clip, input_names=["pixel_values"], output_names=["image_embeds"],
                      dynamic_axes={"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}},
                      opset_version=OPSET, do_constant_folding=True)
    c, e = SAM_CONFIG["out_chans"], SAM_CONFIG["image_embedding_size"]
    set_output_dims(p_enc, {"image_embeddings": ["batch_size", c, e, e],
                            "image_positional_embeddings": ["batch_size", c, e, e]})
    set_output_dims(p_dec, {"iou_scores": ["batch_size", "point_batch_size", 3],
                            "pred_masks": ["batch_size", "point_batch_size", 3, 4 * e, 4 * e]})
    for p in (p_enc, p_dec, p_clip):
        variants(p)
    golden["graphs"] = {}
    for p in (p_enc, p_dec, p_clip):
        for suffix in ("", "_fp16", "_quantized"):
            f = p[:-5] + suffix + ".onnx"
            golden["graphs"][os.path.basename(f)] = graph_io(f)

    # ---------------------------------------------------------------- onnxruntime-web checks
    golden["arrays"] = o.meta
    json.dump(golden, open(os.path.join(out_dir, "golden.json"), "w"), indent=1)
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run(["node", os.path.join(HERE, "check_onnx.mjs"), out_dir, "--dump", tmp],
                             cwd=ROOT, check=True, capture_output=True, text=True)
        report = json.loads(res.stdout)
        report["amg_with_ort_fp32"] = amg_under_ort(tmp, gen, anns, H, W)
    golden["onnxruntime_web"] = report
    json.dump(golden, open(os.path.join(out_dir, "golden.json"), "w"), indent=1)
    total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(json.dumps({"kept_masks": K, "bytes": total, "ort": report}, indent=1))


def check_clip_is_opset14_tower(clip):
    """The tower must be the one of fixtures/clip-vision-opset14-tiny (same seed, same weights)."""
    d = os.path.join(ROOT, "fixtures", "clip-vision-opset14-tiny")
    px = np.fromfile(os.path.join(d, "pixel_values.bin"), np.float32).reshape(1, 3, 224, 224)
    ref = np.fromfile(os.path.join(d, "image_embeds.bin"), np.float32)
    with torch.no_grad():
        got = clip(torch.from_numpy(px)).numpy().ravel()
    diff = float(np.abs(got - ref).max())
    assert diff < 1e-5, diff
    return diff


def amg_report(gen, anns, trace, masks_k):
    """Margins to every threshold, so a test can tell a float-rounding flip from a bug."""
    c = AMG_CONFIG
    iou = trace["iou"].double().numpy()
    stab = trace["stability"].double().numpy()
    cand = trace["candidate"].numpy()
    passed_iou = iou > c["pred_iou_thresh"]
    passed_stab = np.where(np.isnan(stab), False, stab >= c["stability_score_thresh"])
    near = []
    for i in range(len(cand)):
        mi = iou[i] - c["pred_iou_thresh"]
        ms = stab[i] - c["stability_score_thresh"]
        if abs(mi) < NEAR["score"] or (passed_iou[i] and abs(ms) < NEAR["score"]):
            near.append({"point": int(cand[i] // 3), "output": int(cand[i] % 3), "iou": float(iou[i]),
                         "iou_margin": float(mi), "stability": None if np.isnan(stab[i]) else float(stab[i]),
                         "stability_margin": None if np.isnan(ms) else float(ms)})
    nms_in = gen.nms_input
    boxes = nms_in["boxes"].float()
    pair = torchvision.ops.box_iou(boxes, boxes).double().numpy()
    scores = nms_in["iou_preds"].double().numpy()
    ids = nms_in["candidate"].numpy()
    kept = {a["candidate"] for a in anns}
    order = np.argsort(-scores, kind="stable")
    nms_pairs, suppressed = [], []
    for ii, i in enumerate(order):
        earlier = order[:ii]
        for j in earlier:
            if abs(pair[i, j] - c["box_nms_thresh"]) < NEAR["nms_iou"]:
                nms_pairs.append({"a": int(ids[j]), "b": int(ids[i]), "box_iou": float(pair[i, j])})
        if ids[i] not in kept:  # greedy NMS: removed by the first earlier kept box over the threshold
            by = [j for j in earlier if ids[j] in kept and pair[i, j] > c["box_nms_thresh"]]
            suppressed.append({"candidate": int(ids[i]), "by": int(ids[by[0]]) if by else None,
                               "box_iou": float(pair[i, by[0]]) if by else None})
    # pixels whose logit is close to the cut (0) or to the stability cuts (+-offset)
    logits = torch.cat([t["logits"] for t in gen.trace]).numpy()
    flips = []
    for a in anns:
        lg = logits[a["candidate"]]
        off = c["stability_score_offset"]
        flips.append({"candidate": a["candidate"],
                      "near_0": int((np.abs(lg - c["mask_threshold"]) < NEAR["logit"]).sum()),
                      "near_plus_offset": int((np.abs(lg - (c["mask_threshold"] + off)) < NEAR["logit"]).sum()),
                      "near_minus_offset": int((np.abs(lg - (c["mask_threshold"] - off)) < NEAR["logit"]).sum())})
    margin_iou = np.abs(iou - c["pred_iou_thresh"])
    ms = np.abs(stab - c["stability_score_thresh"])[passed_iou & ~np.isnan(stab)]
    return {
        "algorithm": "upstream SamAutomaticMaskGenerator, crop_n_layers=0 (tools/sam-fixture/amg_reference.py)",
        "grid": f"{c['points_per_side']}x{c['points_per_side']} points, centres (i + 0.5)/n of the original picture, "
                "row-major with x fastest; scaled to the 1024 frame by (new_w/W, new_h/H); "
                f"batches of {c['points_per_batch']} as input_points [1, P, 1, 2], input_labels ones [1, P, 1]",
        "postprocess": "low-res logits -> bilinear (align_corners=False, no antialias) to 1024x1024 -> crop to "
                       "[0:768, 0:1024] -> bilinear to 240x320; stability = #(logit > thr + offset) / "
                       "#(logit > thr - offset) on those logits; masks = logit > thr",
        "filters": "iou > pred_iou_thresh (strict), then stability >= stability_score_thresh (NaN fails), "
                   "boxes from the binary masks, torchvision batched_nms (one category, scores = predicted IoU, "
                   "IoU with areas (x1 - x0) * (y1 - y0), no +1) over all batches; output in NMS order (score descending)",
        "candidates": int(len(cand)),
        "passed_iou": int(passed_iou.sum()), "passed_both": int((passed_iou & passed_stab).sum()),
        "nms_input": int(len(ids)),
        "kept_candidates": [a["candidate"] for a in anns],
        "min_iou_margin": float(margin_iou.min()),
        "min_stability_margin_among_iou_passed": float(ms.min()) if ms.size else None,
        "near_threshold": near,
        "nms_pairs_near_threshold": nms_pairs,
        "suppressed": suppressed,
        "pixels_near_cuts": flips,
        "near_definition": NEAR,
    }


def naming_report(pre, classes, ths, masks, semseg, best, patch_probs, names, rows, name_to_class, maps):
    covered = masks.any(0)
    s = np.sort(semseg, axis=0)
    gap = (s[-1] - s[-2])[covered]
    pp = np.sort(patch_probs, axis=1)
    b = best[covered]
    return {
        "arrays_prefix": pre,
        "classes": classes,
        "names": [{"name": n, "class": c, "clip_text_tiny_row": r} for n, c, r in zip(names, name_to_class, rows)],
        "thresholds": ths,
        "covered_pixels": int(covered.sum()),
        "min_top2_semseg_gap_covered": float(gap.min()),
        "covered_pixels_with_top2_gap_below_1e-4": int((gap < 1e-4).sum()),
        "min_distance_of_best_to_thresholds": {k: float(np.abs(b - t).min()) for k, t in ths.items() if t > 0},
        "min_top2_prob_gap_dense_patches": float((pp[:, -1] - pp[:, -2]).min()),
        "label_counts": {k: np.bincount(v.ravel(), minlength=len(classes) + 1).tolist() for k, v in maps.items()},
    }


def amg_under_ort(tmp, gen, anns, h, w):
    """Reruns the AMG on onnxruntime-web's decoder outputs (fp32): how far they are from PyTorch, and
    whether the kept masks are the same."""
    n = AMG_CONFIG["points_per_side"] ** 2
    bs = AMG_CONFIG["points_per_batch"]
    batches = []
    for b in range((n + bs - 1) // bs):
        P = min(bs, n - b * bs)
        iou = np.fromfile(os.path.join(tmp, f"amg_{b}_iou_scores.bin"), np.float32).reshape(P, 3)
        mk = np.fromfile(os.path.join(tmp, f"amg_{b}_pred_masks.bin"), np.float32).reshape(P, 3, 256, 256)
        batches.append((torch.from_numpy(mk), torch.from_numpy(iou)))
    it = iter(batches)
    g2 = amg.AutomaticMaskGenerator(lambda pts: next(it), **{k: AMG_CONFIG[k] for k in (
        "points_per_side", "points_per_batch", "pred_iou_thresh", "stability_score_thresh",
        "stability_score_offset", "box_nms_thresh", "mask_threshold")})
    anns2 = g2.generate((h, w))
    d_low = max(float((a["low_res"] - b["low_res"]).abs().max()) for a, b in zip(gen.trace, g2.trace))
    d_iou = max(float((a["iou"] - b["iou"]).abs().max()) for a, b in zip(gen.trace, g2.trace))
    same = [a["candidate"] for a in anns] == [a["candidate"] for a in anns2]
    pix = sum(int((a["segmentation"] != b["segmentation"]).sum()) for a, b in zip(anns, anns2)) if same else None
    ds = max(abs(a["stability_score"] - b["stability_score"]) for a, b in zip(anns, anns2)) if same else None
    return {"low_res_masks_max_abs_diff": d_low, "iou_max_abs_diff": d_iou, "same_kept_masks": same,
            "mask_pixels_differing": pix, "stability_max_abs_diff": ds}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fixtures", "sam-tiny"))
