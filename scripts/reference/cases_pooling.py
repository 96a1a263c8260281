"""Reference cases for src/ops/pooling.ts.

Inputs are random floats, so no max-pooling window holds a tie (PyTorch and convnet-ts would both route
the gradient to the first maximum, but a tie would make the reference fragile in float32).
"""

import torch
import torch.nn.functional as F


def torch_options(options):
    """The PyTorch keyword arguments for a convnet-ts options object."""
    names = {
        "stride": "stride",
        "padding": "padding",
        "dilation": "dilation",
        "ceilMode": "ceil_mode",
        "countIncludePad": "count_include_pad",
        "divisorOverride": "divisor_override",
    }
    return {names[k]: tuple(v) if isinstance(v, list) else v for k, v in options.items()}


def as_tuple(v):
    return tuple(v) if isinstance(v, list) else v


def avg_pool1d(t, kernel, options):
    """F.avg_pool1d, or, with a divisor override (which avg_pool1d lacks), avg_pool2d over a (1, k) window."""
    kw = torch_options(options)
    if "divisor_override" not in kw:
        return F.avg_pool1d(t, kernel, **kw)
    two_d = {k: (1, v) if k == "stride" else (0, v) if k == "padding" else v for k, v in kw.items()}
    return F.avg_pool2d(t.unsqueeze(-2), (1, kernel), **two_d).squeeze(-2)


