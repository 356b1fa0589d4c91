"""Writes the PyTorch fixtures that RnnCluster's training core is held to (tests/RnnCluster.Tests/PyTorch/).

Run from the repository root, with Debian's PyTorch 1.13 (CPU):

    /usr/bin/python3 tests/fixtures_generator/generate_fixtures.py [CASE ...]   # every case, or those named

CI never runs this script: it only reads the committed files in tests/RnnCluster.Tests/Fixtures/PyTorch/.
Rerun it only to add or change a case, and commit its output with it. The output is the same bytes on
every run on one machine (fixed seeds, one thread, float32).

For every case it writes two files:
- `<case>.json`: the config in OUR format (docs/contract.md). Its data source is `<case>.safetensors`, which holds
  `x` and `y`, so the config is also a valid training run on that single minibatch. Dropout layers stay in
  the config (they shift the layer indices of the tensor names) but every value below is computed without
  dropout, since PyTorch cannot draw RnnCluster's counter-based masks.
- `<case>.safetensors`:
  - `x` [N,T,I] and `y` ([N,O] or [N,T,O]; class indices as float32, [N,1] or [N,T,1], for crossentropy); for the
    cases of sequences (LANGUAGE_CASES) `x` may be token ids [N,T] and `y` class ids [N] or [N,T], both int64,
    and `lengths` [N] int64 the samples' real steps (padding at the end; under maskZero, id 0 is the padding),
  - the initial weights under PyTorch's names (`layers.i.weight_ih_l0`, ..., `layers.i.weight`, ...),
  - `output`: the model output on `x` with those weights (no dropout),
  - `loss` [1]: the minibatch mean loss,
  - `grad.<name>`: the gradient of that loss with respect to every weight,
  - `<optimizer><steps>.<name>` (e.g. `adam3.layers.0.weight_ih_l0`): the weights after `steps` optimizer steps on
    the same minibatch, with the config's optimizer, each gradient first clipped to the global norm
    `training.clipNorm` (torch.nn.utils.clip_grad_norm_) when the config sets it.
  Its `__metadata__` names the config file, the optimizer-step prefix and the number of steps.

A crossentropy model whose last dense layer has a softmax activation reads its output as probabilities, as
Keras does: the loss is the negative log of the target class's probability.

Truncated BPTT (`training.truncatedBptt` = k) runs each recurrent layer in windows of k timesteps and detaches
the state carried into the next window: for a many-to-one model only the last window gets gradient, for a
many-to-many model the gradient is the sum of the windows' gradients.
"""

import json
import os
import sys

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


def case(name, seed, input_size, layers, loss, samples, timesteps, optimizer=ADAM, truncated_bptt=0, clip_norm=0.0,
         lengths=False, int_targets=False):
    """One fixture: its name, minibatch shape and config in OUR format. `seed` seeds PyTorch for this case alone.
    `lengths` draws each sample's real steps; `int_targets` writes class ids as int64 [N] or [N,T], without the
    trailing 1."""
    training = {"epochs": 1, "batchSize": samples, "loss": loss, "shuffle": False, "seed": seed, "optimizer": optimizer}
    if truncated_bptt:
        training["truncatedBptt"] = truncated_bptt
    if clip_norm:
        training["clipNorm"] = clip_norm
    config = {
        "model": {"inputSize": input_size, "layers": layers},
        "data": {"source": "safetensors", "path": f"{name}.safetensors"},
        "training": training,
    }
    if input_size is None:
        del config["model"]["inputSize"]
    return {"name": name, "seed": seed, "samples": samples, "timesteps": timesteps, "config": config,
            "lengths": lengths, "int_targets": int_targets}


def bidirectional(kind, units, return_sequences=False):
    return dict(recurrent(kind, units, return_sequences), bidirectional=True)


def embedding(vocabulary, width, mask_zero=False):
    return {"type": "embedding", "inputDim": vocabulary, "outputDim": width, "maskZero": mask_zero}


DROPOUT = {"type": "dropout", "rate": 0.2}

