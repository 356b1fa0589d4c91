"""Writes the variable-length example's data: sequences of 5 to 40 real values (random padding after them), their
lengths, and as the target half the difference between the last real value and the first. A model that read the
padding would take a padding value for the last one; one direction alone must carry the first value across the
whole sequence; a bidirectional GRU reads each sequence to its last real step and back from there, so each end is
its direction's latest step.
x [N, 40, 1], lengths [N], y [N, 1], float32. Plain Python, no packages.
Usage: python3 make_data.py [OUT.safetensors] [SAMPLES] [SEED]"""
import os, random, sys
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import safetensors_f32  # noqa: E402  (examples/safetensors_f32.py)

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
safetensors_f32.write(out, tensors)
mean = sum(y) / samples
print(f"{out}: {samples} sequences of 5-{T} steps; predicting the mean scores MSE {sum((v - mean) ** 2 for v in y) / samples:.4f}")
