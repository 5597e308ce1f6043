"""A tiny hand-written CLIP vision tower (the layout of Hugging Face's CLIPVisionModelWithProjection,
older attention form: queries scaled by 1/sqrt(d) right after q_proj, keys unscaled) and its ClearCLIP
dense reference. Shared by tools/gen-clip-vision-opset14.py (opset-14 fixture) and
tools/sam-fixture/make_fixture.py (the same seeded tower at opset 17, as the namer of sam-tiny).

build(...) seeds torch, makes the tower and gives it random weights (LayerNorm gains/biases and
projection biases included); it leaves the global RNG where the opset-14 script has always drawn its
input from, so that script's outputs are unchanged by the move into this module."""
import torch
from torch import nn


class Attn(nn.Module):
    def __init__(s, width, heads):
        super().__init__()
        s.q, s.k, s.v, s.o = (nn.Linear(width, width) for _ in range(4))
        s.heads = heads
        s.hd = width // heads

    def forward(s, x, qq=False):
        B, N, C = x.shape
        heads = s.heads
        q = s.q(x) * s.hd ** -0.5
        k = (s.q(x) if qq else s.k(x))
        sh = lambda t: t.view(B, N, heads, s.hd).transpose(1, 2)
        a = torch.softmax(sh(q) @ sh(k).transpose(-1, -2), -1)
        return s.o((a @ sh(s.v(x))).transpose(1, 2).reshape(B, N, C))


class Layer(nn.Module):
    def __init__(s, width, heads):
        super().__init__()
        s.ln1, s.ln2, s.attn = nn.LayerNorm(width), nn.LayerNorm(width), Attn(width, heads)
        s.fc1, s.fc2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(s, x):
        x = x + s.attn(s.ln1(x))
        h = s.fc1(s.ln2(x))
        return x + s.fc2(h * torch.sigmoid(1.702 * h))


class Tower(nn.Module):
    def __init__(s, width, layers, heads, proj_dim, size, patch):
        super().__init__()
        s.patch = patch
        g = size // patch
        s.conv = nn.Conv2d(3, width, patch, patch, bias=False)
        s.cls = nn.Parameter(torch.randn(width) * 0.5)
        s.pos = nn.Embedding(g * g + 1, width)
        s.register_buffer("ids", torch.arange(g * g + 1)[None])
        s.pre, s.post = nn.LayerNorm(width), nn.LayerNorm(width)
        s.layers = nn.ModuleList(Layer(width, heads) for _ in range(layers))
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
        patch = s.patch
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
        """ClearCLIP: last block with q-q attention, no residual, no MLP; post-LN, projection on every
        token; class token dropped; L2-normalised. [B, h*w, proj_dim], patches row-major."""
        last = s.layers[-1]
        o = s.post(last.attn(last.ln1(s.hidden(px)), qq=True))
        e = s.proj(o[:, 1:])
        return e / e.norm(dim=-1, keepdim=True)


def build(width=32, layers=3, heads=2, proj_dim=None, size=224, patch=16, seed=5):
    """Seeds torch with `seed`, builds the tower in eval mode with random weights and returns it."""
    if proj_dim is None:
        proj_dim = 16 if width == 32 else 512
    torch.manual_seed(seed)
    m = Tower(width, layers, heads, proj_dim, size, patch).eval()
    with torch.no_grad():
        for n, p in m.named_parameters():
            if "ln" in n or n.startswith(("pre", "post")):
                p.copy_((1 if n.endswith("weight") else 0) + 0.2 * torch.randn_like(p))
            elif n.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
    return m
