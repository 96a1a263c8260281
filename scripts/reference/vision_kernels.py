"""Reference matrices for src/vision/kernels.ts, written to test/fixtures/vision-kernels.json.

    /usr/bin/python3 scripts/reference/vision_kernels.py

Each entry is a kernel spec, the matrix scipy.ndimage or OpenCV gives for it (in correlation orientation,
as convnet-ts writes kernels) and where the values come from. Needs scipy and OpenCV (Debian:
python3-scipy, python3-opencv); the tests only read the JSON.

Impulse responses and orientation: scipy.ndimage filters *correlate*. Correlating a unit impulse with a
kernel K gives, at offset (dy, dx) from the impulse, K[c - dy][c - dx]: the kernel flipped both ways. So
every kernel read off an impulse response here is flipped back (``[::-1, ::-1]``) before it is stored.
For symmetric kernels this changes nothing; for Sobel and Prewitt it is what makes sobel-x
``[[-1,0,1],[-2,0,2],[-1,0,1]]`` (positive where brightness rises to the right) rather than its negative.

Gaussian default sigma: cv2.getGaussianKernel(size, 0) applies the rule 0.3*((size-1)/2 - 1) + 0.8 only for
sizes above 9; for sizes 1, 3, 5, 7 and 9 OpenCV 4.6 returns fixed tables instead (e.g. 5 gives
[1,4,6,4,1]/16, 9 gives [4,13,30,51,60,51,30,13,4]/256). convnet-ts always samples the Gaussian with the
rule's sigma, so `gaussian:11` and `gaussian:13` are compared with getGaussianKernel(size, 0) and the
smaller sizes with getGaussianKernel(size, rule(size)).
"""

import json
import os

import cv2
import numpy as np
import scipy
import scipy.ndimage as ndi

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "vision-kernels.json")


