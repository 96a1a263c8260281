"""Writes the PyTorch interop fixtures under test/fixtures/interop/, both ways:

    /usr/bin/python3 scripts/interop/make_fixtures.py

- torch-weights.safetensors / .json: a torch.nn.Sequential's state_dict as PyTorch saves it (int64
  num_batches_tracked and all), its architecture as convnet-ts JSON, an input batch and PyTorch's logits;
  `convnet import --model` must load it with the same logits.
- convnet-checkpoint.json: a convnet-ts checkpoint (written first by scripts/interop/make-convnet-checkpoint.ts)
  loaded into the equivalent torch.nn.Sequential, and PyTorch's logits for an input batch.
- torch-export.onnx / .json: what torch.onnx.export (opset 13, dynamic batch) writes for a CNN, with an
  input batch, PyTorch's logits and the layer types convnet-ts should import.

Needs PyTorch (Debian: apt-get install python3-torch) and Node (for the checkpoint).
"""

import json
import os
import re
import subprocess
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import torch_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "test", "fixtures", "interop")


def snake(name):
    return re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), name)


def torch_layer(spec):
    """The PyTorch layer of a convnet-ts layer spec: same class name, camelCase fields as snake_case keywords."""
    args = {snake(k): tuple(v) if isinstance(v, list) else v for k, v in spec.items() if k != "type"}
    return getattr(nn, spec["type"])(**args)


def torch_model(architecture):
    return nn.Sequential(*[torch_layer(spec) for spec in architecture["layers"]])


def floats(tensor):
    return [float(v) for v in tensor.detach().reshape(-1).tolist()]


def write_json(name, value):
    with open(os.path.join(OUT, name), "w") as file:
        json.dump(value, file)
        file.write("\n")


def warm_up(model, input_shape, seed):
    """Moves batch-norm statistics off their initial values: a few training-mode passes on random data."""
    generator = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn([4, *input_shape], generator=generator) * 2 + 0.5)
    model.eval()


# A CNN using most layer types, every size given (PyTorch needs in_channels / in_features).
TORCH_WEIGHTS = {
    "name": "torch-weights",
    "layers": [
        {"type": "Conv2d", "inChannels": 3, "outChannels": 6, "kernelSize": 3, "padding": 1},
        {"type": "BatchNorm2d", "numFeatures": 6},
        {"type": "ReLU"},
        {"type": "MaxPool2d", "kernelSize": 2},
        {"type": "Conv2d", "inChannels": 6, "outChannels": 8, "kernelSize": [3, 2], "padding": [1, 0], "groups": 2, "dilation": [1, 2]},
        {"type": "ELU", "alpha": 0.5},
        {"type": "AvgPool2d", "kernelSize": 2, "padding": 1, "countIncludePad": False},
        {"type": "GroupNorm", "numGroups": 2, "numChannels": 8},
        {"type": "Flatten"},
        {"type": "Linear", "inFeatures": 96, "outFeatures": 16},
        {"type": "LeakyReLU", "negativeSlope": 0.1},
        {"type": "Dropout", "p": 0.25},
        {"type": "BatchNorm1d", "numFeatures": 16},
        {"type": "GELU"},
        {"type": "Linear", "inFeatures": 16, "outFeatures": 4},
    ],
}
INPUT_SHAPE = [3, 12, 12]


def torch_weights():
    torch.manual_seed(0)
    model = torch_model(TORCH_WEIGHTS)
    warm_up(model, INPUT_SHAPE, 1)
    x = torch.randn([3, *INPUT_SHAPE], generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        logits = model(x)
    torch_safetensors.save(os.path.join(OUT, "torch-weights.safetensors"), model.state_dict())
    write_json(
        "torch-weights.json",
        {"architecture": TORCH_WEIGHTS, "input_shape": [3, *INPUT_SHAPE], "input": floats(x), "logits": floats(logits)},
    )


def convnet_checkpoint():
    path = os.path.join(OUT, "convnet-checkpoint.safetensors")
    subprocess.run(["node", "--import", "tsx", "scripts/interop/make-convnet-checkpoint.ts", path], cwd=ROOT, check=True)
    tensors, metadata = torch_safetensors.load(path)
    architecture = json.loads(metadata["architecture"])
    model = torch_model(architecture)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    input_shape = json.loads(metadata["input_shape"])
    x = torch.randn([3, *input_shape], generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        logits = model(x)
    write_json("convnet-checkpoint.json", {"input_shape": [3, *input_shape], "input": floats(x), "logits": floats(logits)})


TORCH_EXPORT = {
    "name": "torch-export",
    "layers": [
        {"type": "Conv2d", "inChannels": 3, "outChannels": 6, "kernelSize": 3, "padding": 1, "stride": 1},
        {"type": "BatchNorm2d", "numFeatures": 6},
        {"type": "ReLU"},
        {"type": "MaxPool2d", "kernelSize": 3, "stride": 2, "padding": 1},
        {"type": "Conv2d", "inChannels": 6, "outChannels": 8, "kernelSize": 3, "groups": 2, "dilation": 2, "padding": 2},
        {"type": "Sigmoid"},
        {"type": "AvgPool2d", "kernelSize": 2, "padding": 1, "countIncludePad": True},
        {"type": "Tanh"},
        {"type": "Conv2d", "inChannels": 8, "outChannels": 8, "kernelSize": 1},
        {"type": "ELU"},
        {"type": "AdaptiveAvgPool2d", "outputSize": 1},
        {"type": "Flatten"},
        {"type": "Linear", "inFeatures": 8, "outFeatures": 12},
        {"type": "BatchNorm1d", "numFeatures": 12},
        {"type": "LeakyReLU", "negativeSlope": 0.05},
        {"type": "Dropout", "p": 0.5},
        {"type": "Linear", "inFeatures": 12, "outFeatures": 5},
    ],
}


def torch_export():
    torch.manual_seed(4)
    model = torch_model(TORCH_EXPORT)
    warm_up(model, INPUT_SHAPE, 5)
    x = torch.randn([3, *INPUT_SHAPE], generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        logits = model(x)
    path = os.path.join(OUT, "torch-export.onnx")
    torch.onnx.export(
        model, x[:1], path, opset_version=13, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    # torch.onnx.export folds each BatchNorm2d into the Conv before it and drops Dropout at inference.
    layers = [s["type"] for i, s in enumerate(TORCH_EXPORT["layers"]) if s["type"] != "Dropout" and not (s["type"] == "BatchNorm2d" and TORCH_EXPORT["layers"][i - 1]["type"] == "Conv2d")]
    write_json("torch-export.json", {"input_shape": [3, *INPUT_SHAPE], "input": floats(x), "logits": floats(logits), "layers": layers})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch_weights()
    convnet_checkpoint()
    torch_export()


if __name__ == "__main__":
    main()
