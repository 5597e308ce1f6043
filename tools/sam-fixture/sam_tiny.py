"""A tiny Segment Anything model (SAM), random weights, with the upstream architecture
(facebookresearch/segment-anything, modeling/*.py: ImageEncoderViT, PromptEncoder, MaskDecoder,
TwoWayTransformer) and the two ONNX graphs in the layout of transformers.js's SAM exports
(Hugging Face transformers' SamModel exported by Optimum, e.g. the hub repo Xenova/slimsam-77-uniform):

  vision_encoder:               pixel_values -> image_embeddings, image_positional_embeddings
  prompt_encoder_mask_decoder:  input_points, input_labels, image_embeddings,
                                image_positional_embeddings -> iou_scores, pred_masks

The modules below follow upstream line by line (comments say where). Where Hugging Face's SamModel
(the source of the hub exports) differs numerically, HF is followed and the place is marked "HF:".

Portions adapted from segment-anything, Copyright (c) Meta Platforms, Inc. and affiliates,
licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# Everything that shapes the tiny model. Real input size (1024), 64x64 embedding grid and 256x256
# low-res masks as in SAM; all widths and depths tiny.
SAM_CONFIG = {
    "seed": 20240917,
    # image encoder (ImageEncoderViT)
    "img_size": 1024,
    "patch_size": 16,
    "encoder_embed_dim": 32,
    "encoder_depth": 4,
    "encoder_num_heads": 2,
    "mlp_ratio": 4.0,
    "qkv_bias": True,
    "use_abs_pos": True,
    "use_rel_pos": True,
    "window_size": 14,
    "global_attn_indexes": [1, 3],
    "encoder_layer_norm_eps": 1e-6,  # build_sam: partial(nn.LayerNorm, eps=1e-6)
    "out_chans": 32,  # neck output = prompt_embed_dim = transformer_dim
    "layer_norm_2d_eps": 1e-6,
    # prompt encoder
    "prompt_embed_dim": 32,
    "image_embedding_size": 64,
    "mask_in_chans": 16,  # mask input branch exists in the module but is not exported (no mask input)
    "pe_num_pos_feats": 16,  # PositionEmbeddingRandom(embed_dim // 2)
    # PositionEmbeddingRandom(scale=...): upstream's default is 1.0. Lower frequencies make the
    # point-to-image kernel single-peaked over the picture (see steer_decoder).
    "pe_gaussian_scale": 0.6,
    # mask decoder
    "num_multimask_outputs": 3,
    "transformer_depth": 2,
    "transformer_num_heads": 2,
    "transformer_mlp_dim": 64,
    "attention_downsample_rate": 2,
    "iou_head_depth": 3,
    "iou_head_hidden_dim": 32,
    # HF: SamTwoWayAttentionBlock's four LayerNorms use config.layer_norm_eps (1e-6); the final
    # norm_final_attn keeps nn.LayerNorm's default (1e-5). Upstream uses 1e-5 for all of them.
    "decoder_block_layer_norm_eps": 1e-6,
    "decoder_final_layer_norm_eps": 1e-5,
    # Hand-set decoder weights so that masks are blobs around the prompt point (see steer_decoder).
    "steer": {
        "freq_skip": 2,  # the lowest PE frequencies not used (too broad)
        "alpha": 3.5,  # sharpness of the point-to-image attention (q = alpha * selected PE coords)
        "value_gain": 3.0,  # that attention's value projection is scaled by this
        "self_attn_gain": 3.0,  # first block's token self-attention: k_proj = q_proj, scaled up
        "quiet": 1e-3,  # scale of the LayerNorm gains/biases and token entries left on those coords
        "mask_gain": 12.0,  # logits ~ mask_gain * (attention to the point - tau)
        "tau": [0.7, 0.55, 0.7, 0.85],  # per mask token (token 0 = single-mask output, unused here)
        "hyper_weight_scale": 0.05,  # what is left of the hypernetworks' last-layer weights
        "subpixel_jitter": 0.05,
        "iou_mean": 0.5,  # IoU head rescaled to this mean and spread over the calibration prompts
        "iou_std": 0.15,  # output_upscaling kernels: shared 2x2 taps plus this much noise
    },
}


# ---------------------------------------------------------------- modeling/common.py
class MLPBlock(nn.Module):
    def __init__(self, embedding_dim, mlp_dim, act=nn.GELU):
        super().__init__()
        self.lin1 = nn.Linear(embedding_dim, mlp_dim)
        self.lin2 = nn.Linear(mlp_dim, embedding_dim)
        self.act = act()

    def forward(self, x):
        return self.lin2(self.act(self.lin1(x)))


class LayerNorm2d(nn.Module):
    def __init__(self, num_channels, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        x = self.weight[:, None, None] * x + self.bias[:, None, None]
        return x


# ---------------------------------------------------------------- modeling/image_encoder.py
class ImageEncoderViT(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.img_size = c["img_size"]
        p, d = c["patch_size"], c["encoder_embed_dim"]
        grid = self.img_size // p
        self.patch_embed = PatchEmbed(p, 3, d)
        self.pos_embed = nn.Parameter(torch.zeros(1, grid, grid, d)) if c["use_abs_pos"] else None
        self.blocks = nn.ModuleList()
        for i in range(c["encoder_depth"]):
            ws = c["window_size"] if i not in c["global_attn_indexes"] else 0
            self.blocks.append(Block(d, c["encoder_num_heads"], c["mlp_ratio"], c["qkv_bias"],
                                     c["encoder_layer_norm_eps"], c["use_rel_pos"], ws, (grid, grid)))
        oc = c["out_chans"]
        self.neck = nn.Sequential(
            nn.Conv2d(d, oc, kernel_size=1, bias=False),
            LayerNorm2d(oc, c["layer_norm_2d_eps"]),
            nn.Conv2d(oc, oc, kernel_size=3, padding=1, bias=False),
            LayerNorm2d(oc, c["layer_norm_2d_eps"]),
        )

    def forward(self, x):
        x = self.patch_embed(x)
        if self.pos_embed is not None:
            x = x + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.neck(x.permute(0, 3, 1, 2))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, eps, use_rel_pos, window_size, input_size):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, qkv_bias, use_rel_pos,
                              input_size if window_size == 0 else (window_size, window_size))
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MLPBlock(dim, int(dim * mlp_ratio), nn.GELU)
        self.window_size = window_size

    def forward(self, x):
        shortcut = x
        x = self.norm1(x)
        if self.window_size > 0:
            H, W = x.shape[1], x.shape[2]
            x, pad_hw = window_partition(x, self.window_size)
        x = self.attn(x)
        if self.window_size > 0:
            x = window_unpartition(x, self.window_size, pad_hw, (H, W))
        x = shortcut + x
        x = x + self.mlp(self.norm2(x))
        return x


class Attention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias, use_rel_pos, input_size):
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.use_rel_pos = use_rel_pos
        if use_rel_pos:
            self.rel_pos_h = nn.Parameter(torch.zeros(2 * input_size[0] - 1, head_dim))
            self.rel_pos_w = nn.Parameter(torch.zeros(2 * input_size[1] - 1, head_dim))

    def forward(self, x):
        B, H, W, _ = x.shape
        qkv = self.qkv(x).reshape(B, H * W, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.reshape(3, B * self.num_heads, H * W, -1).unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        if self.use_rel_pos:
            attn = add_decomposed_rel_pos(attn, q, self.rel_pos_h, self.rel_pos_w, (H, W), (H, W))
        attn = attn.softmax(dim=-1)
        x = (attn @ v).view(B, self.num_heads, H, W, -1).permute(0, 2, 3, 1, 4).reshape(B, H, W, -1)
        return self.proj(x)


def window_partition(x, window_size):
    B, H, W, C = x.shape
    pad_h = (window_size - H % window_size) % window_size
    pad_w = (window_size - W % window_size) % window_size
    if pad_h > 0 or pad_w > 0:
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
    Hp, Wp = H + pad_h, W + pad_w
    x = x.view(B, Hp // window_size, window_size, Wp // window_size, window_size, C)
    windows = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, window_size, window_size, C)
    return windows, (Hp, Wp)


def window_unpartition(windows, window_size, pad_hw, hw):
    Hp, Wp = pad_hw
    H, W = hw
    B = windows.shape[0] // (Hp * Wp // window_size // window_size)
    x = windows.view(B, Hp // window_size, Wp // window_size, window_size, window_size, -1)
    x = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(B, Hp, Wp, -1)
    if Hp > H or Wp > W:
        x = x[:, :H, :W, :].contiguous()
    return x


def get_rel_pos(q_size, k_size, rel_pos):
    max_rel_dist = int(2 * max(q_size, k_size) - 1)
    if rel_pos.shape[0] != max_rel_dist:  # never taken here (sizes match the parameters)
        rel_pos_resized = F.interpolate(rel_pos.reshape(1, rel_pos.shape[0], -1).permute(0, 2, 1),
                                        size=max_rel_dist, mode="linear")
        rel_pos_resized = rel_pos_resized.reshape(-1, max_rel_dist).permute(1, 0)
    else:
        rel_pos_resized = rel_pos
    q_coords = torch.arange(q_size)[:, None] * max(k_size / q_size, 1.0)
    k_coords = torch.arange(k_size)[None, :] * max(q_size / k_size, 1.0)
    relative_coords = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
    return rel_pos_resized[relative_coords.long()]


def add_decomposed_rel_pos(attn, q, rel_pos_h, rel_pos_w, q_size, k_size):
    q_h, q_w = q_size
    k_h, k_w = k_size
    Rh = get_rel_pos(q_h, k_h, rel_pos_h)
    Rw = get_rel_pos(q_w, k_w, rel_pos_w)
    B, _, dim = q.shape
    r_q = q.reshape(B, q_h, q_w, dim)
    rel_h = torch.einsum("bhwc,hkc->bhwk", r_q, Rh)
    rel_w = torch.einsum("bhwc,wkc->bhwk", r_q, Rw)
    attn = (attn.view(B, q_h, q_w, k_h, k_w) + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :]
            ).view(B, q_h * q_w, k_h * k_w)
    return attn


class PatchEmbed(nn.Module):
    def __init__(self, patch, in_chans, embed_dim):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).permute(0, 2, 3, 1)  # B C H W -> B H W C


# ---------------------------------------------------------------- modeling/prompt_encoder.py
class PositionEmbeddingRandom(nn.Module):
    def __init__(self, num_pos_feats, scale=None):
        super().__init__()
        if scale is None or scale <= 0.0:
            scale = 1.0
        self.register_buffer("positional_encoding_gaussian_matrix", scale * torch.randn((2, num_pos_feats)))

    def _pe_encoding(self, coords):
        coords = 2 * coords - 1
        coords = coords @ self.positional_encoding_gaussian_matrix
        coords = 2 * np.pi * coords
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)

    def forward(self, size):
        h, w = size
        grid = torch.ones((h, w), dtype=torch.float32)
        y_embed = grid.cumsum(dim=0) - 0.5
        x_embed = grid.cumsum(dim=1) - 0.5
        y_embed = y_embed / h
        x_embed = x_embed / w
        pe = self._pe_encoding(torch.stack([x_embed, y_embed], dim=-1))
        return pe.permute(2, 0, 1)  # C x H x W

    def forward_with_coords(self, coords_input, image_size):
        coords = coords_input.clone()
        coords[:, :, 0] = coords[:, :, 0] / image_size[1]
        coords[:, :, 1] = coords[:, :, 1] / image_size[0]
        return self._pe_encoding(coords.to(torch.float))


class PromptEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, e = c["prompt_embed_dim"], c["image_embedding_size"]
        self.embed_dim = d
        self.input_image_size = (c["img_size"], c["img_size"])
        self.image_embedding_size = (e, e)
        self.pe_layer = PositionEmbeddingRandom(d // 2, c["pe_gaussian_scale"])
        self.num_point_embeddings = 4  # pos/neg point + 2 box corners
        self.point_embeddings = nn.ModuleList([nn.Embedding(1, d) for _ in range(4)])
        self.not_a_point_embed = nn.Embedding(1, d)
        mic = c["mask_in_chans"]
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, mic // 4, kernel_size=2, stride=2), LayerNorm2d(mic // 4), nn.GELU(),
            nn.Conv2d(mic // 4, mic, kernel_size=2, stride=2), LayerNorm2d(mic), nn.GELU(),
            nn.Conv2d(mic, d, kernel_size=1))
        self.no_mask_embed = nn.Embedding(1, d)

    def get_dense_pe(self):
        return self.pe_layer(self.image_embedding_size).unsqueeze(0)

    # Upstream form (used by the self-check that the exported layout computes the same thing).
    def _embed_points(self, points, labels, pad):
        points = points + 0.5  # Shift to center of pixel
        if pad:
            padding_point = torch.zeros((points.shape[0], 1, 2), device=points.device)
            padding_label = -torch.ones((labels.shape[0], 1), device=labels.device)
            points = torch.cat([points, padding_point], dim=1)
            labels = torch.cat([labels, padding_label], dim=1)
        point_embedding = self.pe_layer.forward_with_coords(points, self.input_image_size)
        point_embedding[labels == -1] = 0.0
        point_embedding[labels == -1] += self.not_a_point_embed.weight
        point_embedding[labels == 0] += self.point_embeddings[0].weight
        point_embedding[labels == 1] += self.point_embeddings[1].weight
        return point_embedding

    def forward(self, points, boxes=None, masks=None):
        """Upstream PromptEncoder.forward for points only (boxes/masks not used here)."""
        assert boxes is None and masks is None
        coords, labels = points
        bs = coords.shape[0]
        sparse = torch.empty((bs, 0, self.embed_dim))
        sparse = torch.cat([sparse, self._embed_points(coords, labels, pad=True)], dim=1)
        dense = self.no_mask_embed.weight.reshape(1, -1, 1, 1).expand(bs, -1, *self.image_embedding_size)
        return sparse, dense

    # HF form (SamPromptEncoder._embed_points, the exported one): points [B, P, n, 2] in the
    # 1024-frame, labels [B, P, n] int64. A not-a-point (0, 0, label -1) is appended to every prompt
    # (no boxes are given); label -10 marks padding, whose embedding is zero.
    def embed_points_hf(self, points, labels):
        points = points + 0.5  # Shift to center of pixel
        pad_point = torch.zeros_like(points[:, :, :1, :])
        pad_label = -torch.ones_like(labels[:, :, :1])
        points = torch.cat([points, pad_point], dim=2)
        labels = torch.cat([labels, pad_label], dim=2)
        # coords / (W, H) with W = H = 1024 (an exact power-of-two division)
        coords = points / float(self.input_image_size[1])
        pe = self.pe_layer._pe_encoding(coords)
        lab = labels[..., None]
        pe = torch.where(lab == -1, self.not_a_point_embed.weight, pe)
        pe = torch.where(lab != -10, pe, torch.tensor(0.0, dtype=pe.dtype))
        pe = torch.where(lab == 0, pe + self.point_embeddings[0].weight[None, None], pe)
        pe = torch.where(lab == 1, pe + self.point_embeddings[1].weight[None, None], pe)
        return pe


# ---------------------------------------------------------------- modeling/transformer.py
class TwoWayTransformer(nn.Module):
    def __init__(self, depth, embedding_dim, num_heads, mlp_dim, downsample, eps_block, eps_final):
        super().__init__()
        self.layers = nn.ModuleList(
            TwoWayAttentionBlock(embedding_dim, num_heads, mlp_dim, downsample, (i == 0), eps_block)
            for i in range(depth))
        self.final_attn_token_to_image = TAttention(embedding_dim, num_heads, downsample)
        self.norm_final_attn = nn.LayerNorm(embedding_dim, eps=eps_final)

    def forward(self, image_embedding, image_pe, point_embedding):
        image_embedding = image_embedding.flatten(2).permute(0, 2, 1)
        image_pe = image_pe.flatten(2).permute(0, 2, 1)
        queries, keys = point_embedding, image_embedding
        for layer in self.layers:
            queries, keys = layer(queries, keys, point_embedding, image_pe)
        q = queries + point_embedding
        k = keys + image_pe
        attn_out = self.final_attn_token_to_image(q, k, keys)
        queries = self.norm_final_attn(queries + attn_out)
        return queries, keys


class TwoWayAttentionBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_dim, downsample, skip_first_layer_pe, eps):
        super().__init__()
        self.self_attn = TAttention(dim, num_heads)
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.cross_attn_token_to_image = TAttention(dim, num_heads, downsample)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MLPBlock(dim, mlp_dim, nn.ReLU)
        self.norm3 = nn.LayerNorm(dim, eps=eps)
        self.norm4 = nn.LayerNorm(dim, eps=eps)
        self.cross_attn_image_to_token = TAttention(dim, num_heads, downsample)
        self.skip_first_layer_pe = skip_first_layer_pe

    def forward(self, queries, keys, query_pe, key_pe):
        if self.skip_first_layer_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        q = queries + query_pe
        k = keys + key_pe
        queries = self.norm2(queries + self.cross_attn_token_to_image(q, k, keys))
        queries = self.norm3(queries + self.mlp(queries))
        q = queries + query_pe
        k = keys + key_pe
        keys = self.norm4(keys + self.cross_attn_image_to_token(k, q, queries))
        return queries, keys


class TAttention(nn.Module):
    def __init__(self, embedding_dim, num_heads, downsample_rate=1):
        super().__init__()
        self.internal_dim = embedding_dim // downsample_rate
        self.num_heads = num_heads
        self.q_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.k_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.v_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, embedding_dim)

    def _separate_heads(self, x):
        b, n, c = x.shape
        return x.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def _recombine_heads(self, x):
        b, n_heads, n_tokens, c_per_head = x.shape
        return x.transpose(1, 2).reshape(b, n_tokens, n_heads * c_per_head)

    def forward(self, q, k, v):
        q = self._separate_heads(self.q_proj(q))
        k = self._separate_heads(self.k_proj(k))
        v = self._separate_heads(self.v_proj(v))
        c_per_head = q.shape[-1]
        attn = q @ k.permute(0, 1, 3, 2)
        attn = attn / math.sqrt(c_per_head)
        attn = torch.softmax(attn, dim=-1)
        return self.out_proj(self._recombine_heads(attn @ v))


# ---------------------------------------------------------------- modeling/mask_decoder.py
class MaskDecoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["prompt_embed_dim"]
        self.transformer_dim = d
        self.transformer = TwoWayTransformer(c["transformer_depth"], d, c["transformer_num_heads"],
                                             c["transformer_mlp_dim"], c["attention_downsample_rate"],
                                             c["decoder_block_layer_norm_eps"], c["decoder_final_layer_norm_eps"])
        self.num_multimask_outputs = c["num_multimask_outputs"]
        self.iou_token = nn.Embedding(1, d)
        self.num_mask_tokens = self.num_multimask_outputs + 1
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, d)
        self.output_upscaling = nn.Sequential(
            nn.ConvTranspose2d(d, d // 4, kernel_size=2, stride=2), LayerNorm2d(d // 4), nn.GELU(),
            nn.ConvTranspose2d(d // 4, d // 8, kernel_size=2, stride=2), nn.GELU())
        self.output_hypernetworks_mlps = nn.ModuleList(
            MLP(d, d, d // 8, 3) for _ in range(self.num_mask_tokens))
        self.iou_prediction_head = MLP(d, c["iou_head_hidden_dim"], self.num_mask_tokens, c["iou_head_depth"])

    def forward(self, image_embeddings, image_pe, sparse_prompt_embeddings, dense_prompt_embeddings,
                multimask_output):
        """Upstream MaskDecoder.forward (tokens [b, N, C], one image repeated per prompt)."""
        output_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        output_tokens = output_tokens.unsqueeze(0).expand(sparse_prompt_embeddings.size(0), -1, -1)
        tokens = torch.cat((output_tokens, sparse_prompt_embeddings), dim=1)
        src = torch.repeat_interleave(image_embeddings, tokens.shape[0], dim=0)
        src = src + dense_prompt_embeddings
        pos_src = torch.repeat_interleave(image_pe, tokens.shape[0], dim=0)
        masks, iou_pred = self.predict_from_tokens(src, pos_src, tokens)
        sl = slice(1, None) if multimask_output else slice(0, 1)
        return masks[:, sl, :, :], iou_pred[:, sl]

    def predict_from_tokens(self, src, pos_src, tokens):
        """The body of upstream predict_masks after the token/src expansion."""
        b, c, h, w = src.shape
        hs, src = self.transformer(src, pos_src, tokens)
        iou_token_out = hs[:, 0, :]
        mask_tokens_out = hs[:, 1:(1 + self.num_mask_tokens), :]
        src = src.transpose(1, 2).reshape(b, c, h, w)
        upscaled_embedding = self.output_upscaling(src)
        hyper_in = torch.stack([self.output_hypernetworks_mlps[i](mask_tokens_out[:, i, :])
                                for i in range(self.num_mask_tokens)], dim=1)
        b, c, h, w = upscaled_embedding.shape
        masks = (hyper_in @ upscaled_embedding.reshape(b, c, h * w)).reshape(b, -1, h, w)
        iou_pred = self.iou_prediction_head(iou_token_out)
        return masks, iou_pred


class MLP(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, num_layers, sigmoid_output=False):
        super().__init__()
        self.num_layers = num_layers
        h = [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(nn.Linear(n, k) for n, k in zip([input_dim] + h, h + [output_dim]))
        self.sigmoid_output = sigmoid_output

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x)) if i < self.num_layers - 1 else layer(x)
        if self.sigmoid_output:
            x = torch.sigmoid(x)
        return x


# ---------------------------------------------------------------- modeling/sam.py
class Sam(nn.Module):
    mask_threshold = 0.0

    def __init__(self, c):
        super().__init__()
        self.image_encoder = ImageEncoderViT(c)
        self.prompt_encoder = PromptEncoder(c)
        self.mask_decoder = MaskDecoder(c)

    def postprocess_masks(self, masks, input_size, original_size):
        masks = F.interpolate(masks, (self.image_encoder.img_size, self.image_encoder.img_size),
                              mode="bilinear", align_corners=False)
        masks = masks[..., : input_size[0], : input_size[1]]
        return F.interpolate(masks, original_size, mode="bilinear", align_corners=False)

    def upstream_predict(self, image_embeddings, point_coords, point_labels, multimask_output=True):
        """SamPredictor.predict_torch without the postprocessing: points [P, n, 2] (1024 frame),
        labels [P, n]; returns low-res masks [P, 3, 256, 256] and iou [P, 3]."""
        sparse, dense = self.prompt_encoder(points=(point_coords, point_labels))
        return self.mask_decoder(image_embeddings, self.prompt_encoder.get_dense_pe(), sparse, dense,
                                 multimask_output)


def build_sam(c=SAM_CONFIG):
    """Seeds torch, builds the model and gives every parameter random values (LayerNorm gains and
    biases away from 1/0; abs/rel position tables, which upstream initialises to zero, random)."""
    torch.manual_seed(c["seed"])
    m = Sam(c).eval()
    with torch.no_grad():
        for n, p in m.named_parameters():
            leaf = n.rsplit(".", 1)[-1]
            owner = m.get_submodule(n.rsplit(".", 1)[0]) if "." in n else m
            if isinstance(owner, (nn.LayerNorm, LayerNorm2d)):
                p.copy_((1.0 if leaf == "weight" else 0.0) + 0.2 * torch.randn_like(p))
            elif leaf == "bias":
                p.copy_(0.1 * torch.randn_like(p))
            elif leaf == "pos_embed":
                p.copy_(0.2 * torch.randn_like(p))
            elif leaf in ("rel_pos_h", "rel_pos_w"):
                p.copy_(0.3 * torch.randn_like(p))
        steer_decoder(m, c)
    return m


def steer_decoder(m, c=SAM_CONFIG):
    """Purely random weights give masks that ignore the prompt (the same image-wide pattern for
    every point), which would leave box NMS nothing to do. So that automatic mask generation gives
    distinct masks around each point, a few decoder weights are set by hand; the graph is the same,
    and everything not named here keeps its random value:

    * token self-attention of the first two-way block: k_proj = q_proj, scaled up, so each token
      mostly attends to itself (the first block has no residual there, so with near-uniform
      attention all tokens would collapse into one);
    * image-to-token attention of the last block: head h reads only the sin/cos coordinates of
      4 low PE frequencies dealt to it (queries x alpha, keys x 1), so its logit for the point
      token is alpha * <pe(x), pe(point)> / sqrt(8), a bump around the point (PE scale 0.6 keeps it
      single-peaked), and ~0 for the other tokens, whose entries on those coordinates (LayerNorm
      gains/biases feeding them, learned token embeddings) are made tiny; its values x value_gain;
    * output upscaling: kernels share their 2x2 taps (plus a little noise, so masks are not
      textured); channel 0 of the first transposed conv carries the point attention a (a direction
      of the keys fitted by least squares), channel 1 a constant that keeps the LayerNorm2d from
      saturating; outputs 0 and 1 of the second conv pass them on;
    * hypernetwork MLPs: last-layer weights x hyper_weight_scale, biases fitted (least squares) so
      that mask logits ~ mask_gain * (a - tau[token]);
    * IoU head: its last layer rescaled (affine) so that each output's predicted IoU has mean
      iou_mean and standard deviation iou_std (random weights give nearly constant scores).
    The fits use a zero picture and a noise picture (not the fixture picture), each with an 8x8 grid
    of single positive points.
    """
    st = c["steer"]
    if os.environ.get("SAM_STEER_DEBUG"):  # for tuning: a JSON object overriding SAM_CONFIG["steer"]
        st = {**st, **json.loads(os.environ["SAM_STEER_DEBUG"])}
        c = {**c, "steer": st}
    md, pe_ = m.mask_decoder, m.prompt_encoder
    nf = pe_.pe_layer.positional_encoding_gaussian_matrix.shape[1]
    att = md.transformer.layers[-1].cross_attn_image_to_token
    hd = att.internal_dim // att.num_heads
    per_head = hd // 2
    # PE frequencies by increasing norm: from the freq_skip-th on, dealt alternately to the heads
    order = pe_.pe_layer.positional_encoding_gaussian_matrix.norm(dim=0).argsort().tolist()
    g = torch.Generator().manual_seed(c["seed"] + 1)
    rnd = lambda *shape: torch.randn(*shape, generator=g)
    q = st["quiet"]
    with torch.no_grad():
        Wq = torch.zeros_like(att.q_proj.weight)
        Wk = torch.zeros_like(att.k_proj.weight)
        coords = []
        for h in range(att.num_heads):
            for i in range(per_head):
                f = order[st["freq_skip"] + i * att.num_heads + h]
                for j, col in enumerate((f, f + nf)):  # sin_f, cos_f
                    Wq[h * hd + 2 * i + j, col] = st["alpha"]
                    Wk[h * hd + 2 * i + j, col] = 1.0
                    coords.append(col)
        att.q_proj.weight.copy_(Wq)
        att.k_proj.weight.copy_(Wk)
        att.q_proj.bias.copy_(q * rnd(att.internal_dim))
        att.k_proj.bias.copy_(q * rnd(att.internal_dim))
        att.v_proj.weight.mul_(st["value_gain"])
        sa = md.transformer.layers[0].self_attn
        sa.q_proj.weight.mul_(st["self_attn_gain"])
        sa.k_proj.weight.copy_(sa.q_proj.weight)
        sa.k_proj.bias.copy_(sa.q_proj.bias)
        for ln in (md.transformer.layers[0].norm4, md.transformer.layers[-1].norm3):
            ln.weight[coords] = q * rnd(len(coords))
            ln.bias[coords] = q * rnd(len(coords))
        for e in (md.iou_token.weight, md.mask_tokens.weight, pe_.not_a_point_embed.weight,
                  pe_.point_embeddings[0].weight, pe_.point_embeddings[1].weight):
            e[:, coords] = q * rnd(e.shape[0], len(coords))
        for conv in (md.output_upscaling[0], md.output_upscaling[3]):
            w = conv.weight
            w.copy_(w[:, :, :1, :1].expand_as(w) + st["subpixel_jitter"] * rnd(*w.shape))
        for mlp in md.output_hypernetworks_mlps:
            mlp.layers[-1].weight.mul_(st["hyper_weight_scale"])
        _calibrate(m, c, att, rnd, coords)


def _calibrate(m, c, att, rnd, coords):
    st = c["steer"]
    md = m.mask_decoder
    debug = bool(os.environ.get("SAM_STEER_DEBUG"))
    n = 8
    g = (torch.arange(n, dtype=torch.float32) + 0.5) / n
    pts = torch.stack(torch.meshgrid(g * c["img_size"], g * c["img_size"] * 0.75, indexing="xy"), -1)
    pts = pts.reshape(1, n * n, 1, 2)
    labels = torch.ones(1, n * n, 1, dtype=torch.int64)
    srcs, As, hypers, iou_in = [], [], [], []
    for pic in ("zeros", "noise"):
        px = torch.zeros(1, 3, c["img_size"], c["img_size"])
        if pic == "noise":
            px = rnd(*px.shape)
        emb, pe = VisionEncoderGraph(m)(px)
        cap, hyper = {}, []
        hooks = [md.output_upscaling.register_forward_hook(lambda mod, i, o: cap.__setitem__("src", i[0])),
                 att.register_forward_hook(lambda mod, i, o: cap.__setitem__("qkv", i)),
                 md.iou_prediction_head.register_forward_hook(lambda mod, i, o: cap.__setitem__("iou_in", i[0]))]
        for mlp in md.output_hypernetworks_mlps:
            hooks.append(mlp.register_forward_hook(lambda mod, i, o: hyper.append(o)))
        PromptEncoderMaskDecoderGraph(m)(pts, labels, emb, pe)
        for h in hooks:
            h.remove()
        # a: the point token's attention (mean over heads) at every 64x64 location, per prompt
        qin, kin, _ = cap["qkv"]
        qq = att._separate_heads(att.q_proj(qin))
        kk = att._separate_heads(att.k_proj(kin))
        a = torch.softmax(qq @ kk.permute(0, 1, 3, 2) / math.sqrt(qq.shape[-1]), -1)
        As.append(a[:, :, :, 5].mean(1).double())  # tokens: iou, 4 mask tokens, the point, the not-a-point
        srcs.append(cap["src"])
        hypers.append(hyper)
        iou_in.append(cap["iou_in"])
    a = torch.cat(As)
    src = torch.cat(srcs)  # [128, C, 64, 64]: the transformer's image output, input of output_upscaling
    hyper = [torch.cat([h[i] for h in hypers]) for i in range(len(hypers[0]))]
    coords = torch.tensor(coords)
    K = src.permute(0, 2, 3, 1).reshape(-1, src.shape[1]).double()[:, coords]
    K1 = torch.cat([K, torch.ones(K.shape[0], 1, dtype=K.dtype)], 1)
    dc = torch.linalg.lstsq(K1, a.reshape(-1, 1)).solution[:, 0]  # a ~ K[:, coords] . d + c0
    d = torch.zeros(src.shape[1], dtype=dc.dtype)
    d[coords] = dc[:-1]
    if debug:
        print("a from keys: residual", (a.reshape(-1) - K1 @ dc).std().item(), "of", a.std().item())
    up1, ln, up2 = md.output_upscaling[0], md.output_upscaling[1], md.output_upscaling[3]
    lam = 4.0
    up1.weight[:, 0] = lam * d.float()[:, None, None] + st["subpixel_jitter"] * rnd(up1.weight.shape[0], 2, 2)
    up1.bias[0] = lam * (dc[-1].float() - 0.5)  # channel 0 = lam * (a - 0.5)
    up1.weight[:, 1] = st["subpixel_jitter"] * rnd(up1.weight.shape[0], 2, 2)
    up1.bias[1] = 2.5 * lam  # a large constant: the LayerNorm2d stays in its linear range
    ln.bias[0] = ln.bias[0] + 1.0  # channel 0 after the norm lies in GELU's increasing range
    # second conv: output 0 reads channel 0, output 1 the constant channel 1 (others: only noise)
    up2.weight[:, :2] = st["subpixel_jitter"] * rnd(up2.weight.shape[0], 2, 2, 2)
    up2.weight[0, 0] += 2.0
    up2.weight[1, 1] += 8.0
    up2.bias[:2] = 0.0
    U = md.output_upscaling(src)  # [128, 4, 256, 256]
    Uf = U.permute(0, 2, 3, 1).reshape(U.shape[0], -1, U.shape[1]).double()
    a4 = F.interpolate(a.reshape(-1, 1, 64, 64), size=U.shape[-2:], mode="nearest")[:, 0].reshape(U.shape[0], -1)
    X = Uf.reshape(-1, U.shape[1])[:, :2]  # only the a-channel and the constant channel
    for i, mlp in enumerate(md.output_hypernetworks_mlps):
        rest = (hyper[i].double()[:, None, :] * Uf).sum(-1)  # the part the kept weights give
        target = st["mask_gain"] * (a4 - st["tau"][i]) - rest
        b = torch.linalg.lstsq(X, target.reshape(-1, 1)).solution[:, 0]
        if debug:
            print("fit", i, "target std", target.std().item(), "residual", (target.reshape(-1) - X @ b).std().item())
        mlp.layers[-1].bias.copy_(torch.cat([b, torch.zeros(U.shape[1] - 2, dtype=b.dtype)]).float())
    # IoU head: an affine change of its last layer so each output has mean iou_mean and standard
    # deviation iou_std over the calibration prompts (random weights give nearly constant scores)
    head = md.iou_prediction_head
    v = head(torch.cat(iou_in)).double()
    a = st["iou_std"] / v.std(0)
    last = head.layers[-1]
    last.weight.copy_((a[:, None] * last.weight.double()).float())
    last.bias.copy_((a * last.bias.double() + st["iou_mean"] - a * v.mean(0)).float())


# ---------------------------------------------------------------- the exported graphs (HF layout)
class VisionEncoderGraph(nn.Module):
    """pixel_values [B, 3, 1024, 1024] -> image_embeddings [B, C, 64, 64],
    image_positional_embeddings [B, C, 64, 64] (= prompt_encoder.get_dense_pe() per image; HF's
    SamModel.get_image_wide_positional_embeddings().repeat(batch_size, 1, 1, 1))."""

    def __init__(self, sam):
        super().__init__()
        self.sam = sam

    def forward(self, pixel_values):
        emb = self.sam.image_encoder(pixel_values)
        pe = self.sam.prompt_encoder.get_dense_pe()
        return emb, pe.expand(pixel_values.shape[0], -1, -1, -1)


class PromptEncoderMaskDecoderGraph(nn.Module):
    """input_points [B, P, n, 2] float32 (x, y in the 1024-resized frame), input_labels [B, P, n]
    int64, image_embeddings [B, C, 64, 64], image_positional_embeddings [B, C, 64, 64]
    -> iou_scores [B, P, 3], pred_masks [B, P, 3, 256, 256] (multimask output, low-res logits).
    Each of the B*P prompts is decoded against its own image's embedding (HF SamMaskDecoder)."""

    def __init__(self, sam):
        super().__init__()
        self.sam = sam

    def forward(self, input_points, input_labels, image_embeddings, image_positional_embeddings):
        pe_, md = self.sam.prompt_encoder, self.sam.mask_decoder
        B, P = input_labels.shape[0], input_labels.shape[1]
        sparse = pe_.embed_points_hf(input_points, input_labels)  # [B, P, n+1, C]
        C = sparse.shape[-1]
        out_tok = torch.cat([md.iou_token.weight, md.mask_tokens.weight], dim=0)  # [5, C]
        out_tok = out_tok[None, None].expand(B, P, -1, -1)
        tokens = torch.cat([out_tok, sparse], dim=2).reshape(-1, sparse.shape[2] + out_tok.shape[2], C)
        src = image_embeddings + pe_.no_mask_embed.weight.reshape(1, -1, 1, 1)
        h, w = src.shape[2], src.shape[3]
        src = src[:, None].expand(-1, P, -1, -1, -1).reshape(-1, C, h, w)
        pos = image_positional_embeddings[:, None].expand(-1, P, -1, -1, -1).reshape(-1, C, h, w)
        masks, iou = md.predict_from_tokens(src, pos, tokens)  # [B*P, 4, 256, 256], [B*P, 4]
        iou = iou[:, 1:].reshape(B, P, -1)
        masks = masks[:, 1:].reshape(B, P, -1, masks.shape[2], masks.shape[3])
        return iou, masks
