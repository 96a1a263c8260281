"""Reference cases for src/data/transforms.ts: `resize` against F.interpolate(mode='bilinear',
align_corners=False), with and without antialias, for images (C, H, W) and batches (N, C, H, W).

A single-number size is the shorter side, the longer one scaled down to an integer, as torchvision's Resize.
"""

import torch.nn.functional as F


def output_size(shape, size):
    if isinstance(size, list):
        return tuple(size)
    h, w = shape[-2:]
    return (size, size * w // h) if h <= w else (size * h // w, size)


def build(w):
    image = w.rand(3, 9, 13)
    batch = w.rand(2, 1, 8, 8)
    photo = w.rand(1, 2, 31, 23)

    def add(name, x, size, antialias):
        out_size = output_size(list(x.shape), size)

        def fn(t):
            t4 = t if t.dim() == 4 else t.unsqueeze(0)
            out = F.interpolate(t4, size=out_size, mode="bilinear", align_corners=False, antialias=antialias)
            return out if t.dim() == 4 else out.squeeze(0)

        w.add("resize", f"{name}, antialias {antialias}", [x], fn, args=[size], options={"antialias": antialias})

    for antialias in (False, True):
        add("image shrunk to 4x6", image, [4, 6], antialias)
        add("image enlarged to 20x17", image, [20, 17], antialias)
        add("image to 9x13 (same size)", image, [9, 13], antialias)
        add("image shorter side 5", image, 5, antialias)
        add("batch halved", batch, [4, 4], antialias)
        add("batch shrunk unevenly to 3x5", batch, [3, 5], antialias)
        add("batch enlarged by 1.5", batch, [12, 12], antialias)
        add("photo to 12x12", photo, [12, 12], antialias)
        add("photo shorter side 7", photo, 7, antialias)
        add("photo to 1x1", photo, [1, 1], antialias)
