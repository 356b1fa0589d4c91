"""Trains small models in PyTorch the way `rnn-cluster train` must, and writes what a test needs to compare.

Run from the repository root, with Debian's PyTorch 1.13 (CPU):

    /usr/bin/python3 tests/fixtures_generator/train_reference.py

CI never runs this script: it only reads the committed files in tests/RnnCluster.Tests/Fixtures/PyTorch/Training/.
The output is the same bytes on every run on one machine (fixed seeds, one thread, float32).

The run: for each cell type (rnn, lstm, gru), recurrent(8) -> dense(1) on one dataset of N=37 sequences
(T=6, I=2, y [37,1]), minibatches of 8 in dataset order (no shuffle), so each epoch ends with a partial
minibatch of 5 (37 = 4*8 + 5) whose loss is its own mean; 2 epochs; mean MSE; no dropout; no clipping;
Adam with Keras defaults (lr 0.001, betas 0.9/0.999, epsilon 1e-7) in PyTorch's form.

Files:
- `data.safetensors`: `x` [37,6,2] and `y` [37,1], shared by the three configs.
- `<cell>.json`: the config in OUR format (docs/contract.md), data source `data.safetensors` relative to it.
- `<cell>.init.safetensors`: the initial weights (PyTorch's default initialisation) under the names of docs/contract.md,
  for `rnn-cluster train --config <cell>.json --init-weights <cell>.init.safetensors`.
- `<cell>.final.safetensors`: the weights after training, which `model.safetensors` must match within 2e-5.
  Its `__metadata__` holds the loss of every minibatch step, in order, as a JSON list.
"""

import json
import os

import torch

from reference_model import ReferenceModel, loss_of, optimizer_of
from safetensors_io import write_safetensors

OUTPUT_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "RnnCluster.Tests", "Fixtures", "PyTorch", "Training")
DATA_FILE = "data.safetensors"
SAMPLES, TIMESTEPS, INPUTS, UNITS = 37, 6, 2, 8
EPOCHS, BATCH_SIZE = 2, 8
DATA_SEED = 2024
CELL_SEEDS = {"rnn": 201, "lstm": 202, "gru": 203}


def dataset():
    """A learnable target: a weighted sum over the sequence plus a little noise."""
    generator = torch.Generator().manual_seed(DATA_SEED)
    x = torch.randn(SAMPLES, TIMESTEPS, INPUTS, generator=generator)
    trend = torch.linspace(0.2, 1.0, TIMESTEPS)
    y = (x[:, :, 0] * trend).sum(dim=1, keepdim=True) * 0.3 - x[:, -1, 1:2] * 0.5
    y = y + 0.05 * torch.randn(SAMPLES, 1, generator=generator)
    return x, y


def config_of(cell, seed):
    return {
        "model": {
            "inputSize": INPUTS,
            "layers": [{"type": cell, "units": UNITS, "returnSequences": False}, {"type": "dense", "units": 1}],
        },
        "data": {"source": "safetensors", "path": DATA_FILE},
        "training": {
            "epochs": EPOCHS,
            "batchSize": BATCH_SIZE,
            "loss": "mse",
            "shuffle": False,
            "seed": seed,
            "optimizer": {"type": "adam", "learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7},
        },
    }


def run(config, x, y, initial):
    """Trains a model started from `initial` on (x, y); returns its final weights and every minibatch's loss."""
    model = ReferenceModel(config["model"]).to(x.dtype)
    named = model.contract_parameters()
    with torch.no_grad():
        for name, p in named:
            p.copy_(initial[name])
    optimizer = optimizer_of(config["training"]["optimizer"], [p for _, p in named])
    losses = []
    for _ in range(EPOCHS):
        for begin in range(0, SAMPLES, BATCH_SIZE):
            optimizer.zero_grad()
            loss = loss_of("mse", model(x[begin:begin + BATCH_SIZE]), y[begin:begin + BATCH_SIZE])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {name: p.detach().clone() for name, p in named}, losses


def train(cell, x, y):
    seed = CELL_SEEDS[cell]
    config = config_of(cell, seed)
    torch.manual_seed(seed)
    initial = {name: p.detach().clone() for name, p in ReferenceModel(config["model"]).contract_parameters()}
    final, losses = run(config, x, y, initial)
    # The same run in float64 says how far PyTorch's own float32 result is from exact: the slack that the
    # 2e-5 tolerance leaves for our rounding.
    exact, _ = run(config, x.double(), y.double(), initial)

    write_safetensors(os.path.join(OUTPUT_DIR, f"{cell}.init.safetensors"), initial)
    write_safetensors(os.path.join(OUTPUT_DIR, f"{cell}.final.safetensors"), final,
                      {"config": f"{cell}.json", "minibatchLosses": json.dumps(losses), "torch": torch.__version__})
    with open(os.path.join(OUTPUT_DIR, f"{cell}.json"), "w") as stream:
        json.dump(config, stream, indent=2)
        stream.write("\n")
    steps_per_epoch = len(losses) // EPOCHS
    epoch_losses = [sum(losses[e * steps_per_epoch:(e + 1) * steps_per_epoch]) / steps_per_epoch for e in range(EPOCHS)]
    moved = max((final[k] - initial[k]).abs().max().item() for k in final)
    off = max((final[k].double() - exact[k]).abs().max().item() for k in final)
    print(f"{cell:5s} mean minibatch loss by epoch {epoch_losses[0]:.5f} -> {epoch_losses[-1]:.5f}; "
          f"largest weight change {moved:.1e}; float32-vs-float64 {off:.1e}")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    x, y = dataset()
    write_safetensors(os.path.join(OUTPUT_DIR, DATA_FILE), {"x": x, "y": y})
    for cell in CELL_SEEDS:
        train(cell, x, y)


if __name__ == "__main__":
    main()
