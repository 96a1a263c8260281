"""Writes test/fixtures/nn.json: PyTorch reference values for convnet-ts's nn modules.

    /usr/bin/python3 scripts/reference/nn_reference.py

Layers are described by JSON specs that both sides build from: ``{"type": "Conv2d", "args": [1, 32, 3],
"options": {"padding": 1}}`` (options camelCase, exactly as the TypeScript constructors take them; here
they become snake_case keyword arguments and lists become tuples), ``{"type": "Sequential", "children":
[...]}``, or ``{"type": "Custom"}`` for the user-defined module below, which the test defines too.

Parameters are not stored: both sides fill them with the same formula (see ``fill_parameters``), so the
bench CNN's 421,642 weights cost nothing. Gradients of large tensors are stored as summaries (the first
values, sum, sum of absolute values, sum of squares, and a projection on a fixed cosine), see ``summary``.

Sections:
- ``models``: model, PyTorch repr, state-dict / parameter / buffer names, then steps (train or eval mode,
  an input, the output, an upstream gradient, the input gradient and every parameter gradient; gradients
  are cleared before each step), the buffers after the last step, and for some models each child's output
  shape (what ``summary`` prints).
- ``reprs``: single layers and their PyTorch repr.
- ``losses``: loss modules on fixed inputs: output and input gradient.
- ``init``: for default and ``nn.init`` initialisation, the distribution PyTorch's formula prescribes
  (uniform bound or normal std) and the statistics of PyTorch's own sample.
- ``gains`` and ``fans``: ``calculate_gain`` and ``_calculate_fan_in_and_fan_out`` values.
- ``clipGradNorm``: gradients, ``max_norm`` and ``norm_type``, the returned total norm and the clipped
  gradients.
"""

import json
import math
import os
import re

import torch
import torch.nn as nn

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "nn.json")
generator = torch.Generator().manual_seed(0)


def randn(*shape):
    return torch.randn(shape, generator=generator, dtype=torch.float64)


def snake(name):
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def tuples(value):
    return tuple(tuples(v) for v in value) if isinstance(value, list) else value


