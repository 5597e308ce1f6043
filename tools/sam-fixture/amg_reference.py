"""Reference of SAM's automatic mask generation (SamAutomaticMaskGenerator, crop_n_layers=0), with
the functions it needs copied from segment-anything (automatic_mask_generator.py, utils/amg.py,
utils/transforms.py, modeling/sam.py postprocess_masks), unchanged except where marked "fixture:".

Portions Copyright (c) Meta Platforms, Inc. and affiliates, from
https://github.com/facebookresearch/segment-anything, licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0).

The model is reached through a `decode(points_1024 [P, 2] float32) -> (low_res_masks [P, 3, 256,
256], iou [P, 3])` callable (the exported prompt_encoder_mask_decoder graph's computation, one
positive point per prompt), so that the same code serves the PyTorch reference.
"""
from copy import deepcopy
from typing import Any, Dict, Generator, List

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.ops.boxes import batched_nms

UPSTREAM_DEFAULTS = {
    "points_per_side": 32,
    "points_per_batch": 64,
    "pred_iou_thresh": 0.88,
    "stability_score_thresh": 0.95,
    "stability_score_offset": 1.0,
    "box_nms_thresh": 0.7,
    "crop_n_layers": 0,
    "crop_nms_thresh": 0.7,
    "crop_overlap_ratio": 512 / 1500,
    "crop_n_points_downscale_factor": 1,
    "min_mask_region_area": 0,
    "output_mode": "binary_mask",
    "mask_threshold": 0.0,
}


# ------------------------------------------------------------------ utils/amg.py
class MaskData:
    """A structure for storing masks and their related data in batched format."""

    def __init__(self, **kwargs) -> None:
        for v in kwargs.values():
            assert isinstance(v, (list, np.ndarray, torch.Tensor))
        self._stats = dict(**kwargs)

    def __setitem__(self, key: str, item: Any) -> None:
        assert isinstance(item, (list, np.ndarray, torch.Tensor))
        self._stats[key] = item

    def __delitem__(self, key: str) -> None:
        del self._stats[key]

    def __getitem__(self, key: str) -> Any:
        return self._stats[key]

    def items(self):
        return self._stats.items()

    def filter(self, keep: torch.Tensor) -> None:
        for k, v in self._stats.items():
            if v is None:
                self._stats[k] = None
            elif isinstance(v, torch.Tensor):
                self._stats[k] = v[torch.as_tensor(keep, device=v.device)]
            elif isinstance(v, np.ndarray):
                self._stats[k] = v[keep.detach().cpu().numpy()]
            elif isinstance(v, list) and keep.dtype == torch.bool:
                self._stats[k] = [a for i, a in enumerate(v) if keep[i]]
            elif isinstance(v, list):
                self._stats[k] = [v[i] for i in keep]
            else:
                raise TypeError(f"MaskData key {k} has an unsupported type {type(v)}.")

    def cat(self, new_stats: "MaskData") -> None:
        for k, v in new_stats.items():
            if k not in self._stats or self._stats[k] is None:
                self._stats[k] = deepcopy(v)
            elif isinstance(v, torch.Tensor):
                self._stats[k] = torch.cat([self._stats[k], v], dim=0)
            elif isinstance(v, np.ndarray):
                self._stats[k] = np.concatenate([self._stats[k], v], axis=0)
            elif isinstance(v, list):
                self._stats[k] = self._stats[k] + deepcopy(v)
            else:
                raise TypeError(f"MaskData key {k} has an unsupported type {type(v)}.")

    def to_numpy(self) -> None:
        for k, v in self._stats.items():
            if isinstance(v, torch.Tensor):
                self._stats[k] = v.detach().cpu().numpy()


def is_box_near_crop_edge(boxes, crop_box, orig_box, atol: float = 20.0):
    """Filter masks at the edge of a crop, but not at the edge of the original image."""
    crop_box_torch = torch.as_tensor(crop_box, dtype=torch.float, device=boxes.device)
    orig_box_torch = torch.as_tensor(orig_box, dtype=torch.float, device=boxes.device)
    boxes = uncrop_boxes_xyxy(boxes, crop_box).float()
    near_crop_edge = torch.isclose(boxes, crop_box_torch[None, :], atol=atol, rtol=0)
    near_image_edge = torch.isclose(boxes, orig_box_torch[None, :], atol=atol, rtol=0)
    near_crop_edge = torch.logical_and(near_crop_edge, ~near_image_edge)
    return torch.any(near_crop_edge, dim=1)


