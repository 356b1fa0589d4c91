"""Trains stateful models in PyTorch the way `rnn-cluster train` must (docs/stateful.md), and writes what a test
needs to compare.

Run from the repository root, with Debian's PyTorch 1.13 (CPU):

    /usr/bin/python3 tests/fixtures_generator/train_stateful_reference.py

CI never runs this script: it only reads the committed files in tests/RnnCluster.Tests/Fixtures/PyTorch/Stateful/.

The run: N=20 windows (T=5, I=2, y [20,1]) in file order, cut into S=3 streams of consecutive windows, stream s
being windows [floor(s*N/S), floor((s+1)*N/S)): 6, 7 and 7 windows. Minibatch k holds window k of every stream that
has one, in stream order, so the last minibatch of an epoch (k=6) holds streams 1 and 2 only. Each stateful layer's
state after a stream's window (h, and the LSTM's c) starts that stream's next window, detached (the gradient stops
at the window's start); every stream starts each epoch from zero. A layer that is not stateful starts every window
from zero. 2 epochs, mean MSE, Adam (lr 0.01, Keras's betas and epsilon), no dropout.

Validation (the `lstm` case, data.validationPath): the V=8 windows of `validation.safetensors` as min(S, V) = 3 streams
of 2, 3 and 3 windows, every stream from a zero state carried from its window to the next, after each epoch; the
epoch's valLoss is the mean squared error over all of them; the trained model's outputs for those windows, read so,
are what `predict` must give.

Cases:
- `lstm`: lstm(8, stateful) -> dense(1), with validation.
- `stacked`: rnn(6, stateful, returnSequences) -> lstm(5, not stateful, returnSequences) -> gru(4, stateful) -> dense(1).

Files: `data.safetensors` and `validation.safetensors` (`x`, `y`); `<case>.json` (the config in OUR format), `<case>.init.safetensors` (PyTorch's
initial weights), `<case>.final.safetensors` (the weights after training; its metadata holds every step's loss, and each epoch's valLoss and the final model's validation outputs where validated).
"""

import json
import os

import torch

from reference_model import ACTIVATIONS, RECURRENT, ReferenceModel, loss_of, optimizer_of
from safetensors_io import write_safetensors

OUTPUT_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "RnnCluster.Tests", "Fixtures", "PyTorch", "Stateful")
DATA_FILE, VALIDATION_FILE = "data.safetensors", "validation.safetensors"
SAMPLES, VALIDATION_SAMPLES, TIMESTEPS, INPUTS, STREAMS, EPOCHS = 20, 8, 5, 2, 3, 2
DATA_SEED, VALIDATION_SEED = 2025, 2026
CASES = {
    "lstm": (301, True, [{"type": "lstm", "units": 8, "stateful": True}, {"type": "dense", "units": 1}]),
    "stacked": (302, False, [
        {"type": "rnn", "units": 6, "returnSequences": True, "stateful": True},
        {"type": "lstm", "units": 5, "returnSequences": True},
        {"type": "gru", "units": 4, "stateful": True},
        {"type": "dense", "units": 1},
    ]),
}


