"""Reference cases for sig2col and col2sig in src/ops/window.ts.

sig2col is numpy's ``as_strided`` window view (in PyTorch, so that it has gradients): leading axes as they
are, then one axis per window position stepping by ``stride``, then one per window element stepping by
``dilation``. col2sig is its adjoint, computed as the vector-Jacobian product of sig2col (with
``create_graph`` so that it has gradients itself).
"""

import torch


def window_view(x, window, stride, dilation):
    d = len(window)
    lead = x.dim() - d
    strides = x.stride()
    out = [(x.shape[lead + i] - dilation[i] * (window[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    size = list(x.shape[:lead]) + out + list(window)
    step = list(strides[:lead]) + [strides[lead + i] * stride[i] for i in range(d)] + [strides[lead + i] * dilation[i] for i in range(d)]
    return x.as_strided(size, step)


def as_list(value, d):
    return [value] * d if isinstance(value, int) else list(value)


def sig2col_reference(window, options):
    def fn(x):
        d = len(window)
        return window_view(x, window, as_list(options.get("stride", 1), d), as_list(options.get("dilation", 1), d))

    return fn


def col2sig_reference(input_shape, window, options):
    def fn(cols):
        zeros = torch.zeros(input_shape, dtype=torch.float64, requires_grad=True)
        view = sig2col_reference(window, options)(zeros)
        (out,) = torch.autograd.grad(view, zeros, cols, create_graph=True)
        return out

    return fn


CASES = [
    ("1-D window, stride 2, dilation 2", (2, 3, 9), [3], {"stride": 2, "dilation": 2}),
    ("1-D window over a 1-D input, stride 3", (9,), [4], {"stride": 3}),
    ("2-D window, defaults", (2, 3, 5, 6), [3, 2], {}),
    ("2-D window, stride [2, 1], dilation [1, 2]", (2, 3, 7, 6), [3, 2], {"stride": [2, 1], "dilation": [1, 2]}),
    ("2-D window, stride larger than the window (gaps)", (1, 2, 8, 7), [2, 2], {"stride": 3}),
    ("2-D window, stride equal to the window (pooling)", (2, 2, 6, 4), [2, 2], {"stride": [2, 2]}),
    ("2-D window over a 2-D input", (5, 4), [2, 3], {"stride": [1, 1]}),
    ("window as large as the input", (2, 4, 3), [4, 3], {}),
    ("3-D window", (2, 5, 4, 6), [2, 2, 3], {"stride": [1, 2, 1], "dilation": [2, 1, 1]}),
    ("seed shapes, small: 2-D window (5, 3)", (2, 3, 7, 6), [5, 3], {}),
]


def build(w):
    for name, shape, window, options in CASES:
        x = w.randn(*shape)
        w.add("sig2col", name, [x], sig2col_reference(window, options), args=[window], options=options)
        cols = sig2col_reference(window, options)(w.randn(*shape))
        w.add("col2sig", name, [w.randn(*cols.shape)], col2sig_reference(list(shape), window, options), args=[list(shape), window], options=options)