def box_xyxy_to_xywh(box_xyxy):
    box_xywh = deepcopy(box_xyxy)
    box_xywh[2] = box_xywh[2] - box_xywh[0]
    box_xywh[3] = box_xywh[3] - box_xywh[1]
    return box_xywh


def batch_iterator(batch_size: int, *args) -> Generator[List[Any], None, None]:
    assert len(args) > 0 and all(len(a) == len(args[0]) for a in args)
    n_batches = len(args[0]) // batch_size + int(len(args[0]) % batch_size != 0)
    for b in range(n_batches):
        yield [arg[b * batch_size: (b + 1) * batch_size] for arg in args]


def mask_to_rle_pytorch(tensor: torch.Tensor) -> List[Dict[str, Any]]:
    """Encodes masks to an uncompressed RLE, in the format expected by pycoco tools."""
    b, h, w = tensor.shape
    tensor = tensor.permute(0, 2, 1).flatten(1)
    diff = tensor[:, 1:] ^ tensor[:, :-1]
    change_indices = diff.nonzero()
    out = []
    for i in range(b):
        cur_idxs = change_indices[change_indices[:, 0] == i, 1]
        cur_idxs = torch.cat([torch.tensor([0], dtype=cur_idxs.dtype), cur_idxs + 1,
                              torch.tensor([h * w], dtype=cur_idxs.dtype)])
        btw_idxs = cur_idxs[1:] - cur_idxs[:-1]
        counts = [] if tensor[i, 0] == 0 else [0]
        counts.extend(btw_idxs.detach().cpu().tolist())
        out.append({"size": [h, w], "counts": counts})
    return out


def rle_to_mask(rle: Dict[str, Any]) -> np.ndarray:
    """Compute a binary mask from an uncompressed RLE."""
    h, w = rle["size"]
    mask = np.empty(h * w, dtype=bool)
    idx = 0
    parity = False
    for count in rle["counts"]:
        mask[idx: idx + count] = parity
        idx += count
        parity ^= True
    mask = mask.reshape(w, h)
    return mask.transpose()  # Put in C order


def area_from_rle(rle: Dict[str, Any]) -> int:
    return sum(rle["counts"][1::2])


def calculate_stability_score(masks, mask_threshold: float, threshold_offset: float):
    """IoU between the masks thresholded at mask_threshold +- offset (one is inside the other)."""
    intersections = ((masks > (mask_threshold + threshold_offset))
                     .sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32))
    unions = ((masks > (mask_threshold - threshold_offset))
              .sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32))
    return intersections / unions


def build_point_grid(n_per_side: int) -> np.ndarray:
    """Generates a 2D grid of points evenly spaced in [0,1]x[0,1]."""
    offset = 1 / (2 * n_per_side)
    points_one_side = np.linspace(offset, 1 - offset, n_per_side)
    points_x = np.tile(points_one_side[None, :], (n_per_side, 1))
    points_y = np.tile(points_one_side[:, None], (1, n_per_side))
    return np.stack([points_x, points_y], axis=-1).reshape(-1, 2)


def uncrop_boxes_xyxy(boxes, crop_box):
    x0, y0, _, _ = crop_box
    offset = torch.tensor([[x0, y0, x0, y0]], device=boxes.device)
    if len(boxes.shape) == 3:
        offset = offset.unsqueeze(1)
    return boxes + offset


def uncrop_points(points, crop_box):
    x0, y0, _, _ = crop_box
    offset = torch.tensor([[x0, y0]], device=points.device)
    if len(points.shape) == 3:
        offset = offset.unsqueeze(1)
    return points + offset


def uncrop_masks(masks, crop_box, orig_h: int, orig_w: int):
    x0, y0, x1, y1 = crop_box
    if x0 == 0 and y0 == 0 and x1 == orig_w and y1 == orig_h:
        return masks
    pad_x, pad_y = orig_w - (x1 - x0), orig_h - (y1 - y0)
    return torch.nn.functional.pad(masks, (x0, pad_x - x0, y0, pad_y - y0), value=0)


