"""A CLIP vision tower exported by PyTorch at opset 14 (LayerNorm decomposed into primitive ops, as in
older hub exports), with a ClearCLIP dense reference computed in PyTorch. Hand-written module with the
layout of Hugging Face's CLIPVisionModelWithProjection (older attention form: queries scaled by
1/sqrt(d) right after q_proj, keys unscaled), random weights including LayerNorm gains/biases and
projection biases. Usage: python3 tools/gen-clip-vision-opset14.py OUT_DIR [width layers heads]
Needs torch (1.13 used) and onnx."""
import json, os, sys
import numpy as np
import torch
from torch import nn

out = sys.argv[1]
width, layers, heads = (int(v) for v in (sys.argv[2:5] if len(sys.argv) >= 5 else (32, 3, 2)))
proj_dim, size, patch = 16 if width == 32 else 512, 224, 16
torch.manual_seed(5)


class Attn(nn.Module):
    def __init__(s):
        super().__init__()
        s.q, s.k, s.v, s.o = (nn.Linear(width, width) for _ in range(4))
        s.hd = width // heads

    def forward(s, x, qq=False):
        B, N, C = x.shape
        q = s.q(x) * s.hd ** -0.5
        k = (s.q(x) if qq else s.k(x))
        sh = lambda t: t.view(B, N, heads, s.hd).transpose(1, 2)
        a = torch.softmax(sh(q) @ sh(k).transpose(-1, -2), -1)
        return s.o((a @ sh(s.v(x))).transpose(1, 2).reshape(B, N, C))


class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln1, s.ln2, s.attn = nn.LayerNorm(width), nn.LayerNorm(width), Attn()
        s.fc1, s.fc2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(s, x):
        x = x + s.attn(s.ln1(x))
        h = s.fc1(s.ln2(x))
        return x + s.fc2(h * torch.sigmoid(1.702 * h))


class Tower(nn.Module):
    def __init__(s):
        super().__init__()
        g = size // patch
        s.conv = nn.Conv2d(3, width, patch, patch, bias=False)
        s.cls = nn.Parameter(torch.randn(width) * 0.5)
        s.pos = nn.Embedding(g * g + 1, width)
        s.register_buffer("ids", torch.arange(g * g + 1)[None])
        s.pre, s.post = nn.LayerNorm(width), nn.LayerNorm(width)
        s.layers = nn.ModuleList(Layer() for _ in range(layers))
        s.proj = nn.Linear(width, proj_dim, bias=False)

    def positions(s, h, w):
        # Hugging Face's interpolate_pos_encoding: bicubic, align_corners=False, on the patch part.
        p = s.pos(s.ids)
        g = int((p.shape[1] - 1) ** 0.5)
        if (h, w) == (g, g):
            return p
        grid = p[:, 1:].reshape(1, g, g, -1).permute(0, 3, 1, 2)
        grid = nn.functional.interpolate(grid, size=(h, w), mode="bicubic", align_corners=False)
        return torch.cat([p[:, :1], grid.permute(0, 2, 3, 1).reshape(1, h * w, -1)], 1)

    def hidden(s, px):
        x = s.conv(px).flatten(2).transpose(1, 2)
        pos = s.positions(px.shape[2] // patch, px.shape[3] // patch)
        x = torch.cat([s.cls.expand(x.shape[0], 1, -1), x], 1) + pos
        x = s.pre(x)
        for l in s.layers[:-1]:
            x = l(x)
        return x

    def forward(s, px):
        x = s.layers[-1](s.hidden(px))
        return s.proj(s.post(x[:, 0, :]))

    def dense(s, px):
        last = s.layers[-1]
        o = s.post(last.attn(last.ln1(s.hidden(px)), qq=True))
        e = s.proj(o[:, 1:])
        return e / e.norm(dim=-1, keepdim=True)


m = Tower().eval()
with torch.no_grad():
    for n, p in m.named_parameters():
        if "ln" in n or n.startswith(("pre", "post")):
            p.copy_((1 if n.endswith("weight") else 0) + 0.2 * torch.randn_like(p))
        elif n.endswith("bias"):
            p.copy_(0.1 * torch.randn_like(p))
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
