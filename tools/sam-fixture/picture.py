"""The fixture picture: a deterministic 320x240 RGB image with a few distinct shapes, drawn with numpy
(hard edges, no anti-aliasing), and the two preprocessings the app applies to it."""
import numpy as np
from PIL import Image

W, H = 320, 240
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
CLIP_MEAN, CLIP_STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]


def draw() -> np.ndarray:
    """uint8 [240, 320, 3]: sky gradient over grass, a sun, a red house with a dark roof, a tree."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    img = np.zeros((H, W, 3), np.float64)
    sky = y < 150
    img[sky] = np.stack([90 + 0.3 * y, 150 + 0.4 * y, 235 - 0.2 * y], -1)[sky]
    img[~sky] = np.stack([40 + 0.1 * x, 150 - 0.2 * (y - 150), 50 + 0 * x], -1)[~sky]
    sun = (x - 265) ** 2 + (y - 45) ** 2 < 28 ** 2
    img[sun] = [250, 215, 40]
    house = (x >= 60) & (x < 150) & (y >= 110) & (y < 185)
    img[house] = [200, 40, 35]
    roof = (y >= 70) & (y < 110) & (np.abs(x - 105) < (y - 70) * 60 / 40)
    img[roof] = [70, 45, 40]
    door = (x >= 95) & (x < 115) & (y >= 145) & (y < 185)
    img[door] = [110, 70, 30]
    trunk = (x >= 225) & (x < 237) & (y >= 140) & (y < 200)
    img[trunk] = [100, 65, 30]
    crown = (x - 231) ** 2 / 30 ** 2 + (y - 120) ** 2 / 35 ** 2 < 1
    img[crown] = [30, 110, 45]
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def longest_side(h, w, target=1024):
    """ResizeLongestSide.get_preprocess_shape (and HF's SamImageProcessor): (new_h, new_w)."""
    scale = target * 1.0 / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def normalize(rgb: np.ndarray, mean, std) -> np.ndarray:
    """uint8 [h, w, 3] -> float32 [3, h, w]: (v/255 - mean)/std, each step rounded to float32."""
    v = rgb.astype(np.float32) / np.float32(255)
    v = (v - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(v.transpose(2, 0, 1))


def sam_preprocess(img: Image.Image):
    """SAM image processor: longest side 1024 with PIL BILINEAR, ImageNet normalisation in float32,
    zero padding bottom-right to 1024x1024. Returns (resized uint8 [h', w', 3], pixel_values
    float32 [1, 3, 1024, 1024])."""
    nh, nw = longest_side(img.height, img.width)
    resized = np.asarray(img.resize((nw, nh), Image.BILINEAR))
    px = np.zeros((1, 3, 1024, 1024), np.float32)
    px[0, :, :nh, :nw] = normalize(resized, IMAGENET_MEAN, IMAGENET_STD)
    return resized, px


def clip_preprocess(img: Image.Image, size=224):
    """Dense-CLIP input of this fixture: plain PIL BILINEAR resize to 224x224 (aspect not kept), CLIP
    normalisation in float32. Returns float32 [1, 3, 224, 224]."""
    return normalize(np.asarray(img.resize((size, size), Image.BILINEAR)), CLIP_MEAN, CLIP_STD)[None]
