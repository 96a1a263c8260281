"""Writes test/fixtures/optim.json: PyTorch reference trajectories for convnet-ts's optimizers and
learning-rate schedulers.

    /usr/bin/python3 scripts/reference/optim_reference.py

Every case starts from fixed float64 parameters and replays fixed per-step gradients (``None`` where a
parameter gets no gradient that step), recording the parameters after every ``optimizer.step()``. Scheduler
cases also call ``scheduler.step()`` after each optimizer step and record every group's learning rate and
momentum (``momentum``, or ``betas[0]`` for Adam-style optimizers) right after construction and after each
step. Options are stored camelCase, exactly as the TypeScript constructors take them.
"""

import json
import os
import re

import torch

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "optim.json")
SHAPES = [(2, 3), (3,), (1,)]
# The last parameter gets no gradient in these steps (PyTorch skips it: no update, no state change).
SKIPPED_STEPS = {0, 3}

generator = torch.Generator().manual_seed(0)


def snake(name):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def torch_options(options):
    """camelCase TS options to PyTorch keyword arguments."""
    out = {}
    for key, value in options.items():
        if key == "betas":
            value = tuple(value)
        if key == "threePhase":
            key = "three_phase"
        out[snake(key)] = value
    return out


def values(t):
    return t.detach().reshape(-1).tolist()


def make_params():
    return [torch.randn(shape, generator=generator, dtype=torch.float64) for shape in SHAPES]


def make_grads(steps):
    grads = []
    for step in range(steps):
        row = []
        for i, shape in enumerate(SHAPES):
            g = torch.randn(shape, generator=generator, dtype=torch.float64)
            row.append(None if i == len(SHAPES) - 1 and step in SKIPPED_STEPS else g)
        grads.append(row)
    return grads


def build_optimizer(kind, options, groups, leaves):
    """groups: None (one list of every parameter) or [{"params": [indices], "options": {...}}]."""
    if groups is None:
        params = leaves
    else:
        params = [{"params": [leaves[i] for i in g["params"]], **torch_options(g["options"])} for g in groups]
    return getattr(torch.optim, kind)(params, **torch_options(options))


def momentum_of(group):
    if "betas" in group:
        return group["betas"][0]
    return group.get("momentum")


def run(kind, options, groups, steps, scheduler=None):
    initial = make_params()
    grads = make_grads(steps)
    leaves = [p.clone().requires_grad_(True) for p in initial]
    optimizer = build_optimizer(kind, options, groups, leaves)
    record = {
        "optimizer": kind,
        "options": options,
        "groups": groups,
        "params": [{"shape": list(p.shape), "values": values(p)} for p in initial],
        "grads": [[None if g is None else values(g) for g in row] for row in grads],
        "expected": [],
    }
    sched = None
    if scheduler is not None:
        name, args, sched_options = scheduler
        sched = getattr(torch.optim.lr_scheduler, name)(optimizer, *args, **torch_options(sched_options))
        record["lrs"] = [[g["lr"] for g in optimizer.param_groups]]
        record["momenta"] = [[momentum_of(g) for g in optimizer.param_groups]]
    for row in grads:
        for p, g in zip(leaves, row):
            p.grad = None if g is None else g.clone()
        optimizer.step()
        record["expected"].append([values(p) for p in leaves])
        if sched is not None:
            sched.step()
            record["lrs"].append([g["lr"] for g in optimizer.param_groups])
            record["momenta"].append([momentum_of(g) for g in optimizer.param_groups])
    return record


TWO_GROUPS = [{"params": [0, 2], "options": {}}, {"params": [1], "options": {"lr": 0.03}}]

