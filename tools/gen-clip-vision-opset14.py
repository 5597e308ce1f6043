"""A CLIP vision tower exported by PyTorch at opset 14 (LayerNorm decomposed into primitive ops, as in
older hub exports), with a ClearCLIP dense reference computed in PyTorch. Hand-written module with the
layout of Hugging Face's CLIPVisionModelWithProjection (older attention form: queries scaled by
1/sqrt(d) right after q_proj, keys unscaled), random weights including LayerNorm gains/biases and
projection biases. Usage: python3 tools/gen-clip-vision-opset14.py OUT_DIR [width layers heads]
Needs torch (1.13 used) and onnx."""
import json, os, sys
import numpy as np
import torch

# The tower itself lives in tools/sam-fixture/clip_tiny.py (shared with the sam-tiny fixture).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "sam-fixture"))
from clip_tiny import build  # noqa: E402

out = sys.argv[1]
width, layers, heads = (int(v) for v in (sys.argv[2:5] if len(sys.argv) >= 5 else (32, 3, 2)))
proj_dim, size, patch = 16 if width == 32 else 512, 224, 16
m = build(width, layers, heads, proj_dim, size, patch, seed=5)
os.makedirs(out, exist_ok=True)
px = torch.randn(1, 3, size, size)
torch.onnx.export(m, (px,), f"{out}/vision_model.onnx", input_names=["pixel_values"], output_names=["image_embeds"],
                  dynamic_axes={"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}},
                  opset_version=14, do_constant_folding=True)
with torch.no_grad():
    arrays = {"pixel_values": px, "hidden_before_last_block": m.hidden(px), "dense_clearclip": m.dense(px),
              "image_embeds": m(px)}
# A larger single pass (positions resized): input from a formula (the test recomputes it, no file).
gh, gw = 18, 24
yy, xx = np.meshgrid(np.arange(gh * patch), np.arange(gw * patch), indexing="ij")
big = np.stack([np.sin(0.05 * (c + 1) * xx) + np.cos(0.07 * yy + c) for c in range(3)])[None].astype(np.float32)
with torch.no_grad():
    arrays[f"dense_clearclip_{gh}x{gw}"] = m.dense(torch.from_numpy(big))
meta = {"what": __doc__.split("\n")[0], "opset": 14, "width": width, "layers": layers, "heads": heads,
        "projection_dim": proj_dim, "torch": torch.__version__,
        "large_input": f"[1, 3, {gh * patch}, {gw * patch}]: sin(0.05 (c + 1) x) + cos(0.07 y + c), float32"}
for k, v in arrays.items():
    a = v.numpy().astype(np.float32)
    a.tofile(f"{out}/{k}.bin")
    meta[k] = {"file": f"{k}.bin", "dtype": "float32", "shape": list(a.shape)}
json.dump(meta, open(f"{out}/golden.json", "w"), indent=1)
