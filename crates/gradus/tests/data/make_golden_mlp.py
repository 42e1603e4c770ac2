"""Writes crates/gradus/tests/data/golden_mlp.safetensors: a 64-100-30-10 ReLU/softmax MLP, one fixed
batch of 32, its categorical cross-entropy loss and every gradient, computed by JAX in
float64. The Rust test `golden_mlp.rs` loads it and must agree to 1e-10.

Run once (needs jax, numpy, safetensors):  python crates/gradus/tests/data/make_golden_mlp.py
"""
import os

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

rng = np.random.default_rng(20261122)
sizes = [64, 100, 30, 10]
params = {}
for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    params[f"layers.{i}.weight"] = rng.uniform(-bound, bound, size=(fan_in, fan_out))
    params[f"layers.{i}.bias"] = rng.uniform(-0.1, 0.1, size=(fan_out,))
x = rng.uniform(0.0, 1.0, size=(32, 64))
labels = rng.integers(0, 10, size=32)
y = np.eye(10)[labels]


def forward(p, x):
    h = x
    for i in range(3):
        h = h @ p[f"layers.{i}.weight"] + p[f"layers.{i}.bias"]
        if i < 2:
            h = jax.nn.relu(h)
    return h


def loss_fn(p):
    logits = forward(p, x)
    return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(logits), axis=1))


loss, grads = jax.value_and_grad(loss_fn)(params)
out = {"x": x, "y": y, "logits": np.asarray(forward(params, x)), "loss": np.asarray([loss])}
for k, v in params.items():
    out[f"param.{k}"] = np.asarray(v)
    out[f"grad.{k}"] = np.asarray(grads[k])
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden_mlp.safetensors")
save_file({k: np.ascontiguousarray(v, dtype=np.float64) for k, v in out.items()}, path)
print(f"wrote {path}: loss {float(loss):.17g}")
