"""Decodes COCO compressed RLE masks, written from the format's definition (pycocotools' maskApi.c:
rleFrString, rleDecode), with the Python 3 standard library only. Used by the app's RLE test.

Reads JSON on stdin: a list of {"size": [h, w], "counts": "<string>"}.
Writes JSON on stdout: a list of {"counts": [run lengths], "area": n, "bbox": [x, y, w, h],
"bits": "<hex>"} where bits is the row-major mask packed 8 pixels per byte, first pixel in the high
bit, the last byte padded with zeros, and bbox the tight box of the 1 pixels with w = x1 - x0 + 1
([0, 0, 0, 0] when empty).

The string format: run lengths alternate zeros and ones in column-major (Fortran) order, the first
run counting zeros; from the third run on, each is stored as the difference from the run two
before; each number is written 5 bits per character, least significant group first, as chr(48 +
group) with 0x20 set while more groups follow, and the last group's 0x10 bit is the sign.
"""
import json
import sys


def counts_from_string(s):
    counts = []
    p = 0
    while p < len(s):
        x = 0
        k = 0
        more = True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)  # sign-extend the last group
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def decode(rle):
    h, w = rle["size"]
    counts = counts_from_string(rle["counts"])
    if any(c < 0 for c in counts) or sum(counts) != h * w:
        raise ValueError(f"counts {counts} do not cover {h}x{w}")
    column_major = []
    value = 0
    for c in counts:
        column_major.extend([value] * c)
        value ^= 1
    mask = [[column_major[x * h + y] for x in range(w)] for y in range(h)]
    ones = [(y, x) for y in range(h) for x in range(w) if mask[y][x]]
    if ones:
        ys = [y for y, _ in ones]
        xs = [x for _, x in ones]
        bbox = [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1]
    else:
        bbox = [0, 0, 0, 0]
    flat = [v for row in mask for v in row]
    packed = bytearray((len(flat) + 7) // 8)
    for i, v in enumerate(flat):
        if v:
            packed[i // 8] |= 0x80 >> (i % 8)
    return {"counts": counts, "area": len(ones), "bbox": bbox, "bits": packed.hex()}


def main():
    json.dump([decode(r) for r in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
