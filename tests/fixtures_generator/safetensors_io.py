"""Writes safetensors files of float32 (and int64) tensors, by hand (the `safetensors` package is not installed).

Layout: an 8-byte little-endian u64 header length, a JSON header
{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {str: str}},
padded with spaces to a multiple of 8 bytes, then the raw little-endian float32 data of every tensor.
"""

import json
import struct

import numpy as np


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> array-like) in the given order, with optional string metadata: integer tensors
    (token ids, class ids, lengths) as int64 ("I64", as PyTorch stores them), everything else as float32."""
    header = {}
    blobs = []
    offset = 0
    for name, value in tensors.items():
        integral = hasattr(value, "dtype") and str(value.dtype) in ("torch.int64", "int64")
        array = np.ascontiguousarray(np.asarray(value, dtype="<i8" if integral else "<f4"))
        data = array.tobytes()
        header[name] = {"dtype": "I64" if integral else "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {key: str(value) for key, value in metadata.items()}
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(header_bytes)))
        stream.write(header_bytes)
        for blob in blobs:
            stream.write(blob)