# The minibatch size is never a multiple of the default gradient group size (4), so a partial group is always
# exercised.
CASES = [
    case("rnn", 101, 3, [recurrent("rnn", 5), dense(2)], "mse", 6, 5),
    case("lstm", 102, 3, [recurrent("lstm", 6), dense(1)], "mse", 6, 5),
    case("gru", 103, 3, [recurrent("gru", 5), dense(2)], "mse", 6, 5),
    case("stacked_lstm_gru", 104, 2, [recurrent("lstm", 6, True), recurrent("gru", 5), dense(1)], "mse", 5, 6),
    case("stacked_lstm_lstm", 105, 2, [recurrent("lstm", 5, True), recurrent("lstm", 4), dense(2)], "mse", 7, 4),
    case("stacked_rnn_dropout_gru", 106, 3, [recurrent("rnn", 6, True), DROPOUT, recurrent("gru", 4), DROPOUT, dense(1)],
         "mse", 6, 5),
    case("many_to_many_gru", 107, 2, [recurrent("gru", 6, True), dense(2)], "mse", 5, 6),
    case("many_to_many_stacked", 108, 2, [recurrent("lstm", 5, True), recurrent("rnn", 4, True), dense(1, "tanh")],
         "mse", 5, 5),
    case("mae_gru", 109, 3, [recurrent("gru", 5), dense(2, "sigmoid")], "mae", 6, 5),
    case("mae_many_to_many_rnn", 110, 2, [recurrent("rnn", 5, True), dense(1)], "mae", 5, 4),
    case("crossentropy_lstm", 111, 3, [recurrent("lstm", 6), dense(4)], "crossentropy", 7, 5),
    case("crossentropy_many_to_many_gru", 112, 3, [recurrent("gru", 6, True), dense(3)], "crossentropy", 5, 6),
    case("dense_activations_lstm", 113, 2, [recurrent("lstm", 5), dense(6, "relu"), dense(3, "softmax")], "mse", 6, 4),
    case("tbptt_lstm", 114, 2, [recurrent("lstm", 5), dense(1)], "mse", 5, 8, truncated_bptt=3),
    case("tbptt_many_to_many_gru", 115, 2, [recurrent("gru", 5, True), dense(1)], "mse", 5, 8, truncated_bptt=3),
    case("sgd_momentum_lstm", 116, 3, [recurrent("lstm", 5), dense(2)], "mse", 6, 5, optimizer=SGD_MOMENTUM),
    case("crossentropy_softmax_head_lstm", 117, 3, [recurrent("lstm", 6), dense(4, "softmax")], "crossentropy", 6, 5),
    case("tbptt_stacked_lstm_gru", 118, 2, [recurrent("lstm", 5, True), recurrent("gru", 4), dense(1)], "mse", 5, 7,
         truncated_bptt=3),
    case("tbptt_many_to_many_stacked", 119, 2, [recurrent("gru", 5, True), recurrent("rnn", 4, True), dense(2)], "mse",
         5, 7, truncated_bptt=3),
    case("clipnorm_adam_gru", 120, 3, [recurrent("gru", 5), dense(2)], "mse", 6, 5, clip_norm=0.1),
]

# Tokens, classes and sequences of different lengths (docs/contract.md, "Tokens, classes and sequences of any
# length"): embeddings, bidirectional layers stacked or not, lengths with both, class ids per sequence and per step.
LANGUAGE_CASES = [
    case("embedding_lstm_classes", 201, None, [embedding(7, 4), recurrent("lstm", 5), dense(3)], "crossentropy", 6, 5,
         int_targets=True),
    case("embedding_mask_zero_gru_per_step", 202, None, [embedding(8, 3, mask_zero=True), recurrent("gru", 5, True), dense(4)],
         "crossentropy", 7, 6, int_targets=True),
    case("bidirectional_lstm", 203, 3, [bidirectional("lstm", 4), dense(2)], "mse", 6, 5),
    case("bidirectional_stacked_gru_rnn", 204, 2, [bidirectional("gru", 4, True), DROPOUT, bidirectional("rnn", 3), dense(1)],
         "mse", 5, 6),
    case("bidirectional_many_to_many_lstm", 205, 2, [bidirectional("lstm", 4, True), dense(2)], "mse", 5, 4),
    case("lengths_stacked_lstm_gru", 206, 2, [recurrent("lstm", 5, True), recurrent("gru", 4), dense(2)], "mse", 7, 6,
         lengths=True),
    case("lengths_many_to_many_rnn", 207, 3, [recurrent("rnn", 5, True), dense(2)], "mse", 6, 5, lengths=True),
    case("lengths_embedding_bidirectional_per_step", 208, None,
         [embedding(9, 3), bidirectional("gru", 4, True), DROPOUT, bidirectional("lstm", 3, True), dense(4)],
         "crossentropy", 6, 7, lengths=True, int_targets=True),
    case("lengths_bidirectional_rnn_classes", 209, 2, [bidirectional("rnn", 5), dense(3)], "crossentropy", 7, 5,
         lengths=True, int_targets=True),
    case("lengths_bidirectional_lstm_sgd", 210, 2, [bidirectional("lstm", 4), dense(1)], "mse", 6, 6, optimizer=SGD_MOMENTUM,
         lengths=True),
]


# The optimizers beside Adam and SGD (docs/contract.md, "Optimizers, schedules, early stopping"), with learning
# rates and decays large enough that three steps of each move the weights well past float32 rounding.
OPTIMIZER_CASES = [
    case("adamw_lstm", 301, 3, [recurrent("lstm", 5), dense(2)], "mse", 6, 5,
         optimizer={"type": "adamw", "learningRate": 0.05, "weightDecay": 0.2}),
    case("adam_weight_decay_gru", 302, 3, [recurrent("gru", 5), dense(2)], "mse", 6, 5,
         optimizer={"type": "adam", "learningRate": 0.05, "weightDecay": 0.2}),
    case("rmsprop_stacked_lstm_rnn", 303, 2, [recurrent("lstm", 5, True), recurrent("rnn", 4), dense(1)], "mse", 6, 5,
         optimizer={"type": "rmsprop", "learningRate": 0.01, "rho": 0.8}),
    case("sgd_nesterov_gru", 304, 3, [recurrent("gru", 5), dense(2)], "mse", 6, 5,
         optimizer={"type": "sgd", "learningRate": 0.1, "momentum": 0.9, "nesterov": True}),
]

