"""Writes the safetensors interop fixtures under test/fixtures/ for test/safetensors.test.ts.

    /usr/bin/python3 scripts/reference/make_safetensors_fixture.py

- safetensors-torch.safetensors: PyTorch tensors of every dtype a checkpoint commonly holds (F64, F32, F16,
  BF16, I64, I32, I16, I8, U8, BOOL), a 0-d scalar, an empty tensor and metadata, laid out by hand with
  struct and json straight from the format's definition, in an order that leaves some tensors unaligned.
- safetensors-official.safetensors: the same tensors written by the reference `safetensors` package.
- safetensors-writable.safetensors: tensors of the dtypes convnet-ts writes (F64, F32, I32), written by the
  reference package; `saveSafetensors` must reproduce it byte for byte.
- safetensors.json: the values convnet-ts must load from those files (F16/BF16 exactly, as float32).

The reference package is optional: Debian has no python3-safetensors, but machine images of this workplace
carry its wheel, which can be used without installing it:

    mkdir /tmp/st && python3 -m zipfile -e /opt/pypi/files/safetensors-*.whl /tmp/st
    PYTHONPATH=/tmp/st /usr/bin/python3 scripts/reference/make_safetensors_fixture.py

Without it, the two files it writes are left as they are (and the hand-made one is still written). With
it, the hand-made file is also checked by the reference loader.
"""

import json
import os
import struct

import torch

FIXTURE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures")

# The safetensors dtype of each torch dtype, the integer view that holds the same bits, and its struct code.
DTYPES = {
    torch.float64: ("F64", torch.int64, "q"),
    torch.float32: ("F32", torch.int32, "i"),
    torch.float16: ("F16", torch.int16, "h"),
    torch.bfloat16: ("BF16", torch.int16, "h"),
    torch.int64: ("I64", torch.int64, "q"),
    torch.int32: ("I32", torch.int32, "i"),
    torch.int16: ("I16", torch.int16, "h"),
    torch.int8: ("I8", torch.int8, "b"),
    torch.uint8: ("U8", torch.uint8, "B"),
    torch.bool: ("BOOL", torch.uint8, "B"),
}


def interop_tensors():
    """Every dtype, in an order (2-byte dtypes first) that leaves the wider ones unaligned."""
    g = torch.Generator().manual_seed(0)
    return {
        "half": torch.tensor([1.0, -2.5, 65504.0, 2.0**-24, 0.1, -0.0], dtype=torch.float16),
        "bfloat16": torch.tensor([1.0, -3.140625, 1e38, 1.0 / 3.0], dtype=torch.bfloat16),
        "bool": torch.tensor([True, False, True]),
        "conv.weight": torch.randn(2, 1, 2, 2, generator=g),
        "float64": torch.tensor([1.0 / 3.0, -1e300, 5e-324], dtype=torch.float64),
        "int64": torch.tensor([-(2**31), 2**31 - 1, 0, -7], dtype=torch.int64),
        "int32": torch.tensor([[-(2**31), 2**31 - 1], [0, 12]], dtype=torch.int32),
        "int16": torch.tensor([-32768, 5, 32767], dtype=torch.int16),
        "int8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "uint8": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
        "scalar": torch.tensor(2.75),
        "empty": torch.zeros(0, 3),
    }


INTEROP_METADATA = {"format": "pt", "note": "ünïcode ✓"}


def writable_tensors():
    """Only F64, F32 and I32, with names that sort differently by UTF-16 unit and by code point."""
    g = torch.Generator().manual_seed(1)
    return {
        "b.weight": torch.randn(2, 3, generator=g),
        "a.bias": torch.randn(2, generator=g, dtype=torch.float64),
        "steps": torch.tensor([3, -1, 2**31 - 1], dtype=torch.int32),
        "scalar": torch.tensor(-0.5),
        "empty": torch.zeros(0, 2),
        "\uff01": torch.tensor([1.0]),
        "\U0001f600": torch.tensor([2.0]),
    }


WRITABLE_METADATA = {"format": "pt"}


def write_by_hand(path, tensors, metadata):
    """The format itself: u64 header length, space-padded JSON header, then the raw little-endian bytes."""
    header = {"__metadata__": metadata}
    data = b""
    for name, t in tensors.items():
        dtype, bits, code = DTYPES[t.dtype]
        values = t.contiguous().view(bits).reshape(-1).tolist()
        raw = struct.pack(f"<{len(values)}{code}", *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def expected(tensors, metadata):
    """What convnet-ts loads: float32/float64/int32 values, flattened row-major."""

    def one(t):
        dtype = DTYPES[t.dtype][0]
        loads_as = "float64" if dtype == "F64" else "float32" if t.is_floating_point() else "int32"
        values = t.to(torch.float64 if t.is_floating_point() else torch.int64).reshape(-1).tolist()
        return {"dtype": dtype, "loadsAs": loads_as, "shape": list(t.shape), "values": values}

    return {"metadata": metadata, "tensors": {name: one(t) for name, t in tensors.items()}}


def main():
    interop = interop_tensors()
    writable = writable_tensors()
    by_hand = os.path.join(FIXTURE_DIR, "safetensors-torch.safetensors")
    write_by_hand(by_hand, interop, INTEROP_METADATA)
    with open(os.path.join(FIXTURE_DIR, "safetensors.json"), "w", encoding="utf-8") as f:
        json.dump(
            {"interop": expected(interop, INTEROP_METADATA), "writable": expected(writable, WRITABLE_METADATA)},
            f,
            ensure_ascii=False,
            indent=1,
        )
        f.write("\n")
    try:
        import safetensors.torch
    except ImportError:
        print("safetensors is not importable: left the reference package's files as they are")
        return
    safetensors.torch.save_file(
        interop, os.path.join(FIXTURE_DIR, "safetensors-official.safetensors"), metadata=INTEROP_METADATA
    )
    safetensors.torch.save_file(
        writable, os.path.join(FIXTURE_DIR, "safetensors-writable.safetensors"), metadata=WRITABLE_METADATA
    )
    loaded = safetensors.torch.load_file(by_hand)
    assert loaded.keys() == interop.keys(), "the reference loader found other tensors in the hand-made file"
    for name, t in interop.items():
        assert loaded[name].dtype == t.dtype and torch.equal(loaded[name], t), f"{name} differs"
    print(f"the reference safetensors {safetensors.__version__} reads the hand-made file identically")


if __name__ == "__main__":
    main()
