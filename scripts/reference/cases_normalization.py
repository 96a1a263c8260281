"""Reference cases for src/ops/normalization.ts.

Running buffers are never differentiated (PyTorch refuses gradients for them), so every batch-norm case
hands F.batch_norm detached copies; the ``batchNormRunningStats`` cases return the updated buffers,
stacked as ``[runningMean, runningVar]``, after one training step.
"""

import torch
import torch.nn.functional as F


def _copy(t):
    return None if t is None else t.detach().clone()


def _batch_norm(training, momentum=0.1, eps=1e-5):
    def fn(x, running_mean, running_var, weight, bias):
        return F.batch_norm(
            x, _copy(running_mean), _copy(running_var), weight, bias, training, momentum, eps
        )

    return fn


def _running_stats(momentum=0.1, eps=1e-5):
    def fn(x, running_mean, running_var, weight, bias):
        mean, var = _copy(running_mean), _copy(running_var)
        F.batch_norm(x, mean, var, weight, bias, True, momentum, eps)
        return torch.stack([mean, var])

    return fn


def build(w):
    def buffers(c):
        return w.randn(c) * 0.5, w.rand(c) + 0.5

    def affine(c):
        return w.randn(c), w.randn(c)

    # batchNorm: inputs [x, runningMean, runningVar, weight, bias]
    for shape in [(5, 3), (4, 3, 5), (3, 2, 3, 4)]:
        c = shape[1]
        x = w.randn(*shape) * 2 + 1
        rm, rv = buffers(c)
        g, b = affine(c)
        dims = f"{len(shape)}-D"
        w.add("batchNorm", f"training {dims} affine", [x, rm, rv, g, b], _batch_norm(True), options={"training": True})
        w.add("batchNorm", f"eval {dims} affine", [x, rm, rv, g, b], _batch_norm(False))
        w.add("batchNormRunningStats", f"{dims} default momentum", [x, rm, rv, g, b], _running_stats(), grads=False)
    x = w.randn(4, 3, 5)
    rm, rv = buffers(3)
    g, b = affine(3)
    w.add("batchNorm", "training without buffers or affine", [x, None, None, None, None], _batch_norm(True),
          options={"training": True})
    w.add("batchNorm", "training weight only, momentum 0.3, eps 1e-3", [x, rm, rv, g, None],
          _batch_norm(True, 0.3, 1e-3), options={"training": True, "momentum": 0.3, "eps": 1e-3})
    w.add("batchNorm", "training bias only", [x, rm, rv, None, b], _batch_norm(True), options={"training": True})
    w.add("batchNorm", "eval bias only, eps 1e-2", [x, rm, rv, None, b], _batch_norm(False, eps=1e-2),
          options={"eps": 1e-2})
    w.add("batchNorm", "eval without affine, explicit training false", [x, rm, rv, None, None], _batch_norm(False),
          options={"training": False})
    w.add("batchNormRunningStats", "momentum 0.3, eps 1e-3", [x, rm, rv, g, None], _running_stats(0.3, 1e-3),
          options={"momentum": 0.3, "eps": 1e-3}, grads=False)
    w.add("batchNormRunningStats", "momentum 1 keeps only the batch", [x, rm, rv, None, None], _running_stats(1.0),
          options={"momentum": 1}, grads=False)
    w.add("batchNormRunningStats", "two values per channel", [w.randn(2, 3), rm, rv, None, None], _running_stats(),
          grads=False)

    # layerNorm: inputs [x, weight, bias], args [normalizedShape]
    x = w.randn(2, 3, 4) * 3 - 1
    g4, b4 = affine(4)
    g34, b34 = w.randn(3, 4), w.randn(3, 4)
    w.add("layerNorm", "last dim, affine", [x, g4, b4], lambda t, g, b: F.layer_norm(t, [4], g, b), args=[[4]])
    w.add("layerNorm", "a size instead of a list", [x, g4, b4], lambda t, g, b: F.layer_norm(t, [4], g, b), args=[4])
    w.add("layerNorm", "last two dims, affine", [x, g34, b34], lambda t, g, b: F.layer_norm(t, [3, 4], g, b),
          args=[[3, 4]])
    w.add("layerNorm", "every dim, no affine, eps 1e-3", [x, None, None],
          lambda t, g, b: F.layer_norm(t, [2, 3, 4], eps=1e-3), args=[[2, 3, 4]], options={"eps": 1e-3})
    w.add("layerNorm", "weight only", [x, g4, None], lambda t, g, b: F.layer_norm(t, [4], g), args=[[4]])
    w.add("layerNorm", "bias only", [x, None, b34], lambda t, g, b: F.layer_norm(t, [3, 4], None, b), args=[[3, 4]])
    w.add("layerNorm", "1-D input", [w.randn(5), None, None], lambda t, g, b: F.layer_norm(t, [5]), args=[[5]])

    # groupNorm: inputs [x, weight, bias], args [numGroups]
    x = w.randn(2, 6, 3, 2) * 2 + 0.5
    g6, b6 = affine(6)
    for groups in (1, 3, 6):
        w.add("groupNorm", f"4-D, {groups} groups, affine", [x, g6, b6],
              lambda t, g, b, n=groups: F.group_norm(t, n, g, b), args=[groups])
    w.add("groupNorm", "2-D, 2 groups, weight only", [w.randn(4, 6), g6, None],
          lambda t, g, b: F.group_norm(t, 2, g), args=[2])
    w.add("groupNorm", "3-D, 2 groups, no affine, eps 1e-3", [w.randn(2, 4, 5), None, None],
          lambda t, g, b: F.group_norm(t, 2, eps=1e-3), args=[2], options={"eps": 1e-3})
    # PyTorch 1.13's group_norm backward fails with a bias but no weight; a weight of ones is the same map.
    w.add("groupNorm", "3-D, 3 groups, bias only", [w.randn(2, 6, 2), None, b6],
          lambda t, g, b: F.group_norm(t, 3, torch.ones(6, dtype=torch.float64), b), args=[3])