def targets_like(output, loss):
    if loss != "crossentropy":
        return torch.randn(output.shape)
    classes = output.shape[-1]
    return torch.randint(0, classes, output.shape[:-1] + (1,)).float()


def real_steps(model, x, lengths, output):
    """[N, T] booleans of the real steps when the output is a sequence of sequences of different lengths, else None."""
    effective = model.lengths_of(x, lengths)
    if effective is None or output.dim() != 3:
        return None
    return torch.arange(output.shape[1]).unsqueeze(0) < effective.unsqueeze(1)


def run_case(config, x, y, model, steps, lengths=None):
    """Returns (output, loss, gradients, weights after `steps` optimizer steps) of `model` on the minibatch."""
    training = config["training"]
    named = model.contract_parameters()
    parameters = [p for _, p in named]
    optimizer = optimizer_of(training["optimizer"], parameters)
    first = None
    for _ in range(steps):
        optimizer.zero_grad()
        output = model(x, training.get("truncatedBptt", 0), lengths)
        loss = loss_of(training["loss"], output, y, model.outputs_probabilities, real_steps(model, x, lengths, output))
        loss.backward()
        if first is None:
            first = (output.detach().clone(), loss.detach().reshape(1).clone(),
                     {name: p.grad.detach().clone() for name, p in named})
        if training.get("clipNorm", 0):
            torch.nn.utils.clip_grad_norm_(parameters, training["clipNorm"])
        optimizer.step()
    return first + ({name: p.detach().clone() for name, p in named},)


def max_difference(a, b):
    return max((a[k].double() - b[k].double()).abs().max().item() for k in a)


def inputs_of(case):
    """x [N,T,I] of standard normals, or for an embedding token ids [N,T] (int64) in [1, V), and the lengths: drawn
    from 1..T with the first sample whole and the second one step long, or, under maskZero, the trailing steps
    set to id 0."""
    config, samples, timesteps = case["config"], case["samples"], case["timesteps"]
    first = config["model"]["layers"][0]
    lengths = None
    if case["lengths"] or first.get("maskZero", False):
        lengths = torch.randint(1, timesteps + 1, (samples,))
        lengths[0], lengths[1] = timesteps, 1
    if first["type"] != "embedding":
        return torch.randn(samples, timesteps, config["model"]["inputSize"]), lengths
    x = torch.randint(1, first["inputDim"], (samples, timesteps))
    if first.get("maskZero", False):
        x[torch.arange(timesteps).unsqueeze(0) >= lengths.unsqueeze(1)] = 0
        return x, None
    return x, lengths


def generate(case):
    name, config = case["name"], case["config"]
    torch.manual_seed(case["seed"])
    model = ReferenceModel(config["model"])
    x, lengths = inputs_of(case)
    with torch.no_grad():
        y = targets_like(model(x, 0, lengths), config["training"]["loss"])
    if case["int_targets"]:
        y = y.reshape(y.shape[:-1]).long()
    initial = {k: p.detach().clone() for k, p in model.contract_parameters()}

    output, loss_value, gradients, stepped = run_case(config, x, y, model, STEPS, lengths)

    # The same run in float64 says how far PyTorch's own float32 result is from exact: the slack a 1e-5
    # tolerance leaves for our rounding.
    exact = ReferenceModel(config["model"]).double()
    with torch.no_grad():
        for k, p in exact.contract_parameters():
            p.copy_(initial[k])
    exact_x = x if x.dtype == torch.int64 else x.double()
    exact_y = y if y.dtype == torch.int64 else y.double()
    exact_output, _, exact_gradients, exact_stepped = run_case(config, exact_x, exact_y, exact, STEPS, lengths)

    prefix = f"{config['training']['optimizer']['type']}{STEPS}."
    tensors = {"x": x, "y": y}
    if lengths is not None:
        tensors["lengths"] = lengths
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

    # Adam's first step is lr·g/(|g|+eps): a gradient element near eps (1e-7) turns our rounding into a large
    # weight error, so the smallest nonzero gradient says whether a case is a fair test of the optimizer step.
    smallest = min(g.abs()[g != 0].min().item() for g in gradients.values())
    norm = torch.cat([g.reshape(-1) for g in gradients.values()]).norm().item()
    print(f"{name:32s} loss {loss_value.item():.6f} |grad| {norm:.3f}  float32-vs-float64: output "
          f"{(output.double() - exact_output).abs().max().item():.1e} grad {max_difference(gradients, exact_gradients):.1e}"
          f" {prefix[:-1]} {max_difference(stepped, exact_stepped):.1e}  smallest |grad| {smallest:.1e}")


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    wanted = sys.argv[1:]
    for case in CASES + LANGUAGE_CASES + OPTIMIZER_CASES:
        if not wanted or case["name"] in wanted:
            generate(case)


if __name__ == "__main__":
    main()
