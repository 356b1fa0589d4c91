"""A safetensors writer for the examples' data scripts: float32 tensors, plain Python, no packages."""
import json, struct, sys


def write(path, tensors):
    """Writes `tensors`, a list of (name, shape, array('f')), to `path` in the safetensors format."""
    header, offset = {}, 0
    for name, shape, values in tensors:
        if sys.byteorder != "little":
            values.byteswap()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * len(values)]}
        offset += 4 * len(values)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(values.tobytes() for _, _, values in tensors))
