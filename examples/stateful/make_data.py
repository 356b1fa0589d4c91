"""Writes the stateful example's data: one long series of noise cut into consecutive windows, and as each step's
target the value DELAY steps earlier. Within a window a model can learn to hold a value for DELAY steps; the first
DELAY steps of every window need values of the window before, which only a state carried from it can hold, so a
model that starts every window from zero cannot score better than half the noise's variance on them.
x [N, T, 1], y [N, T, 1], float32, windows in the series' order. Plain Python, no packages.
Usage: python3 make_data.py [OUT.safetensors] [WINDOWS] [SEED]"""
import os, random, sys
from array import array

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import safetensors_f32  # noqa: E402  (examples/safetensors_f32.py)

out, windows, seed = (sys.argv[1:] + ["echo.safetensors", "4000", "11"][len(sys.argv) - 1:])[:3]
windows, T, DELAY = int(windows), 10, 4
rng = random.Random(int(seed))
series = [rng.uniform(-1, 1) for _ in range(windows * T)]
x = array("f", series)
y = array("f", [series[i - DELAY] if i >= DELAY else 0.0 for i in range(len(series))])

tensors = [("x", [windows, T, 1], x), ("y", [windows, T, 1], y)]
safetensors_f32.write(out, tensors)
variance = sum(v * v for v in series) / len(series)
print(f"{out}: {windows} windows of {T} steps, each step's target the value {DELAY} steps before; "
      f"without a carried state the first {DELAY} steps of a window score MSE {variance:.4f}, the whole window {variance * DELAY / T:.4f}")