OPTIMIZER_CASES = [
    ("SGD", "plain", {"lr": 0.1}, None),
    ("SGD", "momentum", {"lr": 0.1, "momentum": 0.9}, None),
    ("SGD", "momentum with dampening", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, None),
    ("SGD", "nesterov", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, None),
    ("SGD", "weight decay with momentum", {"lr": 0.1, "momentum": 0.5, "weightDecay": 0.1}, None),
    ("SGD", "maximize with momentum", {"lr": 0.1, "momentum": 0.9, "maximize": True}, None),
    (
        "SGD",
        "param groups with their own lr and momentum",
        {"lr": 0.1, "momentum": 0.9},
        [
            {"params": [0], "options": {"lr": 0.2}},
            {"params": [1, 2], "options": {"momentum": 0, "weightDecay": 0.2}},
        ],
    ),
    ("Adam", "defaults", {}, None),
    ("Adam", "lr, betas and eps", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6}, None),
    ("Adam", "weight decay", {"lr": 0.01, "weightDecay": 0.1}, None),
    ("Adam", "amsgrad", {"lr": 0.01, "amsgrad": True}, None),
    ("Adam", "maximize", {"lr": 0.01, "maximize": True}, None),
    (
        "Adam",
        "param groups with their own lr and betas",
        {"lr": 0.01},
        [
            {"params": [0, 2], "options": {"betas": [0.5, 0.9]}},
            {"params": [1], "options": {"lr": 0.1, "amsgrad": True}},
        ],
    ),
    ("AdamW", "defaults", {}, None),
    ("AdamW", "weight decay and amsgrad", {"lr": 0.01, "weightDecay": 0.1, "amsgrad": True}, None),
    ("AdamW", "maximize", {"lr": 0.01, "maximize": True, "betas": [0.8, 0.9]}, None),
    ("AdamW", "param groups", {"lr": 0.01}, TWO_GROUPS),
    ("RMSprop", "defaults", {}, None),
    ("RMSprop", "alpha and eps", {"lr": 0.05, "alpha": 0.9, "eps": 1e-6}, None),
    ("RMSprop", "momentum", {"lr": 0.01, "momentum": 0.9}, None),
    ("RMSprop", "centered", {"lr": 0.01, "centered": True}, None),
    (
        "RMSprop",
        "centered with momentum and weight decay",
        {"lr": 0.01, "centered": True, "momentum": 0.5, "weightDecay": 0.1},
        None,
    ),
    ("RMSprop", "maximize", {"lr": 0.01, "maximize": True}, None),
    ("RMSprop", "param groups", {"lr": 0.01}, TWO_GROUPS),
    ("Adagrad", "defaults", {}, None),
    ("Adagrad", "lr decay", {"lr": 0.1, "lrDecay": 0.1}, None),
    ("Adagrad", "weight decay", {"lr": 0.1, "weightDecay": 0.1}, None),
    (
        "Adagrad",
        "initial accumulator and eps",
        {"lr": 0.1, "initialAccumulatorValue": 0.5, "eps": 1e-6},
        None,
    ),
    ("Adagrad", "maximize", {"lr": 0.1, "maximize": True}, None),
    ("Adagrad", "param groups", {"lr": 0.1}, TWO_GROUPS),
]

SCHEDULER_CASES = [
    ("StepLR", "two groups", ("SGD", {"lr": 0.1}, TWO_GROUPS), [3], {"gamma": 0.5}, 10),
    ("StepLR", "default gamma", ("Adam", {"lr": 0.01}, None), [2], {}, 5),
    (
        "CosineAnnealingLR",
        "past tMax (restart branch)",
        ("SGD", {"lr": 0.1, "momentum": 0.9}, TWO_GROUPS),
        [4],
        {},
        13,
    ),
    ("CosineAnnealingLR", "etaMin", ("Adam", {"lr": 0.01}, None), [5], {"etaMin": 0.001}, 7),
    (
        "OneCycleLR",
        "SGD momentum cycling",
        ("SGD", {"lr": 0.1, "momentum": 0.9}, None),
        [0.5],
        {"totalSteps": 10},
        10,
    ),
    (
        "OneCycleLR",
        "Adam beta1 cycling, linear, three phases",
        ("Adam", {"lr": 0.01}, None),
        [0.05],
        {"epochs": 3, "stepsPerEpoch": 4, "annealStrategy": "linear", "threePhase": True},
        12,
    ),
    (
        "OneCycleLR",
        "per-group max lr with custom factors",
        ("RMSprop", {"lr": 0.01, "momentum": 0.9}, TWO_GROUPS),
        [[0.2, 0.1]],
        {
            "totalSteps": 8,
            "pctStart": 0.25,
            "divFactor": 10.0,
            "finalDivFactor": 100.0,
            "baseMomentum": 0.8,
            "maxMomentum": [0.9, 0.95],
        },
        8,
    ),
    (
        "OneCycleLR",
        "without momentum cycling",
        ("Adagrad", {"lr": 0.1}, None),
        [0.3],
        {"totalSteps": 6, "cycleMomentum": False, "pctStart": 0.5},
        6,
    ),
]


def main():
    optimizers = []
    for kind, name, options, groups in OPTIMIZER_CASES:
        case = run(kind, options, groups, steps=5)
        optimizers.append({"name": name, **case})
    schedulers = []
    for kind, name, (opt_kind, opt_options, groups), args, options, steps in SCHEDULER_CASES:
        case = run(opt_kind, opt_options, groups, steps, scheduler=(kind, args, options))
        schedulers.append(
            {"scheduler": kind, "name": name, "args": args, "schedulerOptions": options, **case}
        )
    document = {
        "generator": "scripts/reference/optim_reference.py",
        "torch": torch.__version__,
        "optimizers": optimizers,
        "schedulers": schedulers,
    }
    with open(FIXTURE, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    print(f"{FIXTURE}: {len(optimizers)} optimizer cases, {len(schedulers)} scheduler cases")


if __name__ == "__main__":
    main()
