"""Reference of naming SAM's masks with a dense CLIP embedding and combining them GKC-style.

Pixel (y, x) of the H x W picture belongs to patch row floor((y + 0.5) * gh / H), column
floor((x + 0.5) * gw / W) of the gh x gw patch grid (no interpolation; for 240x320 and 14x14 no
pixel centre falls on a patch border). A mask's embedding is sum_p w_p e_p with w_p = the fraction
of patch p's pixels that are in the mask, L2-normalised. Class logits are scale * cos(embedding,
name) maximised over a class's names; p(q, c) is the softmax over the classes (no void);
semseg[c] = sum_q p(q, c) * mask_q over the binary masks; label = argmax + 1 (first maximum wins),
0 where no mask covers the pixel or where the best semseg value is below `threshold`.
All maths in float64."""
import numpy as np


def pixel_to_patch(h, w, gh, gw):
    """[h, w] int: row-major patch index of each pixel."""
    rows = np.floor((np.arange(h) + 0.5) * gh / h).astype(np.int64)
    cols = np.floor((np.arange(w) + 0.5) * gw / w).astype(np.int64)
    return rows[:, None] * gw + cols[None, :]


def l2n(a):
    a = np.asarray(a, np.float64)
    n = np.linalg.norm(a, axis=-1, keepdims=True)
    return a / np.where(n > 0, n, 1.0)


def mask_embeddings(masks, patch_embeds, gh, gw):
    """masks bool [K, H, W], patch_embeds [gh*gw, D] -> (weights [K, gh*gw], embeddings [K, D])."""
    K, H, W = masks.shape
    assign = pixel_to_patch(H, W, gh, gw).ravel()
    counts = np.bincount(assign, minlength=gh * gw).astype(np.float64)
    weights = np.stack([np.bincount(assign, weights=m.ravel().astype(np.float64), minlength=gh * gw)
                        for m in masks]) / counts
    emb = weights @ np.asarray(patch_embeds, np.float64)
    return weights, l2n(emb)  # an all-zero row (empty mask) stays zero


def class_logits(embeds, name_embeds, name_to_class, num_classes, scale):
    """[N, D] x [names, D] -> [N, C]: scale * cosine, max over each class's names."""
    cos = l2n(embeds) @ l2n(name_embeds).T
    out = np.full((len(embeds), num_classes), -np.inf)
    for j, c in enumerate(name_to_class):
        out[:, c] = np.maximum(out[:, c], scale * cos[:, j])
    return out


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def label_map(probs, masks, threshold):
    """-> (labels uint16 [H, W], best semseg float64 [H, W], semseg [C, H, W])."""
    semseg = np.einsum("qc,qhw->chw", probs, masks.astype(np.float64))
    best = semseg.max(0)
    labels = (semseg.argmax(0) + 1).astype(np.uint16)
    covered = masks.any(0)
    labels[~covered] = 0
    labels[best < threshold] = 0
    best = np.where(covered, best, 0.0)
    return labels, best, semseg


def dense_patch_labels(patch_embeds, name_embeds, name_to_class, num_classes, scale):
    """[gh*gw] uint16: argmax + 1 of softmax(max over names of scale * cos) per patch."""
    p = softmax(class_logits(patch_embeds, name_embeds, name_to_class, num_classes, scale))
    return (p.argmax(-1) + 1).astype(np.uint16), p


def fill_uncovered(labels, masks, patch_labels, gh, gw):
    """Pixels no mask covers take their patch's dense-CLIP label."""
    H, W = labels.shape
    out = labels.copy()
    unc = ~masks.any(0)
    out[unc] = patch_labels[pixel_to_patch(H, W, gh, gw)][unc]
    return out
