"""Reference cases for src/ops/interpolate.ts.

Two corners of PyTorch 1.13 are left out on purpose, and checked here so that no case falls into them:
- 'nearest' with a scale factor whose output size is exactly 1 or 2 times the input size but which is not
  1 or 2 itself (3 · 1.2 → 3): the forward maps by 1/scale_factor but the backward kernel copies (or
  halves) the index, so PyTorch's gradient is not the adjoint of its own output;
- 'nearest' cases whose source indices differ between float32 and float64 arithmetic (the suite compares
  float32 runs with the float64 reference).
"""

import math

import torch
import torch.nn.functional as F


def torch_options(options):
    names = {
        "size": "size",
        "scaleFactor": "scale_factor",
        "mode": "mode",
        "alignCorners": "align_corners",
        "recomputeScaleFactor": "recompute_scale_factor",
    }
    return {names[k]: tuple(v) if isinstance(v, list) else v for k, v in options.items()}


def check_nearest(shape, options):
    """Refuses a 'nearest' case that falls into one of the corners described above."""
    spatial = shape[2:]
    scale = options.get("scaleFactor")
    if scale is not None and not options.get("recomputeScaleFactor", False):
        scales = scale if isinstance(scale, list) else [scale] * len(spatial)
        for length, s in zip(spatial, scales):
            out = math.floor(length * s)
            if out in (length, 2 * length) and s not in (1, 2):
                raise ValueError(f"nearest case {options} hits the forward/backward mismatch of PyTorch 1.13")
    probe = torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape)
    kw = torch_options(options)
    if not torch.equal(F.interpolate(probe, **kw), F.interpolate(probe.float(), **kw).double()):
        raise ValueError(f"nearest case {options} picks different sources in float32 and float64")


def build(w):
    x1 = w.randn(2, 3, 7)
    x2 = w.randn(2, 2, 5, 6)

    def add(name, x, options):
        if options.get("mode", "nearest") == "nearest":
            check_nearest(list(x.shape), options)
        w.add("interpolate", name, [x], lambda t, o=options: F.interpolate(t, **torch_options(o)), options=options)

    add("nearest 1-D up to size 12", x1, {"size": 12})
    add("nearest 1-D down to size 4", x1, {"size": 4})
    add("nearest 1-D scaleFactor 2", x1, {"scaleFactor": 2})
    add("nearest 1-D scaleFactor 1.7", x1, {"scaleFactor": 1.7})
    add("nearest 1-D scaleFactor 0.6", x1, {"scaleFactor": 0.6})
    add("nearest 1-D scaleFactor 2.5 with recomputeScaleFactor", x1, {"scaleFactor": 2.5, "recomputeScaleFactor": True})
    add("nearest 1-D size given as a list", x1, {"size": [9], "mode": "nearest"})
    add("nearest 2-D up to [9, 13]", x2, {"size": [9, 13]})
    add("nearest 2-D down to size 3", x2, {"size": 3})
    add("nearest 2-D scaleFactor 2", x2, {"scaleFactor": 2})
    add("nearest 2-D scaleFactor [1.5, 0.7]", x2, {"scaleFactor": [1.5, 0.7]})
    add("nearest 2-D scaleFactor [2.6, 1.7] with recomputeScaleFactor", x2, {"scaleFactor": [2.6, 1.7], "recomputeScaleFactor": True})

    for align in (False, True):
        tag = f"alignCorners {str(align).lower()}"
        add(f"linear up to size 12, {tag}", x1, {"size": 12, "mode": "linear", "alignCorners": align})
        add(f"linear down to size 4, {tag}", x1, {"size": 4, "mode": "linear", "alignCorners": align})
        add(f"linear scaleFactor 1.7, {tag}", x1, {"scaleFactor": 1.7, "mode": "linear", "alignCorners": align})
        add(f"linear scaleFactor 0.6, {tag}", x1, {"scaleFactor": 0.6, "mode": "linear", "alignCorners": align})
        add(f"linear to size 1, {tag}", x1, {"size": 1, "mode": "linear", "alignCorners": align})
        add(f"bilinear up to [9, 13], {tag}", x2, {"size": [9, 13], "mode": "bilinear", "alignCorners": align})
        add(f"bilinear down to [3, 4], {tag}", x2, {"size": [3, 4], "mode": "bilinear", "alignCorners": align})
        add(f"bilinear scaleFactor 2, {tag}", x2, {"scaleFactor": 2, "mode": "bilinear", "alignCorners": align})
        add(f"bilinear scaleFactor [1.7, 0.55], {tag}", x2, {"scaleFactor": [1.7, 0.55], "mode": "bilinear", "alignCorners": align})
    add("linear scaleFactor 1.7 with recomputeScaleFactor", x1, {"scaleFactor": 1.7, "mode": "linear", "recomputeScaleFactor": True})
    add("linear scaleFactor 1.1 keeps the size (7 → 7) and copies", x1, {"scaleFactor": 1.1, "mode": "linear"})
    add("linear without alignCorners (default false)", x1, {"size": 10, "mode": "linear"})
    add("bilinear [2.5, 1.5] with recomputeScaleFactor", x2, {"scaleFactor": [2.5, 1.5], "mode": "bilinear", "recomputeScaleFactor": True})
    add("bilinear same size on one axis", x2, {"size": [5, 11], "mode": "bilinear"})
