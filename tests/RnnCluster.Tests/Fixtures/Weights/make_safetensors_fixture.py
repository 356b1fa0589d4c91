"""Writes python.safetensors by hand (struct + json, as the format's spec describes it), independently of the
C# writer, so the reader is checked against a file it did not produce. Keys are sorted and the header is padded
with spaces to a multiple of 8, as Hugging Face's safetensors library writes them; data follows in key order."""
import json
import os
import struct

tensors = {"a": ([2], [-1.5, 0.25]), "b": ([2, 3], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])}
header = {"__metadata__": {"source": "test"}}
data = b""
for name in sorted(tensors):
    shape, values = tensors[name]
    raw = struct.pack("<%df" % len(values), *values)
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "python.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
