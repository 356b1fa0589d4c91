"""Writes the PyTorch fixtures the model tests compare against (../Fixtures/Model/*.json).

Each fixture is a small model built from torch.nn.RNN/LSTM/GRU/Linear, its weights under CONTRACT names, an
input batch, targets, PyTorch's predictions, its mean loss and the gradient of that loss. Run with the Debian
python3 (PyTorch 1.13): /usr/bin/python3 make_pytorch_fixtures.py. CI only reads the committed JSON.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Fixtures", "Model")
CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
ACTIVATIONS = {"linear": lambda v: v, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}


def build(input_size, layers):
    modules, features = [], input_size
    for spec in layers:
        if spec["type"] in CELLS:
            modules.append(CELLS[spec["type"]](features, spec["units"], batch_first=True))
            features = spec["units"]
        elif spec["type"] == "dense":
            modules.append(nn.Linear(features, spec["units"]))
            features = spec["units"]
        else:
            raise ValueError(spec["type"])
    return modules


def forward(modules, layers, x, loss):
    h = x
    for module, spec in zip(modules, layers):
        if spec["type"] in CELLS:
            h, _ = module(h)
            if not spec.get("returnSequences", False):
                h = h[:, -1]
        else:
            h = module(h)
            activation = spec.get("activation", "linear")
            if activation == "softmax":
                # cross-entropy takes the logits; softmax is applied for predictions only
                assert loss == "crossentropy"
            else:
                h = ACTIVATIONS[activation](h)
    return h


def tensors(modules, layers):
    named = {}
    for i, (module, spec) in enumerate(zip(modules, layers)):
        for key, value in module.state_dict().items():
            named[f"layers.{i}.{key.replace('_l0', '')}"] = value
    return named


def fixture(name, input_size, layers, loss, n, timesteps, seed):
    torch.manual_seed(seed)
    modules = build(input_size, layers)
    x = torch.rand(n, timesteps, input_size) * 2 - 1
    out = forward(modules, layers, x, loss)
    if loss == "crossentropy":
        classes = out.shape[-1]
        y = torch.randint(0, classes, out.shape[:-1])
        value = nn.functional.cross_entropy(out.reshape(-1, classes), y.reshape(-1))
        prediction = torch.softmax(out, -1) if layers[-1].get("activation") == "softmax" else out
        y = y.float().unsqueeze(-1)
    else:
        y = torch.rand(out.shape) * 2 - 1
        value = nn.functional.mse_loss(out, y) if loss == "mse" else nn.functional.l1_loss(out, y)
        prediction = out
    value.backward()
    named = tensors(modules, layers)
    grads = {}
    for i, module in enumerate(modules):
        for key, p in module.named_parameters():
            grads[f"layers.{i}.{key.replace('_l0', '')}"] = p.grad
    flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
    data = {
        "inputSize": input_size, "layers": layers, "loss": loss, "n": n, "timesteps": timesteps,
        "x": flat(x), "y": flat(y), "parameters": {k: flat(v) for k, v in named.items()},
        "prediction": flat(prediction), "meanLoss": float(value), "gradients": {k: flat(v) for k, v in grads.items()},
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(data, f)


os.makedirs(OUT, exist_ok=True)
fixture("rnn", 3, [{"type": "rnn", "units": 5}, {"type": "dense", "units": 2}], "mse", 4, 6, 1)
fixture("lstm", 3, [{"type": "lstm", "units": 5}, {"type": "dense", "units": 2}], "mse", 4, 6, 2)
fixture("gru", 3, [{"type": "gru", "units": 5}, {"type": "dense", "units": 2}], "mse", 4, 6, 3)
fixture("stacked_many_to_many", 2,
        [{"type": "lstm", "units": 4, "returnSequences": True}, {"type": "gru", "units": 3, "returnSequences": True},
         {"type": "rnn", "units": 3, "returnSequences": True}, {"type": "dense", "units": 2, "activation": "tanh"}],
        "mse", 3, 5, 4)
fixture("gru_mae", 2, [{"type": "gru", "units": 4, "returnSequences": True}, {"type": "dense", "units": 1}], "mae", 3, 4, 5)
fixture("lstm_crossentropy", 2,
        [{"type": "lstm", "units": 4, "returnSequences": True}, {"type": "dense", "units": 5, "activation": "softmax"}],
        "crossentropy", 3, 4, 6)
