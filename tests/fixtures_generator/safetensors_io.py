"""Writes safetensors files of float32 tensors, by hand (the `safetensors` package is not installed).

Layout: an 8-byte little-endian u64 header length, a JSON header
{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {str: str}},
padded with spaces to a multiple of 8 bytes, then the raw little-endian float32 data of every tensor.
"""

import json
import struct

import numpy as np


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> array-like, stored as float32) in the given order, with optional string metadata."""
    header = {}
    blobs = []
    offset = 0
    for name, value in tensors.items():
        array = np.ascontiguousarray(np.asarray(value, dtype="<f4"))
        data = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
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

