"""Writes a fresh adding-problem test set, drawn independently of the trainer's generator, as a safetensors file
that `rnn-cluster evaluate --input` reads: x [N, T, 2] = (value uniform in [0, 1), marker), exactly one marker in
each half, y [N, 1] = the sum of the two marked values. Plain Python, no packages needed.
Usage: python3 make_test_set.py [OUT.safetensors] [SAMPLES] [TIMESTEPS] [SEED]"""
import json, random, struct, sys
from array import array

out, samples, timesteps, seed = (sys.argv[1:] + ["adding_test.safetensors", "2000", "100", "2026"][len(sys.argv) - 1:])[:4]
samples, timesteps = int(samples), int(timesteps)
rng = random.Random(int(seed))
half = timesteps // 2
x, y = array("f"), array("f")
for _ in range(samples):
    values = array("f", (rng.random() for _ in range(timesteps)))
    first, second = rng.randrange(half), rng.randrange(half, timesteps)
    for t in range(timesteps):
        x.extend((values[t], 1.0 if t in (first, second) else 0.0))
    y.append(values[first] + values[second])

if sys.byteorder != "little":
    x.byteswap()
    y.byteswap()
header = {"x": {"dtype": "F32", "shape": [samples, timesteps, 2], "data_offsets": [0, 4 * len(x)]},
          "y": {"dtype": "F32", "shape": [samples, 1], "data_offsets": [4 * len(x), 4 * (len(x) + len(y))]}}
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + x.tobytes() + y.tobytes())
mean = sum(y) / samples
print(f"{out}: {samples} sequences of {timesteps} steps; predicting the mean scores MSE {sum((v - mean) ** 2 for v in y) / samples:.4f}")
