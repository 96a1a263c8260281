"""Reference cases for src/ops/convolution.ts.

conv1d/conv2d go through PyTorch's own nn.Conv1d/nn.Conv2d modules, so ``paddingMode`` (an ``nn.Conv2d``
option that ``F.conv2d`` lacks) is padded exactly as PyTorch pads it. correlate1d/convolve1d are written in
PyTorch to get gradients, and every value is first asserted equal to numpy.correlate / numpy.convolve.
"""

import numpy as np
import torch
import torch.nn.functional as F

CONV = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d}
SNAKE = {"outputPadding": "output_padding", "paddingMode": "padding_mode"}


def conv_reference(dims, options, batched=True):
    """PyTorch's conv through an nn.ConvNd built from the camelCase options (weights passed explicitly)."""

    def fn(x, w, b=None):
        kwargs = {SNAKE.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}
        groups = kwargs.get("groups", 1)
        module = CONV[dims](w.shape[1] * groups, w.shape[0], tuple(w.shape[2:]), bias=b is not None, **kwargs)
        if batched:
            return module._conv_forward(x, w, b)
        # torch 1.13 cannot pad a batch-less input circularly, so the batch dim is added around the call.
        return module._conv_forward(x.unsqueeze(0), w, b).squeeze(0)

    return fn


def conv_transpose_reference(dims, options):
    def fn(x, w, b=None):
        kwargs = {SNAKE.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}
        return CONV_TRANSPOSE[dims](x, w, b, **kwargs)

    return fn


def add_conv(w, dims, name, x_shape, w_shape, options=None, bias=True, batched_pad=True):
    options = options or {}
    x = w.randn(*x_shape)
    weight = w.randn(*w_shape)
    b = w.randn(w_shape[0]) if bias else None
    op = f"conv{dims}d"
    w.add(op, name, [x, weight, b], conv_reference(dims, options, batched_pad), options=options)


def add_conv_transpose(w, dims, name, x_shape, w_shape, options=None, bias=True):
    options = options or {}
    groups = options.get("groups", 1)
    x = w.randn(*x_shape)
    weight = w.randn(*w_shape)
    b = w.randn(w_shape[1] * groups) if bias else None
    w.add(f"convTranspose{dims}d", name, [x, weight, b], conv_transpose_reference(dims, options), options=options)


