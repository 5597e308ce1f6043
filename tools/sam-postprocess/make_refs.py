"""PyTorch's SAM mask post-processing on integer-defined logits, for src/models/samclip/maths tests.

Run with the Debian PyTorch the SAM fixture was made with (1.13, CPU, AVX2 kernels):
    /usr/bin/python3 tools/sam-postprocess/make_refs.py
Writes fixtures/sam-postprocess/golden.json. Each low-res plane (256x256) is defined by integer formulas
(`plane` below) whose values are exact float32 numbers, so the tests rebuild it bit for bit. For each
plane and picture size, upstream's `postprocess_masks` (bilinear, align_corners=False, to 1024x1024,
crop to the resized picture, bilinear to the picture) is run and its float32 output is kept as a SHA-256
of its little-endian bytes, with the count of values above several thresholds (compared in float32 as
torch compares a float tensor with a Python float), the stability score and the box of `> 0`.
"""
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "sam-postprocess")
N = 256
SIZES = [(240, 320), (480, 640), (333, 517), (517, 333), (1200, 1600), (1024, 1024), (5, 7), (1, 1), (1000, 3)]
THRESHOLDS = [0.0, 1.0, -1.0, 0.6, -0.4, 0.1]
# Values a logit plane can hold that sit on or next to the cuts (0, +-1) or that float32 handles apart:
# a hair either side of the cuts, a subnormal, large magnitudes (as exact numerators over 2**k).
SPECIAL = [0.0, 1.0, -1.0, 2.0 ** -20, -(2.0 ** -20), 1 + 2.0 ** -23, 1 - 2.0 ** -24, -1 + 2.0 ** -24,
           -1 - 2.0 ** -23, 2.0 ** -130, -(2.0 ** -130), 12288.0, -12288.0, 0.5, -0.5]


def noise(r, c, seed):
    """16-bit hash of a cell; JS reproduces it with int32 xor of the same exact products."""
    return ((r * 73856093) ^ (c * 19349663) ^ (seed * 83492791)) & 0xFFFF


def plane(kind):
    v = np.zeros((N, N), np.float64)
    for r in range(N):
        for c in range(N):
            if kind == "blobs":
                # Disc-like cones clipped at +-24: integer numerators over 64 land exactly on 0 and +-1.
                a = 40 * 40 - ((r - 90) ** 2 + (c - 110) ** 2)
                b = 25 * 25 - ((r - 170) ** 2 + (c - 40) ** 2)
                v[r, c] = max(-24.0, min(24.0, max(a, b) / 64.0))
            elif kind == "special":
                # 8x8 blocks: flat blocks of special values, blocks of noise, and ramps across the cuts.
                br, bc = r // 8, c // 8
                k = (br * 7 + bc * 3) % (len(SPECIAL) + 3)
                if k < len(SPECIAL):
                    v[r, c] = SPECIAL[k]
                elif k == len(SPECIAL):
                    v[r, c] = (noise(r, c, 1) - 32768) / 16384.0
                elif k == len(SPECIAL) + 1:
                    v[r, c] = ((c % 8) - 4) / 4.0
                else:
                    v[r, c] = ((r % 8) - 4) / 2.0
            else:  # noise
                v[r, c] = (noise(r, c, 2) - 32768) / 4096.0
    return v.astype(np.float32)


def preprocess_shape(h, w, long_side=1024):
    scale = long_side * 1.0 / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def box(mask):
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return [0, 0, 0, 0]
    return [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]


def cpu_capability():
    """The kernel set torch picked (AVX2 here): its float rounding (FMA contraction) is what the tests match."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return None


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    kinds = ["blobs", "special", "noise"]
    low = torch.from_numpy(np.stack([plane(k) for k in kinds]))[None]  # [1, 3, 256, 256]
    cases = []
    for h, w in SIZES:
        nh, nw = preprocess_shape(h, w)
        up = F.interpolate(low, (1024, 1024), mode="bilinear", align_corners=False)
        up = up[..., :nh, :nw]
        out = F.interpolate(up, (h, w), mode="bilinear", align_corners=False)[0]
        for i, k in enumerate(kinds):
            o = out[i]
            counts = {str(t): int((o > t).sum()) for t in THRESHOLDS}
            inter = (o > 1.0).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
            union = (o > -1.0).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
            stab = (inter / union).item()
            cases.append({"plane": k, "height": h, "width": w, "resized": [nh, nw],
                          "sha256": hashlib.sha256(o.contiguous().numpy().astype("<f4").tobytes()).hexdigest(),
                          "counts": counts, "stability": None if stab != stab else stab,
                          "box_xyxy": box((o > 0).numpy())})
    golden = {"torch": torch.__version__, "cpu_capability": cpu_capability(),
              "low_res": N, "planes": kinds, "special_values": SPECIAL, "thresholds": THRESHOLDS,
              "cases": cases}
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
