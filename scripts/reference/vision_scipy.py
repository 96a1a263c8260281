"""A second, independent reference for vision.applyKernel, from scipy.ndimage: test/fixtures/vision-scipy.json.

    /usr/bin/python3 scripts/reference/vision_scipy.py

Needs numpy, scipy (Debian python3-scipy; written against 1.10) and PIL; the test only reads the JSON. The
first reference (scripts/reference/cases_vision.py) pads with torch.nn.functional.pad and filters with
F.conv2d; this one never touches PyTorch, OpenCV or convnet-ts.

Input: rows 100-111 and columns 120-133 (a 12 x 14 crop) of data/images/chelsea.png, read with PIL as RGB,
divided by 255, float64, laid out (3, H, W). 12 x 14 leaves room for reflect padding of the 9 x 9 `log`
kernel (PyTorch's reflect, and so convnet-ts's, needs a border smaller than the image).

Kernels: every named kernel of src/vision/kernels.ts's KERNEL_DEFINITIONS with its default parameters,
built here from the definitions (numpy; `log` from scipy.ndimage.gaussian_laplace's impulse response), not
read from convnet-ts. The test checks each matrix against vision.kernel(spec).matrix to 1e-12, and that the
spec's defaults give the canonical name stored here (so a changed default fails there, not silently here).

Cases, per kernel: 'same' padding x the four padding modes x {correlation, convolution}, and one 'valid'
correlation. Each channel is filtered on its own:

    correlation  scipy.ndimage.correlate(channel, K, mode=MODE, cval=0)
    convolution  scipy.ndimage.convolve(channel, K, mode=MODE, cval=0)   (K flipped both ways; odd sizes only,
                                                                          so scipy's origin shift never applies)

with the padding modes mapped as follows (scipy.ndimage's names differ from numpy.pad's and PyTorch's):

    convnet-ts  scipy.ndimage  numpy.pad   border of [a b c d]
    zeros       'constant'     'constant'  0 0 | a b c d | 0 0
    reflect     'mirror'       'reflect'   c b | a b c d | c b   (edge not repeated; scipy's 'reflect' repeats it)
    replicate   'nearest'      'edge'      a a | a b c d | d d
    circular    'wrap'         'wrap'      c d | a b c d | a b

check_modes() asserts this table on small arrays before anything is written: scipy's correlate and convolve
against an explicit sum over a numpy.pad-ed array, with a border as deep as the 9 x 9 kernel's on a 5 x 6
image. 'valid' is the 'same' correlation (mode 'constant') cropped by kH // 2 rows and kW // 2 columns on
each side: those positions never read the border, so the mode does not matter.

Outputs are raw values (convnet-ts's output: 'none'), flattened (C, H, W) row-major and rounded to 10
significant digits; the input is stored once at full precision. To keep the file small, each distinct
rounded output is stored once in "outputs" and a case names its output by index. Cases that share one
(198 cases, 126 outputs): a symmetric kernel's convolution and its correlation; box and mean (the same
kernel); diagonal-ne's convolution and diagonal-sw's correlation (each is the other flipped), likewise nw
and se; identity and the 1 x 1 scale across padding modes (they never read the border; scale's 'valid'
too). Sharing is by exact equality of the rounded values, so every case's values are still the ones scipy
computed for it.
"""

import json
import os

import numpy as np
import scipy
import scipy.ndimage as ndi
from PIL import Image

HERE = os.path.dirname(__file__)
IMAGE = os.path.join(HERE, "..", "..", "data", "images", "chelsea.png")
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "vision-scipy.json")
CROP = (slice(100, 112), slice(120, 134))
SCIPY_MODE = {"zeros": "constant", "reflect": "mirror", "replicate": "nearest", "circular": "wrap"}
NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
DIGITS = 10


def gaussian_1d(size, sigma):
    """exp(-x^2 / 2 sigma^2) at integer offsets from the centre, normalised to sum 1."""
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x * x) / (2 * sigma * sigma))
    return g / g.sum()


