"""Writes the PyTorch fixtures that RnnCluster's training core is held to (tests/RnnCluster.Tests/PyTorch/).

Run from the repository root, with Debian's PyTorch 1.13 (CPU):

    /usr/bin/python3 tests/fixtures_generator/generate_fixtures.py

CI never runs this script: it only reads the committed files in tests/RnnCluster.Tests/Fixtures/PyTorch/.
Rerun it only to add or change a case, and commit its output with it. The output is the same bytes on
every run on one machine (fixed seeds, one thread, float32).

For every case it writes two files:
- `<case>.json`: the config in OUR format (CONTRACT.md). Its data source is `<case>.safetensors`, which holds
  `x` and `y`, so the config is also a valid training run on that single minibatch. Dropout layers stay in
  the config (they shift the layer indices of the tensor names) but every value below is computed without
  dropout, since PyTorch cannot draw RnnCluster's counter-based masks.
- `<case>.safetensors`:
  - `x` [N,T,I] and `y` ([N,O] or [N,T,O]; class indices as float32, [N,1] or [N,T,1], for crossentropy),
  - the initial weights under their CONTRACT names (`layers.i.weight_ih`, ..., `layers.i.weight`, ...),
  - `output`: the model output on `x` with those weights (no dropout),
  - `loss` [1]: the minibatch mean loss,
  - `grad.<name>`: the gradient of that loss with respect to every weight,
  - `<optimizer><steps>.<name>` (e.g. `adam3.layers.0.weight_ih`): the weights after `steps` optimizer steps on
    the same minibatch, with the config's optimizer.
  Its `__metadata__` names the config file, the optimizer-step prefix and the number of steps.

Truncated BPTT (`training.truncatedBptt` = k) runs each recurrent layer in windows of k timesteps and detaches
the state carried into the next window: for a many-to-one model only the last window gets gradient, for a
many-to-many model the gradient is the sum of the windows' gradients.
"""

import json
import os

import torch

from reference_model import ReferenceModel, loss_of, optimizer_of
from safetensors_io import write_safetensors

OUTPUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "RnnCluster.Tests", "Fixtures", "PyTorch")
STEPS = 3
ADAM = {"type": "adam", "learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}
SGD_MOMENTUM = {"type": "sgd", "learningRate": 0.01, "momentum": 0.9}


def recurrent(kind, units, return_sequences=False):
    return {"type": kind, "units": units, "returnSequences": return_sequences}


def dense(units, activation="linear"):
    layer = {"type": "dense", "units": units}
    if activation != "linear":
        layer["activation"] = activation
    return layer


# (name, seed, inputSize, layers, loss, N, T, optimizer, truncatedBptt). N is not a multiple of the default
# gradient group size (4), so a partial group is always exercised.
CASES = [
    ("rnn", 101, 3, [recurrent("rnn", 5), dense(2)], "mse", 6, 5, ADAM, 0),
    ("lstm", 102, 3, [recurrent("lstm", 6), dense(1)], "mse", 6, 5, ADAM, 0),
    ("gru", 103, 3, [recurrent("gru", 5), dense(2)], "mse", 6, 5, ADAM, 0),
    ("stacked_lstm_gru", 104, 2, [recurrent("lstm", 6, True), recurrent("gru", 5), dense(1)], "mse", 5, 6, ADAM, 0),
    ("stacked_lstm_lstm", 105, 2, [recurrent("lstm", 5, True), recurrent("lstm", 4), dense(2)], "mse", 7, 4, ADAM, 0),
    ("stacked_rnn_dropout_gru", 106, 3,
     [recurrent("rnn", 6, True), {"type": "dropout", "rate": 0.2}, recurrent("gru", 4), {"type": "dropout", "rate": 0.2},
      dense(1)], "mse", 6, 5, ADAM, 0),
    ("many_to_many_gru", 107, 2, [recurrent("gru", 6, True), dense(2)], "mse", 5, 6, ADAM, 0),
    ("many_to_many_stacked", 108, 2, [recurrent("lstm", 5, True), recurrent("rnn", 4, True), dense(1, "tanh")],
     "mse", 5, 5, ADAM, 0),
    ("mae_gru", 109, 3, [recurrent("gru", 5), dense(2, "sigmoid")], "mae", 6, 5, ADAM, 0),
    ("mae_many_to_many_rnn", 110, 2, [recurrent("rnn", 5, True), dense(1)], "mae", 5, 4, ADAM, 0),
    ("crossentropy_lstm", 111, 3, [recurrent("lstm", 6), dense(4)], "crossentropy", 7, 5, ADAM, 0),
    ("crossentropy_many_to_many_gru", 112, 3, [recurrent("gru", 6, True), dense(3)], "crossentropy", 5, 6, ADAM, 0),
    ("dense_activations_lstm", 113, 2, [recurrent("lstm", 5), dense(6, "relu"), dense(3, "softmax")], "mse", 6, 4,
     ADAM, 0),
    ("tbptt_lstm", 114, 2, [recurrent("lstm", 5), dense(1)], "mse", 5, 8, ADAM, 3),
    ("tbptt_many_to_many_gru", 115, 2, [recurrent("gru", 5, True), dense(1)], "mse", 5, 8, ADAM, 3),
    ("sgd_momentum_lstm", 116, 3, [recurrent("lstm", 5), dense(2)], "mse", 6, 5, SGD_MOMENTUM, 0),
]


def config_of(name, seed, input_size, layers, loss, n, optimizer, truncated_bptt):
    training = {"epochs": 1, "batchSize": n, "loss": loss, "shuffle": False, "seed": seed, "optimizer": optimizer}
    if truncated_bptt:
        training["truncatedBptt"] = truncated_bptt
    return {
        "model": {"inputSize": input_size, "layers": layers},
        "data": {"source": "safetensors", "path": f"{name}.safetensors"},
        "training": training,
    }


def targets_like(output, loss):
    if loss != "crossentropy":
        return torch.randn(output.shape)
    classes = output.shape[-1]
    return torch.randint(0, classes, output.shape[:-1] + (1,)).float()


def run_case(config, x, y, model, steps):
    """Returns (output, loss, gradients, weights after `steps` optimizer steps) of `model` on the minibatch."""
    truncated_bptt = config["training"].get("truncatedBptt", 0)
    loss_kind = config["training"]["loss"]
    named = model.contract_parameters()
    optimizer = optimizer_of(config["training"]["optimizer"], [p for _, p in named])
    first = None
    for _ in range(steps):
        optimizer.zero_grad()
        output = model(x, truncated_bptt)
        loss = loss_of(loss_kind, output, y)
        loss.backward()
        if first is None:
            first = (output.detach().clone(), loss.detach().reshape(1).clone(),
                     {name: p.grad.detach().clone() for name, p in named})
        optimizer.step()
    return first + ({name: p.detach().clone() for name, p in named},)


def max_difference(a, b):
    return max((a[k].double() - b[k].double()).abs().max().item() for k in a)


def generate(case):
    name, seed, input_size, layers, loss, n, t, optimizer, truncated_bptt = case
    config = config_of(name, seed, input_size, layers, loss, n, optimizer, truncated_bptt)
    torch.manual_seed(seed)
    model = ReferenceModel(config["model"])
    x = torch.randn(n, t, input_size)
    with torch.no_grad():
        y = targets_like(model(x), loss)
    initial = {k: p.detach().clone() for k, p in model.contract_parameters()}

    output, loss_value, gradients, stepped = run_case(config, x, y, model, STEPS)

    # The same run in float64 says how far PyTorch's own float32 result is from exact: the slack a 1e-5
    # tolerance leaves for our rounding.
    exact = ReferenceModel(config["model"]).double()
    with torch.no_grad():
        for k, p in exact.contract_parameters():
            p.copy_(initial[k])
    exact_output, _, exact_gradients, exact_stepped = run_case(config, x.double(), y.double(), exact, STEPS)

    prefix = f"{optimizer['type']}{STEPS}."
    tensors = {"x": x, "y": y}
    tensors.update(initial)
    tensors["output"] = output
    tensors["loss"] = loss_value
    tensors.update({f"grad.{k}": v for k, v in gradients.items()})
    tensors.update({prefix + k: v for k, v in stepped.items()})
    metadata = {"config": f"{name}.json", "stepPrefix": prefix, "steps": STEPS, "torch": torch.__version__}
    write_safetensors(os.path.join(OUTPUT_DIR, f"{name}.safetensors"), tensors, metadata)
    with open(os.path.join(OUTPUT_DIR, f"{name}.json"), "w") as stream:
        json.dump(config, stream, indent=2)
        stream.write("\n")

    smallest = min(g.abs()[g != 0].min().item() for g in gradients.values())
    print(f"{name:32s} loss {loss_value.item():.6f}  float32-vs-float64: output "
          f"{(output.double() - exact_output).abs().max().item():.1e} grad {max_difference(gradients, exact_gradients):.1e}"
          f" {prefix[:-1]} {max_difference(stepped, exact_stepped):.1e}  smallest |grad| {smallest:.1e}")


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    for case in CASES:
        generate(case)


if __name__ == "__main__":
    main()