def batched_mask_to_box(masks: torch.Tensor) -> torch.Tensor:
    """Boxes in XYXY format (inclusive pixel indices) around masks; [0,0,0,0] for an empty mask."""
    if torch.numel(masks) == 0:
        return torch.zeros(*masks.shape[:-2], 4, device=masks.device)
    shape = masks.shape
    h, w = shape[-2:]
    masks = masks.flatten(0, -3) if len(shape) > 2 else masks.unsqueeze(0)
    in_height, _ = torch.max(masks, dim=-1)
    in_height_coords = in_height * torch.arange(h, device=in_height.device)[None, :]
    bottom_edges, _ = torch.max(in_height_coords, dim=-1)
    in_height_coords = in_height_coords + h * (~in_height)
    top_edges, _ = torch.min(in_height_coords, dim=-1)
    in_width, _ = torch.max(masks, dim=-2)
    in_width_coords = in_width * torch.arange(w, device=in_width.device)[None, :]
    right_edges, _ = torch.max(in_width_coords, dim=-1)
    in_width_coords = in_width_coords + w * (~in_width)
    left_edges, _ = torch.min(in_width_coords, dim=-1)
    empty_filter = (right_edges < left_edges) | (bottom_edges < top_edges)
    out = torch.stack([left_edges, top_edges, right_edges, bottom_edges], dim=-1)
    out = out * (~empty_filter).unsqueeze(-1)
    return out.reshape(*shape[:-2], 4) if len(shape) > 2 else out[0]


# ------------------------------------------------------------------ utils/transforms.py
def get_preprocess_shape(oldh: int, oldw: int, long_side_length: int):
    scale = long_side_length * 1.0 / max(oldh, oldw)
    newh, neww = oldh * scale, oldw * scale
    return int(newh + 0.5), int(neww + 0.5)


def apply_coords(coords: np.ndarray, original_size, target_length=1024) -> np.ndarray:
    """ResizeLongestSide.apply_coords: original-frame (x, y) -> resized frame, float64."""
    old_h, old_w = original_size
    new_h, new_w = get_preprocess_shape(original_size[0], original_size[1], target_length)
    coords = deepcopy(coords).astype(float)
    coords[..., 0] = coords[..., 0] * (new_w / old_w)
    coords[..., 1] = coords[..., 1] * (new_h / old_h)
    return coords


# ------------------------------------------------------------------ modeling/sam.py
def postprocess_masks(masks, input_size, original_size, img_size=1024):
    """Sam.postprocess_masks: bilinear (align_corners=False) to img_size x img_size, crop to the
    resized picture, bilinear to the original size."""
    masks = F.interpolate(masks, (img_size, img_size), mode="bilinear", align_corners=False)
    masks = masks[..., : input_size[0], : input_size[1]]
    return F.interpolate(masks, original_size, mode="bilinear", align_corners=False)


