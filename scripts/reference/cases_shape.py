"""Reference cases for src/ops/shape.ts."""

import torch
import torch.nn.functional as F


def sliced(t, dim, start, end, step):
    """``t[..., start:end:step, ...]`` along ``dim``."""
    d = dim % t.dim()
    return t[(slice(None),) * d + (slice(start, end, step),)]


def build(w):
    x = w.randn(2, 3, 4)

    for shape in ([4, 6], [-1, 2], [24], [2, 3, 4], [1, 2, 1, 12]):
        w.add("reshape", f"to {shape}", [x], lambda t, s=shape: t.reshape(s), args=[shape])
    w.add("reshape", "0-d to [1, 1]", [torch.tensor(3.0)], lambda t: t.reshape(1, 1), args=[[1, 1]])

    for name, options, kwargs in (
        ("all dims", {}, {}),
        ("from dim 1", {"startDim": 1}, {"start_dim": 1}),
        ("dims 0 to 1", {"startDim": 0, "endDim": 1}, {"start_dim": 0, "end_dim": 1}),
        ("negative dims", {"startDim": -2, "endDim": -1}, {"start_dim": -2, "end_dim": -1}),
        ("one dim is unchanged", {"startDim": 1, "endDim": 1}, {"start_dim": 1, "end_dim": 1}),
    ):
        w.add("flatten", name, [x], lambda t, k=kwargs: torch.flatten(t, **k), options=options)
    w.add("flatten", "0-d becomes [1]", [torch.tensor(3.0)], torch.flatten)

    ones = w.randn(1, 3, 1, 2)
    w.add("squeeze", "every size-1 dim", [ones], torch.squeeze)
    w.add("squeeze", "dim 2", [ones], lambda t: torch.squeeze(t, 2), options={"dim": 2})
    w.add("squeeze", "negative dim", [ones], lambda t: torch.squeeze(t, -4), options={"dim": -4})
    w.add("squeeze", "dim of size > 1 is kept", [ones], lambda t: torch.squeeze(t, 1), options={"dim": 1})
    for dim in (0, 2, 3, -1, -4):
        w.add("unsqueeze", f"dim {dim}", [x], lambda t, d=dim: torch.unsqueeze(t, d), args=[dim])

    for dims in ([2, 0, 1], [0, 2, 1], [-1, -3, -2], [0, 1, 2]):
        w.add("permute", f"{dims}", [x], lambda t, d=dims: t.permute(d), args=[dims])
    for d0, d1 in ((0, 1), (0, 2), (-1, -2), (1, 1)):
        w.add("transpose", f"{d0} and {d1}", [x], lambda t, a=d0, b=d1: torch.transpose(t, a, b), args=[d0, d1])
    w.add("transpose", "1-D", [w.randn(3)], lambda t: torch.transpose(t, 0, -1), args=[0, -1])

    small = w.randn(3, 1)
    for shape in ([3, 4], [2, 3, 4], [-1, 5], [2, -1, 1]):
        w.add("expand", f"to {shape}", [small], lambda t, s=shape: t.expand(s), args=[shape])
    w.add("expand", "0-d to [2, 2]", [torch.tensor(1.5)], lambda t: t.expand(2, 2), args=[[2, 2]])

    long = w.randn(3, 7)
    for start, end, step in (
        (1, 5, None),
        (None, None, 2),
        (1, None, 3),
        (-3, None, None),
        (-5, -1, 2),
        (None, -2, None),
        (-100, 100, None),
        (5, 2, None),
        (6, 7, 4),
    ):
        options = {k: v for k, v in (("start", start), ("end", end), ("step", step)) if v is not None}
        label = f"{'' if start is None else start}:{'' if end is None else end}:{'' if step is None else step}"
        w.add("slice", f"dim 1 {label}", [long], lambda t, a=start, b=end, s=step: sliced(t, 1, a, b, s), args=[1], options=options)
    w.add("slice", "dim -2 1:", [long], lambda t: sliced(t, -2, 1, None, None), args=[-2], options={"start": 1})
    w.add("slice", "whole dim", [long], lambda t: sliced(t, 0, None, None, None), args=[0])

    for dim, start, length in ((1, 2, 3), (0, 1, 2), (-1, -4, 2), (1, 0, 0), (1, 0, 7)):
        w.add("narrow", f"dim {dim} start {start} length {length}", [long], lambda t, d=dim, s=start, n=length: torch.narrow(t, d, s, n), args=[dim, start, length])

    a, b, c = w.randn(2, 3), w.randn(2, 1), w.randn(2, 4)
    w.add("cat", "dim 1, three tensors", [a, b, c], lambda *ts: torch.cat(ts, 1), options={"dim": 1})
    w.add("cat", "dim 0 (default)", [a, w.randn(4, 3)], lambda *ts: torch.cat(ts))
    w.add("cat", "negative dim", [a, c], lambda *ts: torch.cat(ts, -1), options={"dim": -1})
    w.add("cat", "one tensor", [a], lambda t: torch.cat([t]))
    w.add("cat", "3-D along the middle", [x, w.randn(2, 2, 4)], lambda *ts: torch.cat(ts, 1), options={"dim": 1})
    p, q = w.randn(2, 3), w.randn(2, 3)
    for dim in (0, 1, 2, -1):
        w.add("stack", f"dim {dim}", [p, q, w.randn(2, 3)], lambda *ts, d=dim: torch.stack(ts, d), options={"dim": dim})
    w.add("stack", "0-d tensors", [torch.tensor(1.0), torch.tensor(2.0)], lambda *ts: torch.stack(ts))

    src = w.randn(3, 4)
    w.add("gather", "dim 1", [src, torch.tensor([[0, 3], [1, 1], [2, 0]])], lambda t, i: torch.gather(t, 1, i), args=[1])
    w.add("gather", "dim 0, repeated indices", [src, torch.tensor([[2, 0, 2, 2], [2, 1, 0, 2]])], lambda t, i: torch.gather(t, 0, i), args=[0])
    w.add("gather", "index smaller than input", [src, torch.tensor([[1], [0]])], lambda t, i: torch.gather(t, -1, i), args=[-1])
    w.add("gather", "3-D", [x, w.randint(0, 3, (2, 2, 4))], lambda t, i: torch.gather(t, 1, i), args=[1])

    labels = torch.tensor([[0, 2], [1, 3]])
    w.add("oneHot", "inferred classes", [labels], lambda t: F.one_hot(t).int(), grads=False)
    w.add("oneHot", "numClasses 5", [labels], lambda t: F.one_hot(t, 5).int(), options={"numClasses": 5}, grads=False)
    w.add("oneHot", "numClasses -1 infers", [torch.tensor([1, 0])], lambda t: F.one_hot(t, -1).int(), options={"numClasses": -1}, grads=False)
    w.add("oneHot", "0-d", [torch.tensor(2)], lambda t: F.one_hot(t, 4).int(), options={"numClasses": 4}, grads=False)
