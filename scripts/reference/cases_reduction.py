"""Reference cases for src/ops/reduction.ts.

convnet-ts's ``max`` and ``min`` return values only and accept several dims, so they are compared with
``torch.amax`` / ``torch.amin`` (which split the gradient evenly among tied maxima, as ``torch.max()`` over
the whole tensor does). NaN and infinities cannot be stored in JSON; test/reduction.test.ts checks them
directly.
"""

import torch

# (name, options, torch keyword arguments)
DIMS = [
    ("all dims", {}, {}),
    ("dim 0", {"dim": 0}, {"dim": 0}),
    ("dim 1 keepDim", {"dim": 1, "keepDim": True}, {"dim": 1, "keepdim": True}),
    ("negative dim", {"dim": -1}, {"dim": -1}),
    ("several dims", {"dim": [0, 2]}, {"dim": (0, 2)}),
    ("several dims, negative, keepDim", {"dim": [-1, 1], "keepDim": True}, {"dim": (-1, 1), "keepdim": True}),
    ("empty dim list means all dims", {"dim": []}, {"dim": []}),
]


def build(w):
    x = w.randn(2, 3, 4)
    # Small integers, so that maxima and minima repeat along every dim.
    ties = w.randint(0, 3, (2, 3, 4)).to(torch.float64)
    for name, options, kwargs in DIMS:
        w.add("sum", name, [x], lambda t, k=kwargs: torch.sum(t, **k) if k else t.sum(), options=options)
        w.add("mean", name, [x], lambda t, k=kwargs: torch.mean(t, **k) if k else t.mean(), options=options)
        for op, fn in (("max", torch.amax), ("min", torch.amin)):
            torch_kwargs = kwargs if kwargs else {"dim": [0, 1, 2]}
            w.add(op, name, [x], lambda t, f=fn, k=torch_kwargs: f(t, **k), options=options)
            w.add(op, f"{name}, ties", [ties], lambda t, f=fn, k=torch_kwargs: f(t, **k), options=options)
    scalar = torch.tensor(2.5, dtype=torch.float64)
    w.add("sum", "0-d input", [scalar], torch.sum)
    w.add("sum", "0-d input, dim 0", [scalar], lambda t: torch.sum(t, 0), options={"dim": 0})
    w.add("mean", "0-d input", [scalar], torch.mean)
    w.add("max", "0-d input", [scalar], torch.max)
    w.add("sum", "int input", [w.randint(-5, 5, (3, 4))], lambda t: torch.sum(t, 1), options={"dim": 1})

    for op, fn in (("argmax", torch.argmax), ("argmin", torch.argmin)):
        w.add(op, "flattened", [x], lambda t, f=fn: f(t).int(), grads=False)
        w.add(op, "flattened keepDim", [x], lambda t, f=fn: f(t, keepdim=True).int(), options={"keepDim": True}, grads=False)
        w.add(op, "dim 1", [x], lambda t, f=fn: f(t, 1).int(), options={"dim": 1}, grads=False)
        w.add(op, "dim -1 keepDim", [x], lambda t, f=fn: f(t, -1, keepdim=True).int(), options={"dim": -1, "keepDim": True}, grads=False)
        w.add(op, "ties give the first index", [ties], lambda t, f=fn: f(t, 2).int(), options={"dim": 2}, grads=False)
        w.add(op, "int input", [w.randint(0, 4, (3, 4))], lambda t, f=fn: f(t, 0).int(), options={"dim": 0}, grads=False)
