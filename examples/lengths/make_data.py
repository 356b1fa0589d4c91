"""Writes the variable-length example's data: sequences of 5 to 40 real values (random padding after them), their
lengths, and as the target half the difference between the last real value and the first. A model that read the
padding would take a padding value for the last one; one direction alone must carry the first value across the
whole sequence; a bidirectional GRU reads each sequence to its last real step and back from there, so each end is
its direction's latest step.
x [N, 40, 1], lengths [N], y [N, 1], float32. Plain Python, no packages.
Usage: python3 make_data.py [OUT.safetensors] [SAMPLES] [SEED]"""
import json, random, struct, sys
from array import array

out, samples, seed = (sys.argv[1:] + ["lengths.safetensors", "4000", "11"][len(sys.argv) - 1:])[:3]
samples, T = int(samples), 40
rng = random.Random(int(seed))
x, lengths, y = array("f"), array("f"), array("f")
for _ in range(samples):
    length = rng.randint(5, T)
    values = [rng.uniform(-1, 1) for _ in range(length)]
    y.append((values[-1] - values[0]) / 2)
    lengths.append(length)
    x.extend(values + [rng.uniform(-1, 1) for _ in range(T - length)])  # padding that must not be read

tensors = [("x", [samples, T, 1], x), ("lengths", [samples], lengths), ("y", [samples, 1], y)]
header, offset = {}, 0
for name, shape, values in tensors:
    if sys.byteorder != "little":
        values.byteswap()
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * len(values)]}
    offset += 4 * len(values)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(values.tobytes() for _, _, values in tensors))
mean = sum(y) / samples
print(f"{out}: {samples} sequences of 5-{T} steps; predicting the mean scores MSE {sum((v - mean) ** 2 for v in y) / samples:.4f}")
