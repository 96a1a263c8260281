"""Reference values of the seed's three 1-D convolution demonstrations (vision.signalDemos) and of a few
user-style cases (vision.convolutionDemo), computed as the seed does with numpy and scipy.

Run with /usr/bin/python3 scripts/reference/vision_signals.py; writes test/fixtures/vision-signals.json.
"""

import json
import os

import numpy as np
from scipy.signal import convolve

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "vision-signals.json")


def f(x):
    """The seed's piecewise-linear function."""
    return np.where(
        x < -3,
        0.5 * x + 4,
        np.where(x < -1, -x - 1, np.where(x < 1, 0.5 * x + 1, np.where(x < 3, -x + 3, 0.5 * x - 2))),
    )


def gaussian(x, sigma):
    return np.exp(-(x**2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))


def laplacian_of_gaussian(x, sigma):
    return (-1 / (np.pi * sigma**4)) * (1 - (x**2 / (2 * sigma**2))) * np.exp(-(x**2) / (2 * sigma**2))


def function_demos(samples, sigma):
    x = np.linspace(-5, 5, samples)
    dx = x[1] - x[0]
    g = gaussian(x, sigma)
    log = laplacian_of_gaussian(x, sigma)
    # method="direct": the exact sums, not the FFT scipy's default may choose.
    smooth = convolve(f(x), g, mode="same", method="direct")
    sharpen = convolve(f(x), log, mode="same", method="direct")
    return {
        "samples": samples,
        "sigma": sigma,
        "x": x.tolist(),
        "f": f(x).tolist(),
        "gaussian": g.tolist(),
        "log": log.tolist(),
        "smoothed": smooth.tolist(),
        "sharpened": sharpen.tolist(),
        "smoothedTimesDx": (smooth * dx).tolist(),
        "sharpenedTimesDx": (sharpen * dx).tolist(),
    }


def main():
    a = np.array([0.1, 0.1, 1, 1, 1, 0.1, 0.1])
    b = np.array([0.2, 0.2, 0.2, 0.2])
    user = []
    pairs = [
        ([1, 2, 3, 4, 5, 6, 7], [0.25, 0.5, 0.25]),
        ([1, -2, 3.5, 0, 2, 8], [1, 0, -1, 2]),
        ([3, 1, 4, 1, 5], [9, 2, 6, 5, 3, 5, 8]),
        ([2.5], [4, -1]),
    ]
    for signal, kernel in pairs:
        for mode in ["full", "same", "valid"]:
            for correlate in [False, True]:
                fn = np.correlate if correlate else np.convolve
                user.append(
                    {
                        "signal": signal,
                        "kernel": kernel,
                        "mode": mode,
                        "correlate": correlate,
                        "result": fn(signal, kernel, mode).tolist(),
                    }
                )
    fixture = {
        "arrays": {"a": a.tolist(), "b": b.tolist(), "full": np.convolve(a, b, mode="full").tolist()},
        "functions": [function_demos(500, 1.0), function_demos(101, 0.7)],
        "user": user,
    }
    with open(OUT, "w") as out:
        json.dump(fixture, out)
        out.write("\n")


if __name__ == "__main__":
    main()