def build(w):
    seed = torch.tensor([[1.0, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [0, 1, 2, 3]], dtype=torch.float64)
    w.add("maxPool2d", "seed example 2x2", [seed.reshape(1, 1, 4, 4)], lambda t: F.max_pool2d(t, 2), args=[2])
    w.add("maxPool2d", "seed example without batch", [seed.reshape(1, 4, 4)], lambda t: F.max_pool2d(t, 2), args=[2])

    x2 = w.randn(2, 2, 7, 6)
    x1 = w.randn(2, 3, 9)
    cases2d = [
        ("kernel 2", 2, {}),
        ("kernel 3 stride 1", 3, {"stride": 1}),
        ("kernel 3 stride 2 padding 1", 3, {"stride": 2, "padding": 1}),
        ("non-square kernel [3, 2] stride [2, 1] padding [1, 0]", [3, 2], {"stride": [2, 1], "padding": [1, 0]}),
        ("kernel 2 ceilMode (7 → 4 rows, 6 → 3 columns)", 2, {"ceilMode": True}),
        ("kernel 3 stride 2 padding 1 ceilMode", 3, {"stride": 2, "padding": 1, "ceilMode": True}),
        ("kernel 2 stride 2 padding 1 ceilMode, last window would start in the padding", 2, {"padding": 1, "ceilMode": True}),
        ("kernel 4 stride 3 ceilMode", 4, {"stride": 3, "ceilMode": True}),
    ]
    for name, kernel, options in cases2d:
        w.add("maxPool2d", name, [x2], lambda t, k=kernel, o=options: F.max_pool2d(t, as_tuple(k), **torch_options(o)), args=[kernel], options=options)
        w.add("avgPool2d", name, [x2], lambda t, k=kernel, o=options: F.avg_pool2d(t, as_tuple(k), **torch_options(o)), args=[kernel], options=options)
    for name, kernel, options in [
        ("dilation 2", 2, {"stride": 1, "dilation": 2}),
        ("kernel [2, 3] dilation [2, 1] padding 1", [2, 3], {"stride": [1, 2], "padding": 1, "dilation": [2, 1]}),
        ("kernel 3 dilation 2 padding 1 ceilMode", 3, {"stride": 2, "padding": 1, "dilation": 2, "ceilMode": True}),
    ]:
        w.add("maxPool2d", name, [x2], lambda t, k=kernel, o=options: F.max_pool2d(t, as_tuple(k), **torch_options(o)), args=[kernel], options=options)
    w.add("maxPool2d", "without batch, kernel 3 stride 2", [x2[0]], lambda t: F.max_pool2d(t, 3, 2), args=[3], options={"stride": 2})

    for name, kernel, options in [
        ("kernel 3 stride 2 padding 1 countIncludePad false", 3, {"stride": 2, "padding": 1, "countIncludePad": False}),
        ("ceilMode padding 1 countIncludePad false", 3, {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}),
        ("ceilMode padding 1 countIncludePad true", 2, {"padding": 1, "ceilMode": True, "countIncludePad": True}),
        ("divisorOverride 3", 2, {"divisorOverride": 3}),
        ("divisorOverride -2 with padding", 3, {"stride": 2, "padding": 1, "divisorOverride": -2}),
        ("non-square [2, 3] padding [1, 1] countIncludePad false ceilMode", [2, 3], {"stride": [2, 2], "padding": [1, 1], "countIncludePad": False, "ceilMode": True}),
    ]:
        w.add("avgPool2d", name, [x2], lambda t, k=kernel, o=options: F.avg_pool2d(t, as_tuple(k), **torch_options(o)), args=[kernel], options=options)
    w.add("avgPool2d", "without batch, kernel 2 stride 1", [x2[1]], lambda t: F.avg_pool2d(t, 2, 1), args=[2], options={"stride": 1})

    cases1d = [
        ("kernel 2", 2, {}),
        ("kernel 3 stride 2 padding 1", 3, {"stride": 2, "padding": 1}),
        ("kernel 2 ceilMode (9 → 5)", 2, {"ceilMode": True}),
        ("kernel 4 stride 3 padding 2 ceilMode", 4, {"stride": 3, "padding": 2, "ceilMode": True}),
        ("kernel 2 padding 1 ceilMode, last window would start in the padding", 2, {"stride": 2, "padding": 1, "ceilMode": True}),
        ("kernel given as a list", [3], {"stride": [1]}),
    ]
    for name, kernel, options in cases1d:
        w.add("maxPool1d", name, [x1], lambda t, k=kernel, o=options: F.max_pool1d(t, as_tuple(k), **torch_options(o)), args=[kernel], options=options)
        w.add("avgPool1d", name, [x1], lambda t, k=kernel, o=options: F.avg_pool1d(t, as_tuple(k), **torch_options(o)), args=[kernel], options=options)
    w.add("maxPool1d", "dilation 3 padding 1", [x1], lambda t: F.max_pool1d(t, 3, 1, 1, 3), args=[3], options={"stride": 1, "padding": 1, "dilation": 3})
    w.add("maxPool1d", "without batch", [x1[0]], lambda t: F.max_pool1d(t, 3, 2, 1), args=[3], options={"stride": 2, "padding": 1})
    for name, kernel, options in [
        ("padding 1 countIncludePad false", 3, {"stride": 2, "padding": 1, "countIncludePad": False}),
        ("ceilMode padding 2 countIncludePad false", 4, {"stride": 3, "padding": 2, "ceilMode": True, "countIncludePad": False}),
        ("divisorOverride 4 (as avg_pool2d over a (1, k) window)", 3, {"stride": 2, "padding": 1, "divisorOverride": 4}),
        ("without batch", 2, {"stride": 1}),
    ]:
        inp = x1[1] if name == "without batch" else x1
        w.add("avgPool1d", name, [inp], lambda t, k=kernel, o=options: avg_pool1d(t, k, o), args=[kernel], options=options)

    for name, size, inp in [
        ("9 → 3 (divides)", 3, x1),
        ("9 → 4 (does not divide)", 4, x1),
        ("9 → 9", 9, x1),
        ("9 → 13 (larger)", 13, x1),
        ("9 → 1 (global)", 1, x1),
        ("size given as a list", [5], x1),
        ("without batch", 4, x1[0]),
    ]:
        w.add("adaptiveAvgPool1d", name, [inp], lambda t, s=size: F.adaptive_avg_pool1d(t, as_tuple(s)), args=[size])
    for name, size, inp in [
        ("7x6 → 3 (does not divide)", 3, x2),
        ("7x6 → [7, 2] (divides along W)", [7, 2], x2),
        ("7x6 → [4, 5]", [4, 5], x2),
        ("7x6 → 1 (global)", 1, x2),
        ("7x6 → [null, 4] keeps H", [None, 4], x2),
        ("7x6 → [9, 8] (larger)", [9, 8], x2),
        ("without batch", [2, 3], x2[0]),
    ]:
        w.add("adaptiveAvgPool2d", name, [inp], lambda t, s=size: F.adaptive_avg_pool2d(t, as_tuple(s)), args=[size])
