"""Reference cases for src/ops/linalg.ts: matmul for every rank combination and F.linear."""

import torch
import torch.nn.functional as F

# (name, shape of input, shape of other)
MATMUL = [
    ("1-D · 1-D (dot product)", (4,), (4,)),
    ("1-D · 2-D", (3,), (3, 5)),
    ("2-D · 1-D", (2, 3), (3,)),
    ("2-D · 2-D", (2, 3), (3, 4)),
    ("1-D · 3-D", (3,), (2, 3, 4)),
    ("3-D · 1-D", (2, 4, 3), (3,)),
    ("3-D · 2-D", (2, 4, 3), (3, 2)),
    ("2-D · 3-D", (4, 3), (2, 3, 5)),
    ("3-D · 3-D", (2, 4, 3), (2, 3, 5)),
    ("batch dims broadcast", (2, 1, 3, 4), (3, 4, 2)),
    ("size-1 batch dims on both sides", (1, 3, 2, 3), (4, 1, 3, 2)),
    ("4-D · 1-D", (2, 2, 3, 4), (4,)),
    ("1 × 1 matrices", (1, 1), (1, 1)),
]


def build(w):
    for name, sa, sb in MATMUL:
        w.add("matmul", name, [w.randn(*sa), w.randn(*sb)], torch.matmul)

    weight, bias = w.randn(3, 4), w.randn(3)
    w.add("linear", "2-D input with bias", [w.randn(5, 4), weight, bias], F.linear)
    w.add("linear", "2-D input without bias", [w.randn(5, 4), weight, None], F.linear)
    w.add("linear", "1-D input", [w.randn(4), weight, bias], F.linear)
    w.add("linear", "extra leading dims", [w.randn(2, 3, 4), weight, bias], F.linear)
    w.add("linear", "extra leading dims without bias", [w.randn(2, 1, 2, 4), weight, None], F.linear)
    w.add("linear", "one output feature", [w.randn(5, 4), w.randn(1, 4), w.randn(1)], F.linear)
