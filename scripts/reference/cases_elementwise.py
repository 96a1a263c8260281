"""Reference cases for src/ops/elementwise.ts.

Binary ops take their operands as inputs [a, b]; a number operand is a ``None`` input with the number in
``args`` (``args[0]`` for whichever side is ``None``), so every case tests broadcasting or a scalar side.
NaN cases live in test/elementwise.test.ts, since JSON cannot hold NaN.
"""

import torch

# Pairs of operand shapes that broadcast in every direction: equal, trailing, size-1 on either side, a 0-d
# operand on either side, and both operands expanded at once.
SHAPES = [
    ("same shape", (2, 3), (2, 3)),
    ("trailing vector on the right", (2, 3, 4), (4,)),
    ("trailing vector on the left", (4,), (2, 3, 4)),
    ("size-1 dims on both sides", (3, 1), (1, 4)),
    ("size-1 middle dim on the left", (2, 1, 4), (3, 1)),
    ("0-d on the right", (2, 3), ()),
    ("0-d on the left", (), (2, 3)),
]

ARITHMETIC = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


def away_from_zero(t):
    """Values with |v| ≥ 0.5, so that division and its gradient stay well conditioned."""
    return torch.where(t >= 0, t + 0.5, t - 0.5)


def build(w):
    for op, fn in ARITHMETIC.items():
        for name, sa, sb in SHAPES:
            a = w.randn(sa)
            b = away_from_zero(w.randn(sb)) if op == "div" else w.randn(sb)
            w.add(op, name, [a, b], fn)
        x = away_from_zero(w.randn(2, 3))
        w.add(op, "number on the right", [x, None], lambda a, _, f=fn: f(a, 2.5), args=[2.5])
        w.add(op, "number on the left", [None, x], lambda _, b, f=fn: f(-1.5, b), args=[-1.5])
    for op, sign in (("add", 1), ("sub", -1)):
        a, b = w.randn(2, 3), w.randn(3)
        w.add(op, "alpha", [a, b], lambda x, y, s=sign: x + s * 0.5 * y, options={"alpha": 0.5})
    ints = w.randint(-5, 6, (2, 3))
    w.add("div", "int by int is true division", [ints, torch.tensor([2, 3, 4])], lambda a, b: a / b)
    w.add("add", "int tensor plus fraction", [ints, None], lambda a, _: a + 0.5, args=[0.5])
    w.add("mul", "int tensor times float tensor", [ints, w.randn(2, 3)], lambda a, b: a * b)

    base = w.rand(2, 3) + 0.5
    w.add("pow", "number exponent", [base, None], lambda a, _: a**2.5, args=[2.5])
    w.add("pow", "negative integer exponent", [w.randn(2, 3), None], lambda a, _: a**-2, args=[-2])
    w.add("pow", "exponent 0 (zero gradient, also at 0)", [torch.tensor([0.0, 1.5, -2.0]), None], lambda a, _: a**0, args=[0])
    w.add("pow", "tensor exponent", [base, w.randn(2, 3)], torch.pow)
    w.add("pow", "broadcast tensor exponent", [w.rand(2, 1) + 0.5, w.randn(3)], torch.pow)
    w.add("pow", "number base", [None, w.randn(2, 3)], lambda _, e: torch.pow(2.0, e), args=[2.0])
    zero_base = torch.tensor([0.0, 0.0, 0.0, 2.0], dtype=torch.float64)
    w.add("pow", "zero base, non-negative exponents", [zero_base, torch.tensor([0.0, 1.0, 2.5, 1.5])], torch.pow)

    unary = {
        "neg": (torch.neg, w.randn(2, 3)),
        "exp": (torch.exp, w.randn(2, 3)),
        "log": (torch.log, w.rand(2, 3) + 0.1),
        "log1p": (torch.log1p, w.rand(2, 3) - 0.5),
        "expm1": (torch.expm1, w.randn(2, 3)),
        "sqrt": (torch.sqrt, w.rand(2, 3) + 0.1),
        "abs": (torch.abs, torch.tensor([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]])),
        "sign": (torch.sign, torch.tensor([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]])),
        "erf": (torch.erf, w.randn(2, 3) * 2),
    }
    for op, (fn, x) in unary.items():
        w.add(op, "2-D", [x], fn)
    w.add("exp", "int input gives float32", [ints], torch.exp)
    w.add("erf", "tails", [torch.tensor([-7.0, -3.0, -0.4, 0.0, 0.4, 0.6, 3.0, 5.0, 7.0])], torch.erf)
    w.add("neg", "0-d", [torch.tensor(1.5)], torch.neg)

    edges = torch.tensor([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    w.add("clamp", "both bounds, values at the bounds", [edges], lambda t: torch.clamp(t, -0.5, 1.0), options={"min": -0.5, "max": 1.0})
    w.add("clamp", "min only", [edges], lambda t: torch.clamp(t, min=0.0), options={"min": 0})
    w.add("clamp", "max only", [edges], lambda t: torch.clamp(t, max=0.5), options={"max": 0.5})
    w.add("clamp", "min above max gives max", [edges], lambda t: torch.clamp(t, 1.0, 0.0), options={"min": 1, "max": 0})
    w.add("clamp", "int input with a fractional bound", [ints], lambda t: torch.clamp(t, min=-1.5), options={"min": -1.5})

    ties_a = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    ties_b = torch.tensor([[1.0, 0.0, 4.0], [0.5, -1.0, 5.0]])
    for op, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
        w.add(op, "ties split the gradient", [ties_a, ties_b], fn)
        w.add(op, "broadcast with ties", [ties_a, torch.tensor([1.0, -1.0, 3.0])], fn)
        w.add(op, "number operand", [ties_a, None], lambda a, _, f=fn: f(a, torch.tensor(1.0, dtype=torch.float64)), args=[1])

    comparisons = {
        "eq": torch.eq,
        "ne": torch.ne,
        "lt": torch.lt,
        "le": torch.le,
        "gt": torch.gt,
        "ge": torch.ge,
    }
    cmp_a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 2.0, 0.0]])
    cmp_b = torch.tensor([2.0, 2.0, 0.0])
    for op, fn in comparisons.items():
        w.add(op, "broadcast", [cmp_a, cmp_b], lambda a, b, f=fn: f(a, b).int(), grads=False)
        w.add(op, "number", [cmp_a, None], lambda a, _, f=fn: f(a, 2.0).int(), args=[2], grads=False)
        w.add(op, "int with fraction", [ints, None], lambda a, _, f=fn: f(a, 0.5).int(), args=[0.5], grads=False)

    cond = torch.tensor([[1, 0, 1], [0, 0, 1]])
    w.add("where", "same shapes", [cond, w.randn(2, 3), w.randn(2, 3)], lambda c, a, b: torch.where(c.bool(), a, b))
    w.add("where", "broadcast every argument", [torch.tensor([[1], [0]]), w.randn(3), w.randn(2, 1)], lambda c, a, b: torch.where(c.bool(), a, b))
    w.add("where", "number branch", [cond, w.randn(2, 3), None], lambda c, a, _: torch.where(c.bool(), a, torch.tensor(-1.0, dtype=torch.float64)), args=[-1])
    w.add("where", "float condition", [torch.tensor([0.0, 2.0, -1.0]), w.randn(3), w.randn(3)], lambda c, a, b: torch.where(c != 0, a, b))
