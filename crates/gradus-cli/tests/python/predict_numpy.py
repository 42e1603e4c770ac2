"""Reproduces a saved gradus model's predictions with safetensors and numpy alone.

Usage: predict_numpy.py MODEL_DIR FEATURES.csv OUT.csv

Reads model.json (architecture, feature scaling) and model.safetensors (weights under
their hierarchical names), applies the network to the rows of FEATURES.csv (one header
line) and writes one row of outputs per input row. What a Python user of a gradus model
would write; the Rust test compares its output with `gradus predict`.
"""

import json
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file


def activation(name, parameter, z):
    if name == "identity":
        return z
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "leaky_relu":
        return np.where(z > 0, z, parameter * z)
    raise SystemExit(f"predict_numpy.py: activation {name!r} is not implemented here")


def main():
    model_dir, features, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    spec = json.loads((model_dir / "model.json").read_text())
    weights = load_file(str(model_dir / "model.safetensors"))
    x = np.loadtxt(features, delimiter=",", skiprows=1, ndmin=2)
    if spec["scaling"] is not None:
        x = (x - np.array(spec["scaling"]["shift"])) / np.array(spec["scaling"]["scale"])
    index = 0  # layer number in the hierarchical names (layers.INDEX.weight)
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "dense":
            w = weights[f"layers.{index}.weight"]
            b = weights[f"layers.{index}.bias"]
            x = x @ w + b
        elif kind == "activation":
            x = activation(layer["name"], layer.get("parameter"), x)
        elif kind == "dropout":
            pass  # identity at prediction time
        else:
            raise SystemExit(f"predict_numpy.py: layer type {kind!r} is not implemented here")
        index += 1
    np.savetxt(out, x, delimiter=",", fmt="%.17g")


if __name__ == "__main__":
    main()
