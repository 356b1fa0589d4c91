"""Writes a fresh adding-problem test set, drawn independently of the trainer's generator, as a safetensors file
that `rnn-cluster evaluate --input` reads: x [N, T, 2] = (value uniform in [0, 1), marker), exactly one marker in
each half, y [N, 1] = the sum of the two marked values.
Usage: python3 make_test_set.py [OUT.safetensors] [SAMPLES] [TIMESTEPS] [SEED]   (needs numpy)"""
import json, struct, sys
import numpy as np

out, samples, timesteps, seed = (sys.argv[1:] + ["adding_test.safetensors", "2000", "100", "2026"][len(sys.argv) - 1:])[:4]
samples, timesteps = int(samples), int(timesteps)
rng = np.random.default_rng(int(seed))
half = timesteps // 2
x = np.zeros((samples, timesteps, 2), dtype="<f4")
x[:, :, 0] = rng.random((samples, timesteps), dtype=np.float32)
first = rng.integers(0, half, samples)
second = rng.integers(half, timesteps, samples)
rows = np.arange(samples)
x[rows, first, 1] = 1
x[rows, second, 1] = 1
y = (x[rows, first, 0] + x[rows, second, 0]).reshape(samples, 1).astype("<f4")

header, offset = {}, 0
for name, array in (("x", x), ("y", y)):
    header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
    offset += array.nbytes
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + x.tobytes() + y.tobytes())
print(f"{out}: {samples} sequences of {timesteps} steps; predicting the mean scores MSE {np.var(y):.4f}")
