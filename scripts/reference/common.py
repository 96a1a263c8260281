"""Shared machinery for the PyTorch reference fixtures.

Each op family has a module ``cases_<family>.py`` with a ``build(writer)`` function that adds cases to a
``FixtureWriter``. A case names the convnet-ts op, its tensor inputs, its other positional arguments and
its options (camelCase, exactly as the TypeScript call takes them), and a Python function computing the
same thing with PyTorch. The writer evaluates it in float64, draws a random upstream gradient, runs
autograd and stores inputs, output, upstream gradient and input gradients as JSON under test/fixtures/.
"""

import json
import os

import torch

FIXTURE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures")


def tensor_json(t):
    """A tensor as {shape, dtype, values} with values flattened row-major."""
    t = t.detach()
    dtype = "int32" if not t.is_floating_point() else "float64"
    values = t.reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": dtype, "values": values}


class FixtureWriter:
    """Collects the cases of one op family and writes them to test/fixtures/<family>.json."""

    def __init__(self, family, seed=0):
        self.family = family
        self.cases = []
        self.generator = torch.Generator().manual_seed(seed)
        self.names = set()

    def randn(self, *shape):
        """Standard normal float64 values from the family's own generator."""
        return torch.randn(*shape, generator=self.generator, dtype=torch.float64)

    def rand(self, *shape):
        """Uniform [0, 1) float64 values from the family's own generator."""
        return torch.rand(*shape, generator=self.generator, dtype=torch.float64)

    def randint(self, low, high, shape):
        """Uniform integers in [low, high) from the family's own generator."""
        return torch.randint(low, high, shape, generator=self.generator)

    def add(self, op, name, inputs, fn, args=(), options=None, grads=True):
        """Adds one case.

        op:      the convnet-ts function the TypeScript runner calls (a key of its runner table)
        name:    a unique, readable description
        inputs:  tensors (float64 or integer) or None, passed positionally to ``fn`` and to the TS runner
        fn:      the PyTorch computation, ``fn(*inputs) -> tensor``
        args:    further positional non-tensor arguments for the TS runner (JSON-serialisable)
        options: the TS options object (camelCase)
        grads:   False for ops without gradients; otherwise every floating input gets a gradient
        """
        if (op, name) in self.names:
            raise ValueError(f"duplicate case {op}: {name!r}")
        self.names.add((op, name))
        leaves = []
        for t in inputs:
            if t is None:
                leaves.append(None)
            elif t.is_floating_point() and grads:
                leaves.append(t.detach().clone().to(torch.float64).requires_grad_(True))
            else:
                leaves.append(t.detach().clone())
        out = fn(*leaves)
        case = {
            "op": op,
            "name": name,
            "inputs": [None if t is None else tensor_json(t) for t in leaves],
            "args": list(args),
            "options": options or {},
            "output": tensor_json(out),
        }
        if grads and out.is_floating_point() and out.requires_grad:
            upstream = torch.randn(out.shape, generator=self.generator, dtype=torch.float64)
            differentiable = [t for t in leaves if t is not None and t.requires_grad]
            computed = torch.autograd.grad(out, differentiable, upstream, allow_unused=True)
            by_id = {id(t): g for t, g in zip(differentiable, computed)}
            case["upstream"] = tensor_json(upstream)
            case["grads"] = [
                None
                if t is None or id(t) not in by_id
                else tensor_json(by_id[id(t)] if by_id[id(t)] is not None else torch.zeros_like(t))
                for t in leaves
            ]
        self.cases.append(case)

    def write(self):
        os.makedirs(FIXTURE_DIR, exist_ok=True)
        path = os.path.join(FIXTURE_DIR, f"{self.family}.json")
        document = {
            "family": self.family,
            "generator": "scripts/reference/make_fixtures.py " + self.family,
            "torch": torch.__version__,
            "cases": self.cases,
        }
        with open(path, "w") as f:
            json.dump(document, f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        print(f"{path}: {len(self.cases)} cases")
