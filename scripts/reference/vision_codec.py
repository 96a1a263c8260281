"""Reference decodings for the vision codec tests: writes test/fixtures/vision-codec.json.

Run with /usr/bin/python3 scripts/reference/vision_codec.py. An independent decoder decodes each image:
PIL (libpng, libjpeg) and, for 16-bit colour PNGs that PIL reduces to 8 bits, OpenCV. The fixture holds

- ``photos``: the shipped photographs data/images/chelsea.png and rocket.jpg: shape, per-channel sums of
  the 8-bit values, and every 16th pixel of every 16th row (all channels) as 8-bit values;
- ``files``: small PNG/JPEG files of every kind the codec reads (gray 1/2/4/8/16-bit, gray + alpha, RGB,
  RGBA, 16-bit RGB, palette with and without tRNS, gray/RGB colour-key tRNS, Adam7 interlaced; grayscale,
  progressive and 4:2:0 JPEG), base64-encoded, with the decoder's levels (channels first) and alpha;
- ``refused``: valid files the codec refuses, with the message it gives.

Some PNGs are written by the small encoder below (PIL writes neither Adam7 nor 2-bit gray), the others by
PIL and OpenCV; every expected value comes from decoding the bytes with PIL or OpenCV, never from the
encoder's input.
"""

import base64
import io
import json
import os
import struct
import zlib

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "test", "fixtures", "vision-codec.json")
STRIDE = 16
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_rows(samples, depth):
    """(h, w, c) integer samples to filtered (type 0) scanlines, big-endian, packed below 8 bits."""
    out = b""
    for row in samples:
        flat = row.reshape(-1)
        if depth == 16:
            data = flat.astype(">u2").tobytes()
        elif depth == 8:
            data = flat.astype(np.uint8).tobytes()
        else:
            bits = "".join(format(int(v), "0%db" % depth) for v in flat)
            bits += "0" * (-len(bits) % 8)
            data = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
        out += b"\0" + data
    return out