def tensor_json(t):
    t = t.detach()
    return {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def summary(t):
    """A tensor too large to store whole, by its first values and four aggregates (all float64)."""
    flat = t.detach().reshape(-1).to(torch.float64)
    probe = torch.cos(0.3 * torch.arange(flat.numel(), dtype=torch.float64))
    return {
        "shape": list(t.shape),
        "head": flat[:64].tolist(),
        "sum": flat.sum().item(),
        "absSum": flat.abs().sum().item(),
        "sumSquares": (flat * flat).sum().item(),
        "probe": (flat * probe).sum().item(),
    }


class Custom(nn.Module):
    """A user-defined module: its own parameter and buffers (one not persistent), children, and a child
    registered under two names (its parameters are listed once, but saved under both names)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.scale = nn.Parameter(torch.ones(4))
        self.register_buffer("step", torch.zeros((), dtype=torch.long))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.head = nn.Linear(4, 3)
        self.alias = self.head

    def forward(self, x):
        self.step.add_(1)
        h = self.features(x) * self.scale.view(1, -1, 1, 1)
        return self.head(h.mean(dim=(2, 3)))


def build(spec):
    kind = spec["type"]
    if kind == "Sequential":
        return nn.Sequential(*[build(child) for child in spec["children"]])
    if kind == "Custom":
        return Custom()
    options = {snake(k): tuples(v) for k, v in spec.get("options", {}).items()}
    return getattr(nn, kind)(*tuples(spec.get("args", [])), **options)


def fill_parameters(model):
    """Parameter k (in named_parameters order), element i: sin(0.37 i + 1.1 k + 0.2), scaled by 1/√fan_in
    for tensors of 2 or more dims and by 0.5 otherwise."""
    with torch.no_grad():
        for k, (_, p) in enumerate(model.named_parameters()):
            i = torch.arange(p.numel(), dtype=torch.float64)
            scale = 1 / math.sqrt(p[0].numel()) if p.dim() >= 2 else 0.5
            p.copy_((scale * torch.sin(0.37 * i + 1.1 * k + 0.2)).reshape(p.shape))


def model_case(name, spec, steps, input_shape, shapes=False):
    model = build(spec).double()
    fill_parameters(model)
    case = {
        "name": name,
        "spec": spec,
        "repr": repr(model),
        "stateDictKeys": list(model.state_dict().keys()),
        "parameterNames": [n for n, _ in model.named_parameters()],
        "bufferNames": [n for n, _ in model.named_buffers()],
        "steps": [],
    }
    for mode in steps:
        model.train(mode == "train")
        model.zero_grad(set_to_none=True)
        x = randn(*input_shape).requires_grad_(True)
        out = model(x)
        upstream = randn(*out.shape)
        out.backward(upstream)
        case["steps"].append(
            {
                "mode": mode,
                "input": tensor_json(x),
                "output": tensor_json(out),
                "upstream": tensor_json(upstream),
                "inputGrad": summary(x.grad),
                "paramGrads": {n: summary(p.grad) for n, p in model.named_parameters()},
            }
        )
    case["buffers"] = {n: tensor_json(b) for n, b in model.named_buffers()}
    if shapes:
        recorded = []
        hooks = [
            m.register_forward_hook(lambda _m, _i, out, n=n: recorded.append([n, list(out.shape)]))
            for n, m in model.named_modules()
        ]
        model.eval()
        with torch.no_grad():
            model(torch.zeros(*input_shape, dtype=torch.float64))
        for h in hooks:
            h.remove()
        case["outputShapes"] = recorded
    return case


def layer(kind, *args, **options):
    spec = {"type": kind}
    if args:
        spec["args"] = list(args)
    if options:
        spec["options"] = options
    return spec


def sequential(*children):
    return {"type": "Sequential", "children": list(children)}


BENCH_CNN = sequential(
    layer("Conv2d", 1, 32, 3, padding=1),
    layer("ReLU"),
    layer("MaxPool2d", 2),
    layer("Conv2d", 32, 64, 3, padding=1),
    layer("ReLU"),
    layer("MaxPool2d", 2),
    layer("Flatten"),
    layer("Linear", 3136, 128),
    layer("ReLU"),
    layer("Linear", 128, 10),
)

BATCHNORM_CNN = sequential(
    layer("Conv2d", 3, 4, 3, padding=1, bias=False),
    layer("BatchNorm2d", 4),
    layer("ReLU"),
    layer("MaxPool2d", 2),
    layer("Conv2d", 4, 6, 3, stride=2, padding=1, paddingMode="reflect"),
    layer("BatchNorm2d", 6, momentum=None, eps=1e-3),
    layer("GELU"),
    layer("AdaptiveAvgPool2d", 1),
    layer("Flatten"),
    layer("Linear", 6, 5),
)

ONE_D = sequential(
    layer("Conv1d", 2, 4, 3, padding="same", paddingMode="circular"),
    layer("BatchNorm1d", 4, affine=False),
    layer("LeakyReLU", negativeSlope=0.2),
    layer("MaxPool1d", 2),
    layer("AvgPool1d", 2),
    layer("Flatten"),
    layer("Linear", 8, 6),
    layer("BatchNorm1d", 6, trackRunningStats=False),
    layer("SiLU"),
    layer("Linear", 6, 3, bias=False),
    layer("Tanh"),
)

TRANSPOSED = sequential(
    layer("ConvTranspose2d", 3, 4, 3, stride=2, padding=1, outputPadding=1),
    layer("GroupNorm", 2, 4),
    layer("Sigmoid"),
    layer("Conv2d", 4, 4, 3, groups=2, dilation=2),
    layer("LayerNorm", [4, 4, 4]),
    layer("ELU", alpha=0.5),
    layer("AvgPool2d", 2, stride=1, padding=1, countIncludePad=False),
    layer("Identity"),
    layer("Flatten"),
    layer("Dropout", p=0.3),
    layer("Linear", 100, 3),
    layer("Softmax", dim=1),
)

NESTED = sequential(
    sequential(layer("Linear", 4, 5), layer("ReLU")),
    sequential(layer("Linear", 5, 5, bias=False), layer("Tanh")),
    layer("Linear", 5, 2),
    layer("LogSoftmax", dim=-1),
)

REPRS = [
    layer("Conv2d", 1, 32, 3, padding=1),
    layer("Conv2d", 4, 8, [3, 5], padding="same", dilation=2, groups=4, bias=False),
    layer("Conv2d", 4, 8, [3, 5], stride=[2, 1], padding=[1, 2], dilation=[1, 2], bias=False),
    layer("Conv2d", 2, 2, 3, padding="valid", paddingMode="replicate"),
    layer("Conv1d", 2, 4, 3),
    layer("ConvTranspose2d", 4, 2, 3, stride=2, outputPadding=1),
    layer("ConvTranspose1d", 4, 2, 3, dilation=2, groups=2),
    layer("Linear", 3, 4),
    layer("Linear", 3, 4, bias=False),
    layer("ReLU"),
    layer("ELU"),
    layer("ELU", alpha=0.25),
    layer("LeakyReLU"),
    layer("Sigmoid"),
    layer("Tanh"),
    layer("GELU"),
    layer("GELU", approximate="tanh"),
    layer("SiLU"),
    layer("Softmax", dim=1),
    layer("Softmax"),
    layer("LogSoftmax", dim=0),
    layer("MaxPool1d", 3, stride=2),
    layer("MaxPool2d", 2),
    layer("MaxPool2d", [3, 2], stride=1, padding=[1, 0], dilation=2, ceilMode=True),
    layer("AvgPool1d", 3),
    layer("AvgPool2d", 2),
    layer("AvgPool2d", 3, stride=2, padding=1),
    layer("AdaptiveAvgPool2d", 1),
    layer("AdaptiveAvgPool2d", [2, None]),
    layer("Flatten"),
    layer("Flatten", startDim=0, endDim=2),
    layer("Dropout"),
    layer("Dropout", p=0.1),
    layer("BatchNorm1d", 3),
    layer("BatchNorm2d", 4, momentum=None, affine=False, trackRunningStats=False),
    layer("BatchNorm2d", 16, eps=1e-3, momentum=0.01),
    layer("LayerNorm", 5),
    layer("LayerNorm", [2, 3], eps=1e-6, elementwiseAffine=False),
    layer("GroupNorm", 2, 4),
    layer("GroupNorm", 1, 3, eps=0.001, affine=False),
    layer("Identity"),
    layer("CrossEntropyLoss"),
    layer("NLLLoss"),
    layer("MSELoss"),
    NESTED,
]


def loss_case(name, kind, options, x, target, class_weight=None):
    torch_options = {snake(k): v for k, v in options.items()}
    if class_weight is not None:
        torch_options["weight"] = class_weight
    module = getattr(nn, kind)(**torch_options)
    x = x.clone().requires_grad_(True)
    out = module(x, target)
    upstream = randn(*out.shape)
    out.backward(upstream)
    return {
        "name": name,
        "type": kind,
        "options": options,
        "weight": None if class_weight is None else tensor_json(class_weight),
        "input": tensor_json(x),
        "target": {**tensor_json(target), "dtype": "float64" if target.is_floating_point() else "int32"},
        "stateDictKeys": list(module.state_dict().keys()),
        "output": tensor_json(out),
        "upstream": tensor_json(upstream),
        "inputGrad": tensor_json(x.grad),
    }


def losses():
    logits = randn(5, 4)
    labels = torch.tensor([0, 3, 1, 3, 2])
    weight = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
    return [
        loss_case("cross-entropy, defaults", "CrossEntropyLoss", {}, logits, labels),
        loss_case(
            "cross-entropy, weight, ignoreIndex, label smoothing",
            "CrossEntropyLoss",
            {"ignoreIndex": 1, "labelSmoothing": 0.1},
            logits,
            labels,
            weight,
        ),
        loss_case("cross-entropy, sum", "CrossEntropyLoss", {"reduction": "sum"}, logits, labels),
        loss_case("nll, weight, none", "NLLLoss", {"reduction": "none"}, torch.log_softmax(logits, 1), labels, weight),
        loss_case("mse, mean", "MSELoss", {}, logits, randn(5, 4)),
        loss_case("mse, none", "MSELoss", {"reduction": "none"}, logits, randn(5, 4)),
    ]


def init_stats(t):
    flat = t.detach().reshape(-1)
    return {"maxAbs": flat.abs().max().item(), "mean": flat.mean().item(), "std": flat.std().item()}


def default_init(name, spec, parameter):
    torch.manual_seed(1)
    module = build(spec)
    p = getattr(module, parameter)
    fan_in = nn.init._calculate_fan_in_and_fan_out(module.weight)[0]
    bound = 1 / math.sqrt(fan_in)
    return {"name": name, "spec": spec, "parameter": parameter, "kind": "uniform", "bound": bound, "torch": init_stats(p)}


def init_fn_case(fn, shape, options):
    torch.manual_seed(2)
    t = torch.empty(*shape)
    kwargs = {snake(k): v for k, v in options.items()}
    getattr(nn.init, snake(fn).rstrip("_") + "_")(t, **kwargs)
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(t)
    if fn.startswith("kaiming"):
        fan = fan_in if options.get("mode", "fan_in") == "fan_in" else fan_out
        gain = nn.init.calculate_gain(options.get("nonlinearity", "leaky_relu"), options.get("a", 0))
        std = gain / math.sqrt(fan)
    else:
        std = options.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    if fn.endswith("Uniform_"):
        spread = {"kind": "uniform", "bound": math.sqrt(3.0) * std}
    else:
        spread = {"kind": "normal", "std": std}
    return {"name": f"{fn} {shape} {options}", "fn": fn, "shape": list(shape), "options": options, **spread, "torch": init_stats(t)}


def init_cases():
    return [
        default_init("Linear(3136, 128) weight", layer("Linear", 3136, 128), "weight"),
        default_init("Linear(3136, 128) bias", layer("Linear", 3136, 128), "bias"),
        default_init("Conv2d(32, 64, 3) weight", layer("Conv2d", 32, 64, 3), "weight"),
        default_init("Conv2d(32, 64, 3) bias", layer("Conv2d", 32, 64, 3), "bias"),
        default_init("Conv2d(8, 16, 5, groups 4) weight", layer("Conv2d", 8, 16, 5, groups=4), "weight"),
        default_init("ConvTranspose2d(16, 8, 4) weight", layer("ConvTranspose2d", 16, 8, 4), "weight"),
        default_init("ConvTranspose2d(16, 8, 4) bias", layer("ConvTranspose2d", 16, 8, 4), "bias"),
        default_init("Conv1d(3, 5, 7) weight", layer("Conv1d", 3, 5, 7), "weight"),
        init_fn_case("kaimingUniform_", (256, 128), {}),
        init_fn_case("kaimingUniform_", (64, 32, 3, 3), {"mode": "fan_out", "nonlinearity": "relu"}),
        init_fn_case("kaimingNormal_", (64, 32, 3, 3), {"a": 0.1}),
        init_fn_case("kaimingNormal_", (300, 200), {"mode": "fan_out", "nonlinearity": "tanh"}),
        init_fn_case("xavierUniform_", (300, 200), {}),
        init_fn_case("xavierUniform_", (32, 16, 5), {"gain": 2.0}),
        init_fn_case("xavierNormal_", (64, 32, 3, 3), {"gain": 0.5}),
    ]


def gains():
    cases = [
        ["linear", None], ["conv1d", None], ["conv2d", None], ["conv3d", None], ["conv_transpose1d", None],
        ["conv_transpose2d", None], ["conv_transpose3d", None], ["sigmoid", None], ["tanh", None],
        ["relu", None], ["leaky_relu", None], ["leaky_relu", 0.2], ["leaky_relu", math.sqrt(5)], ["selu", None],
    ]
    return [{"nonlinearity": n, "param": p, "gain": nn.init.calculate_gain(n, p)} for n, p in cases]


def fans():
    shapes = [(3, 4), (8, 4, 3), (64, 32, 3, 3), (5, 0, 2), (6, 2, 3, 4, 5)]
    return [{"shape": list(s), "fans": list(nn.init._calculate_fan_in_and_fan_out(torch.empty(*s)))} for s in shapes]


def clip_case(name, shapes, max_norm, norm_type, missing=()):
    grads = [randn(*s) * 3 for s in shapes]
    params = [torch.zeros(*s, dtype=torch.float64, requires_grad=True) for s in shapes]
    for i, (p, g) in enumerate(zip(params, grads)):
        p.grad = None if i in missing else g.clone()
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    return {
        "name": name,
        "maxNorm": max_norm,
        "normType": "inf" if norm_type == math.inf else norm_type,
        "grads": [None if i in missing else tensor_json(g) for i, g in enumerate(grads)],
        "totalNorm": total.item(),
        "clipped": [None if p.grad is None else tensor_json(p.grad) for p in params],
    }


def clip_cases():
    shapes = [(3, 4), (5,), (2, 2, 2)]
    return [
        clip_case("2-norm, clipped", shapes, 1.0, 2.0),
        clip_case("2-norm, below the limit (scaled by min(1, ...) = 1)", shapes, 100.0, 2.0),
        clip_case("1-norm", shapes, 2.0, 1.0),
        clip_case("3.5-norm", shapes, 0.5, 3.5),
        clip_case("inf-norm", shapes, 0.25, math.inf),
        clip_case("a parameter without a gradient is skipped", shapes, 1.0, 2.0, missing=(1,)),
        clip_case("a single tensor", [(4, 3)], 0.1, 2.0),
    ]


def main():
    models = [
        model_case("bench CNN", BENCH_CNN, ["train"], (2, 1, 28, 28), shapes=True),
        model_case("conv, batch norm (momentum and cumulative), reflect padding, GELU", BATCHNORM_CNN,
                   ["train", "train", "train", "eval"], (4, 3, 8, 8), shapes=True),
        model_case("1-D: circular 'same' conv, batch norm without affine or running stats, pooling",
                   ONE_D, ["train", "train", "eval"], (3, 2, 8)),
        model_case("transposed conv, group norm, layer norm, dropout (evaluation)", TRANSPOSED, ["eval"],
                   (2, 3, 4, 4), shapes=True),
        model_case("nested Sequential", NESTED, ["train"], (3, 4)),
        model_case("user-defined module", {"type": "Custom"}, ["train", "train", "eval"], (2, 2, 5, 5)),
    ]
    reprs = [{"spec": spec, "repr": repr(build(spec))} for spec in REPRS]
    document = {
        "generator": "scripts/reference/nn_reference.py",
        "torch": torch.__version__,
        "models": models,
        "reprs": reprs,
        "losses": losses(),
        "init": init_cases(),
        "gains": gains(),
        "fans": fans(),
        "clipGradNorm": clip_cases(),
    }
    with open(FIXTURE, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    print(f"{FIXTURE}: {len(models)} models, {len(reprs)} reprs, {os.path.getsize(FIXTURE)} bytes")


if __name__ == "__main__":
    main()
