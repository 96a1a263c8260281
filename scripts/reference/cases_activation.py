"""Reference cases for src/ops/activation.ts."""

import torch
import torch.nn.functional as F


def build(w):
    x = w.randn(2, 3, 4) * 2
    w.add("relu", "3-D", [x], F.relu)
    w.add("elu", "default alpha", [x], F.elu)
    w.add("elu", "alpha 0.5", [x], lambda t: F.elu(t, alpha=0.5), options={"alpha": 0.5})
    w.add("elu", "alpha 0 is allowed", [x], lambda t: F.elu(t, alpha=0.0), options={"alpha": 0})
    w.add("leakyRelu", "default slope", [x], F.leaky_relu)
    w.add("leakyRelu", "slope 0.2", [x], lambda t: F.leaky_relu(t, 0.2), options={"negativeSlope": 0.2})
    w.add("sigmoid", "3-D", [x], torch.sigmoid)
    w.add("sigmoid", "large magnitudes", [torch.tensor([-800.0, -30.0, 0.0, 30.0, 800.0], dtype=torch.float64)], torch.sigmoid)
    w.add("tanh", "3-D", [x], torch.tanh)
    w.add("gelu", "exact", [x], F.gelu)
    w.add("gelu", "tanh approximation", [x], lambda t: F.gelu(t, approximate="tanh"), options={"approximate": "tanh"})
    w.add("silu", "3-D", [x], F.silu)
    for dim in (0, 1, -1):
        w.add("softmax", f"dim {dim}", [x], lambda t, d=dim: F.softmax(t, d), args=[dim])
        w.add("logSoftmax", f"dim {dim}", [x], lambda t, d=dim: F.log_softmax(t, d), args=[dim])
    big = torch.tensor([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]], dtype=torch.float64)
    w.add("softmax", "no overflow", [big], lambda t: F.softmax(t, 1), args=[1])
    w.add("logSoftmax", "no overflow", [big], lambda t: F.log_softmax(t, 1), args=[1])
    w.add("softmax", "seed example [1, 2, 3]", [torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)], lambda t: F.softmax(t, 0), args=[0])