# ------------------------------------------------------------------ automatic_mask_generator.py
class AutomaticMaskGenerator:
    """SamAutomaticMaskGenerator for crop_n_layers=0, output_mode='binary_mask',
    min_mask_region_area=0 (no crops: one pass over the whole picture)."""

    def __init__(self, decode, points_per_side=32, points_per_batch=64, pred_iou_thresh=0.88,
                 stability_score_thresh=0.95, stability_score_offset=1.0, box_nms_thresh=0.7,
                 mask_threshold=0.0, img_size=1024):
        self.decode = decode
        self.point_grids = [build_point_grid(points_per_side)]
        self.points_per_batch = points_per_batch
        self.pred_iou_thresh = pred_iou_thresh
        self.stability_score_thresh = stability_score_thresh
        self.stability_score_offset = stability_score_offset
        self.box_nms_thresh = box_nms_thresh
        self.mask_threshold = mask_threshold
        self.img_size = img_size
        self.trace = []  # fixture: every candidate's scores, before any filtering

    @torch.no_grad()
    def generate(self, image_hw) -> List[Dict[str, Any]]:
        """image_hw: (H, W) of the original picture (its embedding is inside `decode`)."""
        mask_data = self._generate_masks(image_hw)
        mask_data["segmentations"] = [rle_to_mask(rle) for rle in mask_data["rles"]]
        curr_anns = []
        for idx in range(len(mask_data["segmentations"])):
            curr_anns.append({
                "segmentation": mask_data["segmentations"][idx],
                "area": area_from_rle(mask_data["rles"][idx]),
                "bbox": box_xyxy_to_xywh(mask_data["boxes"][idx]).tolist(),
                "predicted_iou": mask_data["iou_preds"][idx].item(),
                "point_coords": [mask_data["points"][idx].tolist()],
                "stability_score": mask_data["stability_score"][idx].item(),
                "crop_box": box_xyxy_to_xywh(mask_data["crop_boxes"][idx]).tolist(),
                "candidate": int(mask_data["candidate"][idx]),  # fixture: point index * 3 + output
            })
        return curr_anns

    def _generate_masks(self, orig_size) -> MaskData:
        crop_box = [0, 0, orig_size[1], orig_size[0]]  # generate_crop_boxes with n_layers = 0
        data = self._process_crop(crop_box, 0, orig_size)
        data.to_numpy()
        return data

    def _process_crop(self, crop_box, crop_layer_idx, orig_size) -> MaskData:
        cropped_im_size = orig_size  # fixture: the single crop is the whole picture
        points_scale = np.array(cropped_im_size)[None, ::-1]
        points_for_image = self.point_grids[crop_layer_idx] * points_scale
        data = MaskData()
        first = 0
        for (points,) in batch_iterator(self.points_per_batch, points_for_image):
            batch_data = self._process_batch(points, cropped_im_size, crop_box, orig_size, first)
            first += len(points)
            data.cat(batch_data)
            del batch_data
        keep_by_nms = batched_nms(
            data["boxes"].float(),
            data["iou_preds"],
            torch.zeros_like(data["boxes"][:, 0]),  # categories
            iou_threshold=self.box_nms_thresh,
        )
        self.nms_input = {k: v for k, v in data.items()}  # fixture: for the near-threshold report
        data.filter(keep_by_nms)
        data["boxes"] = uncrop_boxes_xyxy(data["boxes"], crop_box)
        data["points"] = uncrop_points(data["points"], crop_box)
        data["crop_boxes"] = torch.tensor([crop_box for _ in range(len(data["rles"]))])
        return data

    def _process_batch(self, points, im_size, crop_box, orig_size, first) -> MaskData:
        orig_h, orig_w = orig_size
        transformed_points = apply_coords(points, im_size, self.img_size)
        # fixture: the graph takes float32 points [1, P, 1, 2] and labels [1, P, 1] (upstream feeds
        # float64 points to the prompt encoder; for this grid the values are exact either way)
        in_points = torch.as_tensor(transformed_points.astype(np.float32))
        low_res, iou_preds = self.decode(in_points)
        input_size = get_preprocess_shape(orig_h, orig_w, self.img_size)
        masks = postprocess_masks(low_res, input_size, orig_size, self.img_size)  # logits
        cand = torch.arange(first * 3, (first + len(points)) * 3)
        data = MaskData(
            masks=masks.flatten(0, 1),
            iou_preds=iou_preds.flatten(0, 1),
            points=torch.as_tensor(points.repeat(masks.shape[1], axis=0)),
            candidate=cand,
        )
        del masks
        # fixture: record every candidate's stability score, before the filters
        all_stab = calculate_stability_score(data["masks"], self.mask_threshold, self.stability_score_offset)
        self.trace.append({"candidate": cand, "iou": data["iou_preds"].clone(), "stability": all_stab,
                           "points_1024": in_points, "low_res": low_res, "logits": data["masks"]})
        if self.pred_iou_thresh > 0.0:
            keep_mask = data["iou_preds"] > self.pred_iou_thresh
            data.filter(keep_mask)
        data["stability_score"] = calculate_stability_score(
            data["masks"], self.mask_threshold, self.stability_score_offset)
        if self.stability_score_thresh > 0.0:
            keep_mask = data["stability_score"] >= self.stability_score_thresh
            data.filter(keep_mask)
        data["masks"] = data["masks"] > self.mask_threshold
        data["boxes"] = batched_mask_to_box(data["masks"])
        keep_mask = ~is_box_near_crop_edge(data["boxes"], crop_box, [0, 0, orig_w, orig_h])
        if not torch.all(keep_mask):
            data.filter(keep_mask)
        data["masks"] = uncrop_masks(data["masks"], crop_box, orig_h, orig_w)
        data["rles"] = mask_to_rle_pytorch(data["masks"])
        del data["masks"]
        return data
