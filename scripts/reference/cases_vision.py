"""Reference cases for src/vision/filter.ts (applyKernel, edgeMagnitude, poolImage) on a real photograph.

The image is an 8 x 10 crop of data/images/chelsea.png (around the cat's eye, where it has the most
detail), read with PIL as RGB, divided by 255, float64, laid out (3, H, W). Each kernel is applied the way
filter.ts describes it, written independently in PyTorch: the border added with torch.nn.functional.pad
('zeros' -> constant 0, reflect, replicate, circular), then F.conv2d with groups = 3 and the 2-D kernel
repeated per channel (flipped both ways for convolve: true), in float64. Outputs are raw (output 'none') so
that the input gradients are checked too. Kernel matrices come from scripts/reference/vision_kernels.py
(scipy.ndimage and OpenCV values), not from convnet-ts.

The crop is small so that test/fixtures/vision.json stays under a megabyte; the named-kernel sweep stores
no gradients (the padding-mode cases check gradients through every padding mode, for a separable, a
non-separable and an asymmetric kernel).
"""

import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from vision_kernels import reference_kernels

IMAGE = os.path.join(os.path.dirname(__file__), "..", "..", "data", "images", "chelsea.png")
CROP = (slice(112, 120), slice(130, 140))
TORCH_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
NAMED = [
    "identity", "sobel-x", "sobel-y", "prewitt-x", "prewitt-y", "scharr-x", "scharr-y",
    "diagonal-ne", "diagonal-nw", "diagonal-se", "diagonal-sw", "laplacian-4", "laplacian-8",
    "gaussian", "gaussian-seed", "box", "mean", "sharpen", "unsharp", "emboss", "log", "scale",
]
PARAMETERISED = [("gaussian:7:2", "same"), ("box:4", "valid"), ("unsharp:5:1:1.5", "same"), ("log:7:1", "same"), ("scale:3", "same")]
ASYMMETRIC_3X3 = [[1, 2, 0], [0, -1, 3], [2, 0, 0]]
ASYMMETRIC_2X3 = [[1, 2, 0], [0, -1, 3]]


def crop():
    rgb = np.asarray(Image.open(IMAGE).convert("RGB"), dtype=np.float64) / 255
    return torch.from_numpy(rgb[CROP].transpose(2, 0, 1).copy())


def filtered(matrix, padding="same", mode="zeros", convolve=False):
    """applyKernel(..., output 'none') in PyTorch: pad, then a depthwise conv2d per channel."""

    def fn(x):
        k = torch.tensor(matrix, dtype=torch.float64)
        if convolve:
            k = k.flip(0, 1)
        kh, kw = k.shape
        batch = x.unsqueeze(0)
        if padding == "same":
            batch = F.pad(batch, [kw // 2, kw // 2, kh // 2, kh // 2], mode=TORCH_PAD[mode])
        weight = k.expand(x.shape[0], 1, kh, kw).contiguous()
        return F.conv2d(batch, weight, groups=x.shape[0]).squeeze(0)

    return fn


def build(w):
    image = crop()
    matrices = {}
    for entry in reference_kernels():
        matrices.setdefault(entry["spec"], entry["matrix"])

    for spec, padding in [(name, "same") for name in NAMED] + PARAMETERISED:
        for convolve in (False, True):
            options = {"padding": padding, "paddingMode": "zeros", "convolve": convolve, "output": "none"}
            kind = "convolution" if convolve else "correlation"
            w.add("applyKernel", f"{spec}, {padding}, {kind}", [image], filtered(matrices[spec], padding, "zeros", convolve), args=[spec], options=options, grads=False)

    kernels = [("sobel-x", matrices["sobel-x"]), ("gaussian", matrices["gaussian"]), ("asymmetric 3x3", ASYMMETRIC_3X3)]
    for label, matrix in kernels:
        spec = matrix if label.startswith("asymmetric") else label
        for mode in TORCH_PAD:
            options = {"padding": "same", "paddingMode": mode, "output": "none"}
            w.add("applyKernel", f"{label}, same, {mode}", [image], filtered(matrix, "same", mode), args=[spec], options=options)
        w.add("applyKernel", f"{label}, valid", [image], filtered(matrix, "valid"), args=[spec], options={"padding": "valid", "output": "none"})
    for convolve in (False, True):
        kind = "convolution" if convolve else "correlation"
        options = {"padding": "same", "paddingMode": "reflect", "convolve": convolve, "output": "none"}
        w.add("applyKernel", f"asymmetric 3x3, same, reflect, {kind}", [image], filtered(ASYMMETRIC_3X3, "same", "reflect", convolve), args=[ASYMMETRIC_3X3], options=options)
        options = {"padding": "valid", "convolve": convolve, "output": "none"}
        w.add("applyKernel", f"asymmetric 2x3, valid, {kind}", [image], filtered(ASYMMETRIC_2X3, "valid", "zeros", convolve), args=[ASYMMETRIC_2X3], options=options)

    def edges(operator, norm, padding="same", mode="zeros"):
        gx_fn = filtered(matrices[f"{operator}-x"], padding, mode)
        gy_fn = filtered(matrices[f"{operator}-y"], padding, mode)

        def fn(x):
            gx, gy = gx_fn(x), gy_fn(x)
            magnitude = gx.abs() + gy.abs() if norm == "l1" else torch.sqrt(gx * gx + gy * gy)
            return magnitude.clamp(0, 1)

        return fn

    # |g| and √(gx² + gy²) have no derivative where the image gradient is exactly 0, which happens: pixel
    # values are multiples of 1/255, and reflect/replicate padding makes gx exactly 0 along the border in
    # PyTorch's one 2-D pass but ±1e-17 in convnet-ts's two 1-D passes, so |gx| takes another subgradient
    # there. Gradients are stored only for the l1 cases with zero padding, where neither happens.
    for operator, norm, padding, mode in [
        ("sobel", "l1", "same", "zeros"),
        ("sobel", "l2", "same", "zeros"),
        ("prewitt", "l1", "same", "reflect"),
        ("scharr", "l2", "valid", "zeros"),
        ("scharr", "l1", "same", "replicate"),
    ]:
        options = {"operator": operator, "norm": norm, "padding": padding, "paddingMode": mode}
        w.add("edgeMagnitude", f"{operator} {norm}, {padding}, {mode}", [image], edges(operator, norm, padding, mode), options=options, grads=norm == "l1" and mode == "zeros")

    for mode, size, stride, ceil in [("max", 2, None, False), ("avg", 3, 2, False), ("max", [2, 3], None, True), ("avg", [3, 2], [1, 2], False)]:
        options = {"mode": mode, "kernelSize": size}
        if stride is not None:
            options["stride"] = stride
        if ceil:
            options["ceilMode"] = True
        pool = F.max_pool2d if mode == "max" else F.avg_pool2d
        fn = lambda x, p=pool, k=size, s=stride, c=ceil: p(x.unsqueeze(0), k, s, ceil_mode=c).squeeze(0)  # noqa: E731
        w.add("poolImage", f"{mode} {size}, stride {stride or size}{', ceil' if ceil else ''}", [image], fn, options=options)