def dataset(samples, seed):
    """A target that needs the stream's past: this window's first feature summed, plus the previous window's."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(samples, TIMESTEPS, INPUTS, generator=generator)
    window_sums = x[:, :, 0].sum(dim=1, keepdim=True)
    previous = torch.cat([torch.zeros(1, 1), window_sums[:-1]])
    return x, 0.2 * window_sums + 0.3 * previous


def streams(samples, count):
    starts = [s * samples // count for s in range(count + 1)]
    return [(starts[s], starts[s + 1] - starts[s]) for s in range(count)]


def config_of(seed, validated, layers):
    data = {"source": "safetensors", "path": DATA_FILE, "streams": STREAMS}
    if validated:
        data["validationPath"] = VALIDATION_FILE
    return {
        "model": {"inputSize": INPUTS, "layers": layers},
        "data": data,
        "training": {
            "epochs": EPOCHS, "loss": "mse", "shuffle": False, "seed": seed, "groupSize": 1,
            "optimizer": {"type": "adam", "learningRate": 0.01},
        },
    }


def forward(model, x, states):
    """The model on x, each stateful layer started from states[index] ([n, H] or (h, c)); returns its output and new states."""
    h, ends = x, {}
    for index, spec in enumerate(model.specs):
        kind = spec["type"]
        if kind in RECURRENT:
            start = states.get(index) if spec.get("stateful", False) else None
            h, end = model.layers[index](h, start)
            if spec.get("stateful", False):
                ends[index] = end
            if not spec.get("returnSequences", False):
                h = h[:, -1, :]
        elif kind == "dense":
            h = ACTIVATIONS[spec.get("activation", "linear")](model.layers[index](h))
    return h, ends


def zero_states(model, dtype, count):
    states = {}
    for index, spec in enumerate(model.specs):
        if spec["type"] in RECURRENT and spec.get("stateful", False):
            zero = torch.zeros(1, count, spec["units"], dtype=dtype)
            states[index] = (zero, zero.clone()) if spec["type"] == "lstm" else zero
    return states


def rows(state, alive):
    return tuple(part[:, alive, :] for part in state) if isinstance(state, tuple) else state[:, alive, :]


def put_rows(state, alive, new):
    if isinstance(state, tuple):
        return tuple(put_rows(part, alive, new_part) for part, new_part in zip(state, new))
    state = state.clone()
    state[:, alive, :] = new.detach()
    return state


def windows_in_stream_order(model, x, count, step):
    """Runs `step(ids, output)` on window k of every stream that has one, for k = 0, 1, ..., carrying the states."""
    layout = streams(len(x), count)
    states = zero_states(model, x.dtype, count)
    for k in range(max(length for _, length in layout)):
        alive = [s for s, (_, length) in enumerate(layout) if k < length]
        ids = [layout[s][0] + k for s in alive]
        output, ends = forward(model, x[ids], {i: rows(state, alive) for i, state in states.items()})
        step(ids, output)
        states = {i: put_rows(state, alive, ends[i]) for i, state in states.items()}


def run(config, data, validation, initial):
    (x, y), dtype = data, data[0].dtype
    model = ReferenceModel(config["model"]).to(dtype)
    named = model.contract_parameters()
    with torch.no_grad():
        for name, p in named:
            p.copy_(initial[name])
    optimizer = optimizer_of(config["training"]["optimizer"], [p for _, p in named])
    losses, validation_losses = [], []

    def train_step(ids, output):
        optimizer.zero_grad()
        loss = loss_of("mse", output, y[ids])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    for _ in range(EPOCHS):
        windows_in_stream_order(model, x, STREAMS, train_step)
        if validation is None:
            continue
        (vx, vy), squares = validation, []
        with torch.no_grad():
            windows_in_stream_order(model, vx, min(STREAMS, len(vx)),
                                    lambda ids, output: squares.append(((output - vy[ids]) ** 2).sum().item()))
        validation_losses.append(sum(squares) / vy.numel())
    predictions = None
    if validation is not None:
        vx, predictions = validation[0], torch.zeros(len(validation[0]), 1, dtype=dtype)

        def keep(ids, output):
            predictions[ids] = output.detach()

        with torch.no_grad():
            windows_in_stream_order(model, vx, min(STREAMS, len(vx)), keep)
    return {name: p.detach().clone() for name, p in named}, losses, validation_losses, predictions


def train(case, data, validation):
    seed, validated, layers = CASES[case]
    config = config_of(seed, validated, layers)
    validation = validation if validated else None
    torch.manual_seed(seed)
    initial = {name: p.detach().clone() for name, p in ReferenceModel(config["model"]).contract_parameters()}
    final, losses, validation_losses, predictions = run(config, data, validation, initial)
    exact, _, _, _ = run(config, tuple(t.double() for t in data), validation and tuple(t.double() for t in validation), initial)
    metadata = {"config": f"{case}.json", "minibatchLosses": json.dumps(losses), "torch": torch.__version__}
    if validated:
        metadata["valLosses"] = json.dumps(validation_losses)
        metadata["valPredictions"] = json.dumps(predictions.reshape(-1).tolist())
    write_safetensors(os.path.join(OUTPUT_DIR, f"{case}.init.safetensors"), initial)
    write_safetensors(os.path.join(OUTPUT_DIR, f"{case}.final.safetensors"), final, metadata)
    with open(os.path.join(OUTPUT_DIR, f"{case}.json"), "w") as stream:
        json.dump(config, stream, indent=2)
        stream.write("\n")
    moved = max((final[k] - initial[k]).abs().max().item() for k in final)
    off = max((final[k].double() - exact[k]).abs().max().item() for k in final)
    print(f"{case:8s} loss {losses[0]:.5f} -> {losses[-1]:.5f} over {len(losses)} steps; "
          f"largest weight change {moved:.1e}; float32-vs-float64 {off:.1e}")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    data, validation = dataset(SAMPLES, DATA_SEED), dataset(VALIDATION_SAMPLES, VALIDATION_SEED)
    write_safetensors(os.path.join(OUTPUT_DIR, DATA_FILE), dict(zip("xy", data)))
    write_safetensors(os.path.join(OUTPUT_DIR, VALIDATION_FILE), dict(zip("xy", validation)))
    for case in CASES:
        train(case, data, validation)


if __name__ == "__main__":
    main()