def build_conv2d(w):
    add_conv(w, 2, "defaults", (2, 3, 6, 5), (4, 3, 3, 2))
    add_conv(w, 2, "no bias", (2, 3, 6, 5), (4, 3, 3, 2), bias=False)
    add_conv(w, 2, "stride 2", (2, 3, 7, 6), (4, 3, 3, 3), {"stride": 2})
    add_conv(w, 2, "stride [2, 1]", (2, 3, 7, 6), (4, 3, 3, 2), {"stride": [2, 1]})
    add_conv(w, 2, "stride larger than the kernel", (1, 2, 9, 8), (3, 2, 2, 2), {"stride": [4, 3]})
    add_conv(w, 2, "padding 1", (2, 3, 5, 5), (4, 3, 3, 3), {"padding": 1})
    add_conv(w, 2, "padding [1, 2]", (2, 3, 5, 4), (2, 3, 3, 2), {"padding": [1, 2]})
    add_conv(w, 2, "padding 'valid'", (2, 3, 5, 4), (2, 3, 3, 2), {"padding": "valid"})
    add_conv(w, 2, "padding 'same', odd kernel", (2, 3, 5, 6), (4, 3, 3, 5), {"padding": "same"})
    add_conv(w, 2, "padding 'same', even kernel", (2, 2, 5, 6), (3, 2, 4, 2), {"padding": "same"})
    add_conv(w, 2, "padding 'same', dilation [2, 3]", (1, 2, 7, 8), (3, 2, 2, 3), {"padding": "same", "dilation": [2, 3]})
    add_conv(w, 2, "dilation 2", (2, 2, 8, 7), (3, 2, 3, 2), {"dilation": 2})
    add_conv(w, 2, "dilation [1, 2] with padding", (2, 2, 6, 7), (3, 2, 3, 3), {"dilation": [1, 2], "padding": [1, 2]})
    add_conv(w, 2, "groups 2", (2, 4, 5, 5), (6, 2, 3, 2), {"groups": 2})
    add_conv(w, 2, "depthwise (groups = Cin = Cout)", (2, 3, 5, 6), (3, 1, 3, 3), {"groups": 3, "padding": 1})
    add_conv(w, 2, "depthwise multiplier 2", (2, 3, 5, 5), (6, 1, 2, 3), {"groups": 3})
    add_conv(w, 2, "1x1 kernel", (2, 4, 3, 5), (3, 4, 1, 1))
    add_conv(w, 2, "kernel as large as the input", (2, 2, 3, 4), (3, 2, 3, 4))
    add_conv(w, 2, "batch-less input", (3, 6, 5), (4, 3, 3, 2), {"padding": 1})
    add_conv(w, 2, "batch-less input, reflect, stride 2", (2, 6, 7), (3, 2, 3, 3), {"padding": 1, "stride": 2, "paddingMode": "reflect"})
    add_conv(w, 2, "batch-less input, circular", (2, 5, 4), (3, 2, 3, 3), {"padding": 1, "paddingMode": "circular"}, batched_pad=False)
    add_conv(w, 2, "odd sizes, every option", (3, 4, 7, 9), (6, 2, 3, 5), {"stride": [3, 2], "padding": [2, 1], "dilation": [2, 1], "groups": 2})
    for mode in ("reflect", "replicate", "circular"):
        add_conv(w, 2, f"{mode} padding [1, 2]", (2, 2, 5, 4), (3, 2, 3, 3), {"padding": [1, 2], "paddingMode": mode})
        add_conv(w, 2, f"{mode} padding 'same', even kernel", (1, 2, 5, 6), (2, 2, 2, 4), {"padding": "same", "paddingMode": mode})
        add_conv(w, 2, f"{mode} padding, stride 2, dilation 2, groups 2", (2, 4, 6, 7), (4, 2, 2, 3), {"padding": 2, "paddingMode": mode, "stride": 2, "dilation": 2, "groups": 2})
    add_conv(w, 2, "zeros padding mode named explicitly", (1, 2, 4, 4), (2, 2, 3, 3), {"padding": 1, "paddingMode": "zeros"})
    seed = torch.tensor([[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [0, 1, 2, 3]], dtype=torch.float64).reshape(1, 1, 4, 4)
    flipped = torch.tensor([[1, 0], [0, -1]], dtype=torch.float64).flip(0, 1).reshape(1, 1, 2, 2)
    w.add("conv2d", "seed: true convolution (kernel flipped), valid mode", [seed, flipped, None], F.conv2d)


def build_conv1d(w):
    add_conv(w, 1, "defaults", (2, 3, 8), (4, 3, 3))
    add_conv(w, 1, "no bias", (2, 3, 8), (4, 3, 3), bias=False)
    add_conv(w, 1, "stride 3", (2, 3, 10), (2, 3, 2), {"stride": 3})
    add_conv(w, 1, "padding 2", (2, 3, 6), (2, 3, 3), {"padding": 2})
    add_conv(w, 1, "padding [1] as a list", (2, 3, 6), (2, 3, 3), {"padding": [1]})
    add_conv(w, 1, "padding 'valid'", (2, 3, 6), (2, 3, 3), {"padding": "valid"})
    add_conv(w, 1, "padding 'same', odd kernel", (2, 2, 7), (3, 2, 5), {"padding": "same"})
    add_conv(w, 1, "padding 'same', even kernel, dilation 3", (2, 2, 9), (3, 2, 4), {"padding": "same", "dilation": 3})
    add_conv(w, 1, "dilation 2", (2, 2, 9), (3, 2, 3), {"dilation": 2})
    add_conv(w, 1, "groups 3", (2, 6, 7), (9, 2, 3), {"groups": 3})
    add_conv(w, 1, "depthwise", (2, 4, 7), (4, 1, 3), {"groups": 4, "padding": 1})
    add_conv(w, 1, "batch-less input", (3, 8), (2, 3, 3), {"stride": 2, "padding": 1})
    add_conv(w, 1, "odd sizes, every option", (3, 4, 11), (6, 2, 3), {"stride": 2, "padding": 3, "dilation": 2, "groups": 2})
    for mode in ("reflect", "replicate", "circular"):
        add_conv(w, 1, f"{mode} padding 2", (2, 2, 5), (3, 2, 3), {"padding": 2, "paddingMode": mode})
        add_conv(w, 1, f"{mode} padding 'same', even kernel", (2, 2, 6), (3, 2, 4), {"padding": "same", "paddingMode": mode})
    add_conv(w, 1, "batch-less input, replicate", (2, 6), (3, 2, 3), {"padding": 2, "paddingMode": "replicate"})


def build_conv_transpose(w):
    add_conv_transpose(w, 2, "defaults", (2, 4, 3, 4), (4, 3, 3, 2))
    add_conv_transpose(w, 2, "no bias", (2, 4, 3, 4), (4, 3, 3, 2), bias=False)
    add_conv_transpose(w, 2, "stride 2, padding 1, outputPadding 1", (2, 3, 4, 3), (3, 2, 3, 3), {"stride": 2, "padding": 1, "outputPadding": 1})
    add_conv_transpose(w, 2, "tuples: stride, padding, outputPadding, dilation", (2, 3, 3, 4), (3, 2, 3, 2), {"stride": [2, 3], "padding": [1, 0], "outputPadding": [1, 2], "dilation": [1, 2]})
    add_conv_transpose(w, 2, "outputPadding below the dilation only", (1, 2, 3, 3), (2, 2, 2, 3), {"dilation": 2, "outputPadding": 1})
    add_conv_transpose(w, 2, "stride larger than the kernel", (1, 2, 3, 3), (2, 3, 2, 2), {"stride": 3})
    add_conv_transpose(w, 2, "groups 2", (2, 4, 3, 3), (4, 3, 2, 2), {"groups": 2, "stride": 2})
    add_conv_transpose(w, 2, "depthwise", (2, 3, 4, 4), (3, 1, 3, 3), {"groups": 3, "padding": 1})
    add_conv_transpose(w, 2, "batch-less input", (3, 4, 3), (3, 2, 2, 3), {"stride": [1, 2]})
    add_conv_transpose(w, 2, "padding that crops to a single row", (1, 2, 2, 3), (2, 2, 3, 3), {"padding": [1, 1]})
    add_conv_transpose(w, 1, "defaults", (2, 3, 5), (3, 2, 3))
    add_conv_transpose(w, 1, "no bias", (2, 3, 5), (3, 2, 3), bias=False)
    add_conv_transpose(w, 1, "stride 3, padding 2, outputPadding 2", (2, 2, 4), (2, 3, 4), {"stride": 3, "padding": 2, "outputPadding": 2})
    add_conv_transpose(w, 1, "dilation 3, outputPadding 2", (2, 2, 4), (2, 3, 3), {"dilation": 3, "outputPadding": 2, "stride": 2})
    add_conv_transpose(w, 1, "groups 2", (2, 4, 5), (4, 3, 3), {"groups": 2, "stride": 2, "padding": 1})
    add_conv_transpose(w, 1, "batch-less input", (3, 5), (3, 2, 2), {"stride": 2})


def numpy_correlate_torch(a, v, mode):
    """numpy.correlate in PyTorch: swap (and reverse the result) when v is longer, pad the longer signal."""
    swapped = v.numel() > a.numel()
    if swapped:
        a, v = v, a
    n = v.numel()
    left, right = {"valid": (0, 0), "same": (n // 2, n - 1 - n // 2), "full": (n - 1, n - 1)}[mode]
    out = F.conv1d(F.pad(a.reshape(1, 1, -1), (left, right)), v.reshape(1, 1, -1)).reshape(-1)
    return out.flip(0) if swapped else out


def numpy_convolve_torch(a, v, mode):
    """numpy.convolve in PyTorch: correlate the longer signal with the shorter one reversed."""
    if v.numel() > a.numel():
        a, v = v, a
    return numpy_correlate_torch(a, v.flip(0), mode)


def checked(torch_fn, numpy_fn, mode):
    def fn(a, v):
        out = torch_fn(a, v, mode)
        expected = numpy_fn(a.detach().numpy(), v.detach().numpy(), mode)
        assert out.shape == expected.shape and np.allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
        return out

    return fn


def build_signals(w):
    for m, n in ((7, 3), (3, 7), (6, 4), (4, 6), (5, 5), (4, 1), (1, 4), (2, 2), (8, 5)):
        a = w.randn(m)
        v = w.randn(n)
        for mode in ("valid", "same", "full"):
            options = {"mode": mode}
            w.add("correlate1d", f"lengths {m} and {n}, {mode}", [a, v], checked(numpy_correlate_torch, np.correlate, mode), options=options)
            w.add("convolve1d", f"lengths {m} and {n}, {mode}", [a, v], checked(numpy_convolve_torch, np.convolve, mode), options=options)
    a = w.randn(6)
    v = w.randn(3)
    w.add("correlate1d", "default mode (valid)", [a, v], checked(numpy_correlate_torch, np.correlate, "valid"))
    w.add("convolve1d", "default mode (full)", [a, v], checked(numpy_convolve_torch, np.convolve, "full"))
    box = torch.tensor([0.1, 0.1, 1, 1, 1, 0.1, 0.1], dtype=torch.float64)
    w.add("convolve1d", "seed: box with four times 0.2, full", [box, torch.full((4,), 0.2, dtype=torch.float64)], checked(numpy_convolve_torch, np.convolve, "full"))


def build(w):
    build_conv2d(w)
    build_conv1d(w)
    build_conv_transpose(w)
    build_signals(w)