def gaussian(size, sigma):
    g = gaussian_1d(size, sigma)
    return np.outer(g, g)


def identity(size):
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1
    return k


def log(size, sigma):
    """scipy.ndimage.gaussian_laplace's kernel (read off an impulse), cut to size x size, minus its mean."""
    radius = int(4 * sigma + 0.5)
    n = 2 * radius + 1 + 2 * size
    delta = np.zeros((n, n))
    delta[n // 2, n // 2] = 1
    response = ndi.gaussian_laplace(delta, sigma, mode="constant")
    h = size // 2
    # correlate(delta, K) at offset d from the impulse is K[c - d]: flip back (symmetric here anyway).
    cut = response[n // 2 - h : n // 2 + h + 1, n // 2 - h : n // 2 + h + 1][::-1, ::-1]
    return cut - cut.mean()


D = np.array([-1, 0, 1])
SEED_GAUSSIAN = np.array([[1, 4, 7, 4, 1], [4, 16, 26, 16, 4], [7, 26, 41, 26, 7], [4, 16, 26, 16, 4], [1, 4, 7, 4, 1]])

# spec -> (canonical name with the defaults, matrix in correlation orientation). Defaults: gaussian SIZE 5,
# SIGMA by OpenCV's rule 0.3*((5-1)/2 - 1) + 0.8 = 1.1; box/mean SIZE 3; unsharp 5, 1.1, AMOUNT 1; log SIZE 9,
# SIGMA 1.4; scale F 0.2.
KERNELS = {
    "identity": ("identity", identity(3)),
    "sobel-x": ("sobel-x", np.outer([1, 2, 1], D)),
    "sobel-y": ("sobel-y", np.outer(D, [1, 2, 1])),
    "prewitt-x": ("prewitt-x", np.outer([1, 1, 1], D)),
    "prewitt-y": ("prewitt-y", np.outer(D, [1, 1, 1])),
    "scharr-x": ("scharr-x", np.outer([3, 10, 3], D)),
    "scharr-y": ("scharr-y", np.outer(D, [3, 10, 3])),
    "diagonal-ne": ("diagonal-ne", [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]),
    "diagonal-nw": ("diagonal-nw", [[2, 1, 0], [1, 0, -1], [0, -1, -2]]),
    "diagonal-se": ("diagonal-se", [[-2, -1, 0], [-1, 0, 1], [0, 1, 2]]),
    "diagonal-sw": ("diagonal-sw", [[0, -1, -2], [1, 0, -1], [2, 1, 0]]),
    "laplacian-4": ("laplacian-4", [[0, -1, 0], [-1, 4, -1], [0, -1, 0]]),
    "laplacian-8": ("laplacian-8", [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "gaussian": ("gaussian:5:1.1", gaussian(5, 1.1)),
    "gaussian-seed": ("gaussian-seed", SEED_GAUSSIAN / 273),
    "box": ("box:3", np.full((3, 3), 1 / 3) * (1 / 3)),
    "mean": ("mean:3", np.full((3, 3), 1 / 3) * (1 / 3)),
    "sharpen": ("sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "unsharp": ("unsharp:5:1.1:1", identity(5) + 1 * (identity(5) - gaussian(5, 1.1))),
    "emboss": ("emboss", [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "log": ("log:9:1.4", log(9, 1.4)),
    "scale": ("scale:0.2", [[0.2]]),
}


def padded_correlation(x, k, mode):
    """The reference's reference: pad with numpy.pad, then sum k[i][j] * xp[y + i][x + j] explicitly."""
    kh, kw = k.shape
    xp = np.pad(x, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode=NUMPY_MODE[mode])
    out = np.zeros_like(x)
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * xp[i : i + x.shape[0], j : j + x.shape[1]]
    return out


def check_modes():
    """The mode table of the header, asserted: scipy.ndimage == numpy.pad + explicit sums."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 6))
    for shape in ((3, 5), (9, 9), (1, 1)):
        k = rng.standard_normal(shape)
        for mode in SCIPY_MODE:
            expected = padded_correlation(x, k, mode)
            got = ndi.correlate(x, k, mode=SCIPY_MODE[mode], cval=0)
            assert np.allclose(got, expected, rtol=0, atol=1e-12), (mode, shape)
            got = ndi.convolve(x, k, mode=SCIPY_MODE[mode], cval=0)
            assert np.allclose(got, padded_correlation(x, k[::-1, ::-1], mode), rtol=0, atol=1e-12), (mode, shape)
    # The table's border column, on one row.
    row = np.array([[1.0, 2, 3, 4]])
    left = np.array([[1.0, 0, 0]])  # correlating with [1, 0, 0] reads the left neighbour: out[x] = in[x - 1]
    assert ndi.correlate(row, left, mode="constant", cval=0).tolist() == [[0, 1, 2, 3]]
    assert ndi.correlate(row, left, mode="mirror").tolist() == [[2, 1, 2, 3]]
    assert ndi.correlate(row, left, mode="nearest").tolist() == [[1, 1, 2, 3]]
    assert ndi.correlate(row, left, mode="wrap").tolist() == [[4, 1, 2, 3]]


def crop():
    rgb = np.asarray(Image.open(IMAGE).convert("RGB"), dtype=np.float64) / 255
    return np.ascontiguousarray(rgb[CROP].transpose(2, 0, 1))


def filtered(image, k, mode, convolve):
    fn = ndi.convolve if convolve else ndi.correlate
    return np.stack([fn(channel, k, mode=SCIPY_MODE[mode], cval=0) for channel in image])


def rounded(values):
    return [float(f"{v:.{DIGITS}g}") for v in np.asarray(values).ravel()]


def main():
    check_modes()
    image = crop()
    kernels = []
    cases = []
    outputs = []  # distinct rounded outputs; a case names its output by index
    index = {}

    def add(spec, options, out):
        values = rounded(out)
        key = (tuple(out.shape), tuple(values))
        if key not in index:
            index[key] = len(outputs)
            outputs.append({"shape": list(out.shape), "values": values})
        cases.append({"kernel": spec, "options": options, "output": index[key]})

    for spec, (canonical, matrix) in KERNELS.items():
        k = np.asarray(matrix, dtype=np.float64)
        assert k.shape[0] % 2 == 1 and k.shape[1] % 2 == 1, spec
        kernels.append({"spec": spec, "name": canonical, "matrix": k.tolist()})
        for mode in SCIPY_MODE:
            for convolve in (False, True):
                add(spec, {"padding": "same", "paddingMode": mode, "convolve": convolve}, filtered(image, k, mode, convolve))
        h, w = k.shape[0] // 2, k.shape[1] // 2
        same = filtered(image, k, "zeros", False)
        out = same[:, h : same.shape[1] - h, w : same.shape[2] - w]
        assert out.shape[1:] == (image.shape[1] - k.shape[0] + 1, image.shape[2] - k.shape[1] + 1)
        add(spec, {"padding": "valid", "convolve": False}, out)
    document = {
        "generator": "scripts/reference/vision_scipy.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "image": f"data/images/chelsea.png rows {CROP[0].start}-{CROP[0].stop - 1}, columns {CROP[1].start}-{CROP[1].stop - 1}, RGB / 255",
        "digits": DIGITS,
        "input": {"shape": list(image.shape), "values": image.ravel().tolist()},
        "kernels": kernels,
        "cases": cases,
        "outputs": outputs,
    }
    with open(OUT, "w") as f:
        json.dump(document, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"{os.path.normpath(OUT)}: {len(kernels)} kernels, {len(cases)} cases, {len(outputs)} distinct outputs, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