def write_png(samples, depth, colour_type, interlace=False, palette=None, trns=None):
    """A PNG of (h, w, c) samples, written by hand so that every colour type, depth and Adam7 is covered."""
    h, w = samples.shape[:2]
    if interlace:
        raw = b"".join(pack_rows(samples[y0::dy, x0::dx], depth) for x0, y0, dx, dy in ADAM7 if samples[y0::dy, x0::dx].size)
    else:
        raw = pack_rows(samples, depth)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour_type, 0, 0, int(interlace)))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    return png + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def pil_bytes(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def levels(array):
    """(h, w) or (h, w, c) to a flat list, channels first."""
    if array.ndim == 2:
        array = array[:, :, None]
    return [int(v) for v in np.transpose(array, (2, 0, 1)).reshape(-1)]


def pil_case(name, data, mode, bit_depth, tolerance=(0, 0)):
    """Expected values from PIL: `mode` is the PIL mode holding colour (+ alpha) at the file's depth."""
    image = np.asarray(Image.open(io.BytesIO(data)).convert(mode), dtype=np.int64)
    colour = 3 if mode.startswith("RGB") else 1
    alpha = mode in ("LA", "RGBA")
    if image.ndim == 2:
        image = image[:, :, None]
    return case(name, data, image[:, :, :colour], image[:, :, colour] if alpha else None, bit_depth, tolerance)


def case(name, data, colour, alpha, bit_depth, tolerance=(0, 0)):
    if colour.ndim == 2:
        colour = colour[:, :, None]
    return {
        "name": name,
        "bytes": base64.b64encode(data).decode("ascii"),
        "shape": [colour.shape[2], colour.shape[0], colour.shape[1]],
        "bitDepth": bit_depth,
        "levels": levels(colour),
        "alpha": None if alpha is None else levels(alpha),
        "tolerance": {"max": tolerance[0], "mean": tolerance[1]},
    }


def files():
    rng = np.random.default_rng(4)
    h, w = 5, 7
    cases = []
    for depth in (1, 2, 4, 8, 16):
        gray = rng.integers(0, 2**depth, (h, w, 1))
        data = write_png(gray, depth, 0)
        if depth == 16:
            decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
            cases.append(case("png gray 16-bit", data, decoded.astype(np.int64), None, 16))
        else:
            # PIL scales 1/2/4-bit gray to 0..255 as the codec does (v * 255 / (2**depth - 1)).
            cases.append(pil_case("png gray %d-bit" % depth, data, "L", 8))
    gray_alpha = rng.integers(0, 256, (h, w, 2))
    cases.append(pil_case("png gray+alpha 8-bit", write_png(gray_alpha, 8, 4), "LA", 8))
    rgb = rng.integers(0, 256, (h, w, 3))
    cases.append(pil_case("png rgb 8-bit", pil_bytes(Image.fromarray(rgb.astype(np.uint8), "RGB"), "PNG"), "RGB", 8))
    rgba = rng.integers(0, 256, (h, w, 4))
    cases.append(pil_case("png rgba 8-bit", pil_bytes(Image.fromarray(rgba.astype(np.uint8), "RGBA"), "PNG"), "RGBA", 8))
    for alpha in (False, True):
        rgb16 = rng.integers(0, 65536, (h, w, 4 if alpha else 3))
        ok, encoded = cv2.imencode(".png", rgb16[:, :, [2, 1, 0, 3] if alpha else [2, 1, 0]].astype(np.uint16))
        assert ok
        data = encoded.tobytes()
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED).astype(np.int64)
        colour = decoded[:, :, [2, 1, 0]]
        cases.append(case("png rgb%s 16-bit" % ("a" if alpha else ""), data, colour, decoded[:, :, 3] if alpha else None, 16))
    palette = rng.integers(0, 256, (6, 3))
    indices = rng.integers(0, 6, (h, w, 1))
    cases.append(pil_case("png palette 4-bit", write_png(indices, 4, 3, palette=palette), "RGB", 8))
    trns = bytes([0, 128, 255, 40])
    cases.append(pil_case("png palette 8-bit with tRNS", write_png(indices, 8, 3, palette=palette, trns=trns), "RGBA", 8))
    key_gray = rng.integers(0, 4, (h, w, 1))
    cases.append(pil_case("png gray with tRNS key", write_png(key_gray, 8, 0, trns=struct.pack(">H", 2)), "LA", 8))
    key_rgb = rng.integers(0, 2, (h, w, 3)) * 200
    cases.append(pil_case("png rgb with tRNS key", write_png(key_rgb, 8, 2, trns=struct.pack(">HHH", 200, 0, 200)), "RGBA", 8))
    big_h, big_w = 11, 13
    cases.append(pil_case("png rgb 8-bit Adam7", write_png(rng.integers(0, 256, (big_h, big_w, 3)), 8, 2, interlace=True), "RGB", 8))
    interlaced16 = write_png(rng.integers(0, 65536, (big_h, big_w, 1)), 16, 0, interlace=True)
    decoded = cv2.imdecode(np.frombuffer(interlaced16, np.uint8), cv2.IMREAD_UNCHANGED).astype(np.int64)
    cases.append(case("png gray 16-bit Adam7", interlaced16, decoded, None, 16))
    # JPEG: PIL (libjpeg) decodes. jpeg-js differs from libjpeg in IDCT rounding (within 1-3 levels; measured
    # max / mean: gray 1 / 0.06, 4:4:4 3 / 0.54) and, for 4:2:0, in chroma upsampling (libjpeg's "fancy"
    # triangular filter, jpeg-js's replication: 7 / 1.87 on this image). Tolerances (max, mean) allow a margin.
    yy, xx = np.mgrid[0:24, 0:32]
    smooth = np.stack([xx * 7, yy * 9, (xx + yy) * 4], axis=2).clip(0, 255).astype(np.uint8)
    cases.append(pil_case("jpeg gray", pil_bytes(Image.fromarray(smooth[:, :, 0], "L"), "JPEG", quality=90), "L", 8, (2, 0.2)))
    cases.append(pil_case("jpeg rgb 4:4:4 baseline", pil_bytes(Image.fromarray(smooth, "RGB"), "JPEG", quality=90, subsampling=0), "RGB", 8, (3, 0.8)))
    cases.append(pil_case("jpeg rgb 4:2:0 progressive", pil_bytes(Image.fromarray(smooth, "RGB"), "JPEG", quality=90, progressive=True), "RGB", 8, (8, 2.5)))
    return cases


def refused():
    """Valid files (PIL decodes them) that the codec refuses: fast-png cannot de-interlace sub-byte samples."""
    data = write_png(np.random.default_rng(5).integers(0, 4, (5, 7, 1)), 2, 0, interlace=True)
    Image.open(io.BytesIO(data)).load()
    return [{"name": "png gray 2-bit Adam7", "bytes": base64.b64encode(data).decode("ascii"), "error": "interlaced PNGs with 2-bit samples are not supported"}]


def photos():
    result = []
    for name in ("chelsea.png", "rocket.jpg"):
        image = np.asarray(Image.open(os.path.join(ROOT, "data", "images", name)).convert("RGB"), dtype=np.int64)
        result.append(
            {
                "file": "data/images/" + name,
                "shape": [3, image.shape[0], image.shape[1]],
                "channelSums": [int(image[:, :, c].sum()) for c in range(3)],
                "stride": STRIDE,
                "samples": levels(image[::STRIDE, ::STRIDE]),
            }
        )
    return result


def main():
    fixture = {
        "generator": "scripts/reference/vision_codec.py (PIL %s, OpenCV %s)" % (Image.__version__, cv2.__version__),
        "photos": photos(),
        "files": files(),
        "refused": refused(),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
