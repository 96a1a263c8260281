"""A safetensors reader and writer for PyTorch 1.13, which predates the `safetensors` package.

The format: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON
({"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}),
then the tensors' little-endian bytes, offsets counted from the end of the header.
"""

import json
import struct

import torch

DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}


def load(path):
    """The tensors and metadata of the safetensors file at path."""
    with open(path, "rb") as file:
        data = file.read()
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise ValueError(f"{path}: header length {length} runs past the end of the file")
    header = json.loads(data[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    base = 8 + length
    tensors = {}
    for key, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = bytearray(data[base + begin : base + end])
        dtype = DTYPES[entry["dtype"]]
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[key] = flat.reshape(entry["shape"])
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes tensors (and string metadata) to path as a safetensors file, keys sorted."""
    header = {"__metadata__": dict(metadata)} if metadata else {}
    blobs = []
    offset = 0
    for key in sorted(tensors):
        tensor = tensors[key].detach().cpu().contiguous()
        blob = tensor.numpy().tobytes()
        header[key] = {"dtype": NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for blob in blobs:
            file.write(blob)
