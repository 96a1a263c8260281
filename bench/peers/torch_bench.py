"""PyTorch's side of `npm run bench`: times the same GEMMs, convolutions and bench-CNN steps as the
TypeScript benchmarks and prints one JSON object of median milliseconds on stdout.

Run by bench/peers/torch.ts as `/usr/bin/python3 bench/peers/torch_bench.py THREADS JSON_CONFIG`, with the
Debian package python3-torch (PyTorch 1.13). The config names what to time:
  {"gemm": [[m, k, n], ...], "conv": [[N, Cin, H, W, Cout, k, pad], ...], "cnn": {"batch": 64}}
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def median_ms(body, warmup=2, repeats=7, min_seconds=0.5):
    """Median wall-clock milliseconds of body() after warm-up calls, at least `repeats` samples."""
    for _ in range(warmup):
        body()
    samples = []
    start = time.perf_counter()
    while len(samples) < repeats or (time.perf_counter() - start < min_seconds and len(samples) < 200):
        t0 = time.perf_counter()
        body()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def bench_cnn():
    """The bench CNN, PyTorch's MNIST example shape (the same as convnet-ts's `bench-cnn`)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def main():
    threads = int(sys.argv[1])
    config = json.loads(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    result = {"version": torch.__version__, "threads": torch.get_num_threads(), "gemm": [], "conv": []}
    for m, k, n in config.get("gemm", []):
        a, b = torch.randn(m, k), torch.randn(k, n)
        result["gemm"].append(median_ms(lambda: torch.mm(a, b)))
    for batch, cin, h, w, cout, ksize, pad in config.get("conv", []):
        x = torch.randn(batch, cin, h, w, requires_grad=True)
        weight = torch.randn(cout, cin, ksize, ksize, requires_grad=True)
        bias = torch.randn(cout, requires_grad=True)
        with torch.no_grad():
            forward = median_ms(lambda: F.conv2d(x, weight, bias, padding=pad))

        def forward_backward():
            x.grad = weight.grad = bias.grad = None
            F.conv2d(x, weight, bias, padding=pad).sum().backward()

        result["conv"].append({"forward": forward, "forwardBackward": median_ms(forward_backward)})
    if "cnn" in config:
        batch = config["cnn"]["batch"]
        model = bench_cnn()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        images, labels = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))

        def train_step():
            optimizer.zero_grad()
            F.cross_entropy(model(images), labels).backward()
            optimizer.step()

        model.eval()
        with torch.no_grad():
            infer = median_ms(lambda: model(images))
        model.train()
        result["cnn"] = {"train": median_ms(train_step), "infer": infer}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