def impulse_response(filter_fn, size, pad=10):
    """The size x size kernel a scipy.ndimage correlation filter applies, flipped back to correlation order."""
    n = size + 2 * pad
    delta = np.zeros((n, n))
    delta[n // 2, n // 2] = 1.0
    response = filter_fn(delta)
    h = size // 2
    window = response[n // 2 - h : n // 2 + h + 1, n // 2 - h : n // 2 + h + 1]
    return window[::-1, ::-1]


def opencv_sigma(size):
    return float(f"{0.3 * ((size - 1) / 2 - 1) + 0.8:.12g}")


def gaussian_cv(size, sigma):
    g = cv2.getGaussianKernel(size, sigma, cv2.CV_64F)
    return g @ g.T


def deriv_cv(dx, dy, ksize):
    """cv2.getDerivKernels gives the row filter kx (along x) and the column filter ky: the matrix is ky ⊗ kx."""
    kx, ky = cv2.getDerivKernels(dx, dy, ksize, ktype=cv2.CV_64F)
    return ky @ kx.T


def log_kernel(size, sigma):
    radius = int(4 * sigma + 0.5)
    full = impulse_response(lambda d: ndi.gaussian_laplace(d, sigma, mode="constant"), 2 * radius + 1, pad=radius + 2)
    h, c = size // 2, radius
    cut = np.zeros((size, size))
    lo, hi = max(0, h - radius), min(size, h + radius + 1)
    cut[lo:hi, lo:hi] = full[c - (h - lo) : c + (hi - h), c - (h - lo) : c + (hi - h)]
    return cut - cut.mean()


def unsharp(size, sigma, amount):
    identity = np.zeros((size, size))
    identity[size // 2, size // 2] = 1
    return identity + amount * (identity - gaussian_cv(size, sigma))


def reference_kernels():
    """Every reference kernel as {spec, matrix (nested lists), source}; a spec may appear more than once."""
    entries = []

    def add(spec, matrix, source):
        entries.append({"spec": spec, "matrix": np.asarray(matrix, dtype=np.float64).tolist(), "source": source})

    add("identity", impulse_response(lambda d: ndi.correlate(d, np.eye(1), mode="constant"), 3), "scipy.ndimage: impulse response of the identity")
    add("sobel-x", impulse_response(lambda d: ndi.sobel(d, axis=1, mode="constant"), 3), "scipy.ndimage.sobel axis=1 impulse response, flipped back")
    add("sobel-y", impulse_response(lambda d: ndi.sobel(d, axis=0, mode="constant"), 3), "scipy.ndimage.sobel axis=0 impulse response, flipped back")
    add("sobel-x", deriv_cv(1, 0, 3), "cv2.getDerivKernels(1, 0, 3): ky ⊗ kx")
    add("sobel-y", deriv_cv(0, 1, 3), "cv2.getDerivKernels(0, 1, 3): ky ⊗ kx")
    add("prewitt-x", impulse_response(lambda d: ndi.prewitt(d, axis=1, mode="constant"), 3), "scipy.ndimage.prewitt axis=1 impulse response, flipped back")
    add("prewitt-y", impulse_response(lambda d: ndi.prewitt(d, axis=0, mode="constant"), 3), "scipy.ndimage.prewitt axis=0 impulse response, flipped back")
    add("scharr-x", deriv_cv(1, 0, cv2.FILTER_SCHARR), "cv2.getDerivKernels(1, 0, FILTER_SCHARR): ky ⊗ kx")
    add("scharr-y", deriv_cv(0, 1, cv2.FILTER_SCHARR), "cv2.getDerivKernels(0, 1, FILTER_SCHARR): ky ⊗ kx")
    laplace = impulse_response(lambda d: ndi.laplace(d, mode="constant"), 3)
    add("laplacian-4", -laplace, "minus scipy.ndimage.laplace's impulse response")
    delta = np.zeros((7, 7))
    delta[3, 3] = 1
    add("laplacian-4", -cv2.Laplacian(delta, cv2.CV_64F, ksize=1)[2:5, 2:5][::-1, ::-1], "minus cv2.Laplacian(ksize=1)'s impulse response")
    # The seed's literal tables (issue 4 and the shared brief quote them).
    add("laplacian-8", [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], "the seed's edge kernel (literal)")
    add("diagonal-ne", [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], "the seed's diagonal kernel (literal)")
    add("diagonal-nw", [[2, 1, 0], [1, 0, -1], [0, -1, -2]], "the seed's diagonal kernel (literal)")
    add("diagonal-se", [[-2, -1, 0], [-1, 0, 1], [0, 1, 2]], "the seed's diagonal kernel (literal)")
    add("diagonal-sw", [[0, -1, -2], [1, 0, -1], [2, 1, 0]], "the seed's diagonal kernel (literal)")
    seed = np.array([[1, 4, 7, 4, 1], [4, 16, 26, 16, 4], [7, 26, 41, 26, 7], [4, 16, 26, 16, 4], [1, 4, 7, 4, 1]])
    add("gaussian-seed", seed / seed.sum(), "the seed's integer 5x5 Gaussian table / its sum (273)")
    add("sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "issue 4 (literal)")
    add("emboss", [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], "issue 4 (literal)")
    add("scale", [[0.2]], "the seed's darken (literal)")
    add("scale:3", [[3]], "the seed's brighten (literal)")
    for size in (1, 3, 5, 7, 9):
        sigma = opencv_sigma(size)
        add(f"gaussian:{size}", gaussian_cv(size, sigma), f"cv2.getGaussianKernel({size}, {sigma}) ⊗ itself (rule's sigma)")
    add("gaussian", gaussian_cv(5, 1.1), "cv2.getGaussianKernel(5, 1.1) ⊗ itself")
    for size in (11, 13):
        add(f"gaussian:{size}", gaussian_cv(size, 0), f"cv2.getGaussianKernel({size}, 0) ⊗ itself (OpenCV's default sigma)")
    for size, sigma in ((5, 1.4), (7, 2), (3, 0.5), (9, 3)):
        add(f"gaussian:{size}:{sigma}", gaussian_cv(size, sigma), f"cv2.getGaussianKernel({size}, {sigma}) ⊗ itself")
    for spec, size in (("box", 3), ("box:5", 5), ("mean", 3), ("mean:7", 7)):
        add(spec, impulse_response(lambda d, s=size: ndi.uniform_filter(d, s, mode="constant"), size), f"scipy.ndimage.uniform_filter(size={size}) impulse response")
    add("box:4", np.full((4, 4), 1 / 16), "1/16 everywhere (an even window has no centre to read an impulse response around)")
    add("unsharp", unsharp(5, 1.1, 1), "identity + 1 · (identity − cv2.getGaussianKernel(5, 1.1) ⊗ itself)")
    add("unsharp:5:1:1.5", unsharp(5, 1, 1.5), "identity + 1.5 · (identity − cv2.getGaussianKernel(5, 1) ⊗ itself)")
    add("log", log_kernel(9, 1.4), "scipy.ndimage.gaussian_laplace(sigma=1.4) impulse response cut to 9x9, minus its mean")
    add("log:7:1", log_kernel(7, 1), "scipy.ndimage.gaussian_laplace(sigma=1) impulse response cut to 7x7, minus its mean")
    add("log:5:0.5", log_kernel(5, 0.5), "scipy.ndimage.gaussian_laplace(sigma=0.5) (radius 2) cut to 5x5, minus its mean")
    add("log:11:1", log_kernel(11, 1), "scipy.ndimage.gaussian_laplace(sigma=1) (radius 4) padded with zeros to 11x11, minus its mean")

    return entries


def main():
    entries = reference_kernels()
    document = {
        "generator": "scripts/reference/vision_kernels.py",
        "scipy": scipy.__version__,
        "opencv": cv2.__version__,
        "kernels": entries,
    }
    with open(OUT, "w") as f:
        json.dump(document, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"{OUT}: {len(entries)} kernels")


if __name__ == "__main__":
    main()
