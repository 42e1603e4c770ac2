//! Gradients of a 64-100-30-10 ReLU/softmax MLP against a golden file written by JAX in
//! float64 (`tests/data/make_golden_mlp.py`).

mod common;

use gradus::{Tape, Tensor};
use safetensors::SafeTensors;

fn load(st: &SafeTensors, name: &str) -> Tensor<f64> {
    let view = st
        .tensor(name)
        .unwrap_or_else(|_| panic!("golden file lacks {name}"));
    let data: Vec<f64> = view
        .data()
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    Tensor::from_vec(data, view.shape())
}

#[test]
fn mlp_gradients_match_jax_to_1e_10() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/golden_mlp.safetensors"
    ))
    .unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let names: Vec<String> = (0..3)
        .flat_map(|i| [format!("layers.{i}.weight"), format!("layers.{i}.bias")])
        .collect();
    let params: Vec<Tensor<f64>> = names
        .iter()
        .map(|n| load(&st, &format!("param.{n}")))
        .collect();

    let tape = Tape::new();
    let x = tape.constant(&load(&st, "x"));
    let y = tape.constant(&load(&st, "y"));
    let p = common::vars(&tape, &params);
    let logits = common::mlp(x, &p, common::relu);
    let loss = logits.cce_with_logits(y);
    tape.backward(loss);

    let logit_err = logits.value().max_abs_diff(&load(&st, "logits"));
    assert!(
        logit_err <= 1e-12,
        "logits differ from JAX by {logit_err:e}"
    );
    let loss_err = (loss.item() - load(&st, "loss").item()).abs();
    assert!(loss_err <= 1e-12, "loss differs from JAX by {loss_err:e}");
    for (name, var) in names.iter().zip(&p) {
        let expected = load(&st, &format!("grad.{name}"));
        let err = var.grad().max_abs_diff(&expected);
        assert!(
            err <= 1e-10,
            "gradient of {name} differs from JAX by {err:e}"
        );
    }
}
