"""Reference cases for src/ops/padding.ts (F.pad)."""

import torch
import torch.nn.functional as F


def build(w):
    x3 = w.randn(2, 3, 5)
    x4 = w.randn(2, 3, 4, 5)
    for mode in ("constant", "reflect", "replicate", "circular"):
        opts = {"mode": mode}
        w.add("pad", f"{mode}: last dim", [x3], lambda t, m=mode: F.pad(t, [2, 1], mode=m), args=[[2, 1]], options=opts)
        w.add("pad", f"{mode}: last two dims", [x4], lambda t, m=mode: F.pad(t, [1, 2, 3, 0], mode=m), args=[[1, 2, 3, 0]], options=opts)
        w.add("pad", f"{mode}: zero amounts", [x4], lambda t, m=mode: F.pad(t, [0, 0, 0, 0], mode=m), args=[[0, 0, 0, 0]], options=opts)
    w.add("pad", "reflect: largest allowed", [x4], lambda t: F.pad(t, [4, 4, 3, 3], mode="reflect"), args=[[4, 4, 3, 3]], options={"mode": "reflect"})
    w.add("pad", "circular: whole length", [x4], lambda t: F.pad(t, [5, 5, 4, 4], mode="circular"), args=[[5, 5, 4, 4]], options={"mode": "circular"})
    w.add("pad", "replicate: wide", [x3], lambda t: F.pad(t, [7, 9], mode="replicate"), args=[[7, 9]], options={"mode": "replicate"})
    w.add("pad", "constant: fill value", [x4], lambda t: F.pad(t, [1, 1, 2, 2], value=-1.5), args=[[1, 1, 2, 2]], options={"value": -1.5})
    w.add("pad", "constant: negative amounts crop", [x4], lambda t: F.pad(t, [-1, 2, 1, -2]), args=[[-1, 2, 1, -2]])
    w.add("pad", "constant: three dims", [x4], lambda t: F.pad(t, [1, 0, 0, 1, 2, 1]), args=[[1, 0, 0, 1, 2, 1]])
    w.add("pad", "constant: every dim", [x3], lambda t: F.pad(t, [1, 1, 1, 1, 1, 1]), args=[[1, 1, 1, 1, 1, 1]])
    w.add("pad", "empty list is the identity", [x3], lambda t: F.pad(t, []) * 1, args=[[]])
