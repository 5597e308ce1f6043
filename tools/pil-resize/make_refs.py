"""Reference outputs of Pillow's resize for src/processing/resize.test.ts.

Run with any Pillow (its Resample.c has been unchanged since 2017):
    python3 tools/pil-resize/make_refs.py
Writes fixtures/pil-resize/: source.png (a 61x47 RGB test picture), cases.json (each case's size,
filter, byte offset into expected.bin and the SHA-256 of its RGB bytes) and expected.bin (raw RGB
bytes of the small cases). The webcam-sized case is kept as a hash only (its bytes would be 370 kB).
Also decode/: small PNGs in the layouts a decoder can get wrong (palette at 1, 2, 4 and 8 bits and grey at
1 bit, with padded rows; grey; grey + alpha; RGBA) and decode.json, Pillow's RGB for each (the Hugging
Face processors call Image.convert("RGB"), which drops alpha without compositing).
"""
import hashlib
import json
import os

from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "pil-resize")


def pattern(w, h):
    """Integer-only picture (so the tests can rebuild it exactly): edges, ramps and noise."""
    px = bytearray()
    for y in range(h):
        for x in range(w):
            n = (x * 73856093 ^ y * 19349663) & 0xFFFF
            px += bytes(((x * 255) // max(1, w - 1), (n * 7) & 255, 255 if (x // 8 + y // 8) % 2 else 0))
    return Image.frombytes("RGB", (w, h), bytes(px))


def main():
    os.makedirs(OUT, exist_ok=True)
    src = pattern(61, 47)
    src.save(os.path.join(OUT, "source.png"))
    sizes = [(23, 17), (97, 80), (61, 20), (30, 47), (61, 90), (1, 1), (200, 3), (7, 150), (60, 46)]
    cases, blob = [], bytearray()
    for flt, code in (("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)):
        for w, h in sizes:
            data = src.resize((w, h), code).tobytes()
            cases.append({"source": "source.png", "width": w, "height": h, "filter": flt, "offset": len(blob),
                          "sha256": hashlib.sha256(data).hexdigest()})
            blob += data
        # A webcam frame to CLIPSeg's input, from the same integer pattern at 640x480.
        data = pattern(640, 480).resize((352, 352), code).tobytes()
        cases.append({"source": "pattern:640x480", "width": 352, "height": 352, "filter": flt,
                      "sha256": hashlib.sha256(data).hexdigest()})
    with open(os.path.join(OUT, "expected.bin"), "wb") as f:
        f.write(blob)
    import PIL
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "cases": cases}, f, indent=1)


def decode_cases():
    out = os.path.join(OUT, "decode")
    os.makedirs(out, exist_ok=True)
    rgb = pattern(7, 5)
    cases = {}

    def save(name, im, **kw):
        im.save(os.path.join(out, name), **kw)
        back = Image.open(os.path.join(out, name))
        cases[name] = {"mode": back.mode, "rgb": list(back.convert("RGB").tobytes())}

    for bits in (1, 2, 4, 8):
        pal = rgb.quantize(colors=2 ** bits)
        save(f"palette{bits}.png", pal, bits=bits)
    save("grey1.png", rgb.convert("1"))
    save("grey8.png", rgb.convert("L"))
    la = rgb.convert("LA")
    la.putalpha(Image.linear_gradient("L").resize((7, 5)))
    save("greyalpha.png", la)
    rgba = rgb.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((7, 5)))
    save("rgba.png", rgba)
    with open(os.path.join(out, "..", "decode.json"), "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
    decode_cases()
