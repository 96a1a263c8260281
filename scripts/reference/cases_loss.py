"""Reference cases for src/ops/loss.ts.

Class weights of nll_loss, of cross_entropy with class-index targets and of
binary_cross_entropy_with_logits are constants (PyTorch refuses gradients for them), so those cases pass
them detached; with class-probability targets PyTorch differentiates the weight, and so do the cases.
"""

import torch
import torch.nn.functional as F

REDUCTIONS = ("none", "mean", "sum")


def _detached(t):
    return None if t is None else t.detach()


def _cross_entropy(reduction, ignore_index=-100, label_smoothing=0.0, detach_weight=True):
    def fn(x, target, weight):
        return F.cross_entropy(
            x,
            target,
            weight=_detached(weight) if detach_weight else weight,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )

    return fn


def _nll_loss(reduction, ignore_index=-100):
    def fn(x, target, weight):
        return F.nll_loss(x, target, weight=_detached(weight), ignore_index=ignore_index, reduction=reduction)

    return fn


def _bce(reduction):
    def fn(x, target, weight, pos_weight):
        return F.binary_cross_entropy_with_logits(
            x, target, weight=_detached(weight), pos_weight=_detached(pos_weight), reduction=reduction
        )

    return fn


def _options(reduction, **extra):
    options = {} if reduction == "mean" else {"reduction": reduction}
    options.update(extra)
    return options


def build(w):
    n, c = 6, 4
    logits = w.randn(n, c) * 2
    labels = w.randint(0, c, (n,))
    ignored = labels.clone()
    ignored[[1, 4]] = -100
    class_weight = w.rand(c) + 0.5
    kdim_logits = w.randn(2, 3, 4, 2)
    kdim_labels = w.randint(0, 3, (2, 4, 2))
    kdim_labels[0, 1, 1] = -100
    kdim_labels[1, 3, 0] = -100
    kdim_weight = w.rand(3) + 0.5
    probs = torch.softmax(w.randn(n, c), 1)
    kdim_probs = torch.softmax(w.randn(2, 3, 4, 2), 1)
    vector = w.randn(5)

    for r in REDUCTIONS:
        ce = "crossEntropy"
        w.add(ce, f"{r}: indices", [logits, labels, None], _cross_entropy(r), options=_options(r))
        w.add(ce, f"{r}: indices, weight", [logits, labels, class_weight], _cross_entropy(r), options=_options(r))
        w.add(ce, f"{r}: indices, weight, ignored entries", [logits, ignored, class_weight], _cross_entropy(r),
              options=_options(r))
        w.add(ce, f"{r}: ignoreIndex inside the class range", [logits, labels, class_weight],
              _cross_entropy(r, ignore_index=1), options=_options(r, ignoreIndex=1))
        w.add(ce, f"{r}: label smoothing", [logits, labels, None], _cross_entropy(r, label_smoothing=0.2),
              options=_options(r, labelSmoothing=0.2))
        w.add(ce, f"{r}: label smoothing, weight, ignored entries", [logits, ignored, class_weight],
              _cross_entropy(r, label_smoothing=0.3), options=_options(r, labelSmoothing=0.3))
        w.add(ce, f"{r}: K-dim indices, weight, ignored entries, smoothing", [kdim_logits, kdim_labels, kdim_weight],
              _cross_entropy(r, label_smoothing=0.1), options=_options(r, labelSmoothing=0.1))
        w.add(ce, f"{r}: K-dim indices", [kdim_logits, kdim_labels, None], _cross_entropy(r), options=_options(r))
        w.add(ce, f"{r}: unbatched (C) with a 0-D index", [vector, torch.tensor(3), None], _cross_entropy(r),
              options=_options(r))
        w.add(ce, f"{r}: probabilities", [logits, probs, None], _cross_entropy(r), options=_options(r))
        w.add(ce, f"{r}: probabilities, label smoothing", [logits, probs, None],
              _cross_entropy(r, label_smoothing=0.25), options=_options(r, labelSmoothing=0.25))
        w.add(ce, f"{r}: probabilities, weight, label smoothing", [logits, probs, class_weight],
              _cross_entropy(r, label_smoothing=0.1, detach_weight=False), options=_options(r, labelSmoothing=0.1))
        w.add(ce, f"{r}: K-dim probabilities, weight", [kdim_logits, kdim_probs, kdim_weight],
              _cross_entropy(r, detach_weight=False), options=_options(r))
        w.add(ce, f"{r}: unbatched (C) probabilities", [vector, torch.softmax(w.randn(5), 0), None],
              _cross_entropy(r), options=_options(r))

        nll = "nllLoss"
        log_probs = torch.log_softmax(logits, 1)
        w.add(nll, f"{r}: indices", [log_probs, labels, None], _nll_loss(r), options=_options(r))
        w.add(nll, f"{r}: weight, ignored entries", [log_probs, ignored, class_weight], _nll_loss(r),
              options=_options(r))
        w.add(nll, f"{r}: ignoreIndex inside the class range", [log_probs, labels, class_weight],
              _nll_loss(r, ignore_index=2), options=_options(r, ignoreIndex=2))
        w.add(nll, f"{r}: K-dim, weight, ignored entries", [kdim_logits, kdim_labels, kdim_weight], _nll_loss(r),
              options=_options(r))
        w.add(nll, f"{r}: unbatched (C) with a 0-D index", [vector, torch.tensor(0), None], _nll_loss(r),
              options=_options(r))

        x = w.randn(3, 4)
        w.add("mseLoss", f"{r}: 2-D", [x, w.randn(3, 4)], lambda a, b, rr=r: F.mse_loss(a, b, reduction=rr),
              options=_options(r))
        w.add("mseLoss", f"{r}: 0-D", [w.randn(()), w.randn(())], lambda a, b, rr=r: F.mse_loss(a, b, reduction=rr),
              options=_options(r))

        bce = "binaryCrossEntropyWithLogits"
        x = w.randn(4, 3) * 3
        t = w.rand(4, 3)
        w.add(bce, f"{r}: plain", [x, t, None, None], _bce(r), options=_options(r))
        w.add(bce, f"{r}: weight per element", [x, t, w.rand(4, 3), None], _bce(r), options=_options(r))
        w.add(bce, f"{r}: weight broadcast per row, posWeight per class", [x, t, w.rand(4, 1) + 0.5, w.rand(3) * 3],
              _bce(r), options=_options(r))
        w.add(bce, f"{r}: posWeight only", [x, t, None, w.rand(3) * 3], _bce(r), options=_options(r))
        w.add(bce, f"{r}: large logits, hard labels",
              [torch.tensor([[-800.0, -30.0, 0.0, 30.0, 800.0]], dtype=torch.float64),
               torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0]], dtype=torch.float64), None, None],
              _bce(r), options=_options(r))
    w.add("crossEntropy", "label smoothing 1", [logits, ignored, None], _cross_entropy("mean", label_smoothing=1.0),
          options={"labelSmoothing": 1})
