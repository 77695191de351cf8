//! Issue 13: divergence is caught in both engines alike — a NaN or infinite value, a loss stuck at
//! the clamp, weights beyond the bound — and stops with the epoch, what happened and what to try
//! (exit status 1, the history kept); a starting file with NaN weights is refused (exit 2).

mod common;

use std::path::Path;

use common::{nnlab, read_history, text};
use serde_json::Value;

const HEADER: &str = "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm";

/// Runs `nnlab train args --out run --quiet` in `dir` and checks that it diverged at `epoch`
/// with exit status 1, kept the epochs before it and no model; returns the message.
fn diverges(args: &[&str], dir: &Path, epoch: usize) -> String {
    let mut all = vec!["train", "--out", "run", "--quiet"];
    all.extend(args);
    let out = nnlab(&all, dir);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("training diverged at epoch {epoch}: ")),
        "{err}"
    );
    let rows = read_history(&dir.join("run/history.csv"), HEADER);
    assert_eq!(rows.len(), epoch, "the epochs before it are kept: {err}");
    assert!(!dir.join("run/model.safetensors").exists());
    // What there is to see: the data, and the curves up to the epoch that failed (marked); its
    // weights are no model, so no boundary.
    assert!(dir.join("run/dataset.png").exists());
    assert_eq!(dir.join("run/training.png").exists(), epoch > 0, "{err}");
    assert!(!dir.join("run/boundary.png").exists());
    if epoch > 0 {
        assert!(err.contains("before it (training.png draws them)"), "{err}");
    }
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run/run.json")).unwrap()).unwrap();
    let stopped = record["result"]["stopped"].as_str().unwrap().to_string();
    assert!(
        stopped.starts_with(&format!("diverged at epoch {epoch}: ")),
        "{stopped}"
    );
    std::fs::remove_dir_all(dir.join("run")).unwrap();
    err
}

/// `nnlab train --engine autograd --lr 100000` sat at loss 16.0 for 200 epochs and exited 0.
#[test]
fn autograd_stuck_at_the_clamp_stops_with_status_1_and_keeps_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let err = diverges(
        &["--engine", "autograd", "--lr", "100000", "--epochs", "200"],
        dir.path(),
        1,
    );
    assert!(
        err.contains("the loss is stuck at 16.0000, 16% of the 100.00 that one row costs at most"),
        "{err}"
    );
    assert!(
        err.contains("the updates no longer move the weights"),
        "{err}"
    );
    assert!(err.contains("Try a lower --lr (now 100000.0)."), "{err}");
}

/// `nnlab train --lr 50` exited 0 with weights around 2.7e9: it stops where ‖W2‖ passes 1e6, on
/// the fast path and the readable one alike.
#[test]
fn the_hand_written_engine_stops_on_the_weight_bound() {
    let dir = tempfile::tempdir().unwrap();
    for path in [&[][..], &["--readable"]] {
        let mut args = vec!["--lr", "50", "--epochs", "200"];
        args.extend(path);
        let err = diverges(&args, dir.path(), 5);
        assert!(
            err.contains("the weights grew past the bound: ||W2|| = 1.223e6, beyond 1e6"),
            "{err}"
        );
        assert!(
            err.contains("Try a lower --lr (now 50.0), or hold the weights back with --l2 or --weight-decay."),
            "{err}"
        );
    }
}

/// From the same initial weights in f64, both engines stop at the same epoch: for the same reason
/// where their mathematics agree (a regression's weights past the bound), each for its own at
/// --lr 100000 (autograd's saturated sigmoid has no slope, and freezes at the clamp; the
/// hand-written dz = ŷ − y keeps pushing the weights, past the bound).
#[test]
fn both_engines_stop_at_the_same_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let same = ["--dtype", "f64", "--init", "notebook", "--epochs", "100"];
    let regression = ["--dataset", "plane", "--lr", "5"];
    let mut messages = Vec::new();
    for engine in ["manual", "autograd"] {
        let mut args = vec!["--engine", engine];
        args.extend(same);
        args.extend(regression);
        let out = nnlab(
            &[&["train", "--out", "r", "--quiet"][..], &args].concat(),
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        messages.push(
            err.split(" (weights that large")
                .next()
                .unwrap()
                .to_string(),
        );
        std::fs::remove_dir_all(dir.path().join("r")).unwrap();
    }
    assert!(
        messages[0].contains("diverged at epoch 2: the weights grew past the bound: ||W1|| = "),
        "{}",
        messages[0]
    );
    assert_eq!(messages[0], messages[1]);

    let mut args = vec!["--lr", "100000"];
    args.extend(same);
    let manual = diverges(&args, dir.path(), 1);
    assert!(
        manual.contains("the weights grew past the bound: ||W1|| = 5.017e9"),
        "{manual}"
    );
    args.extend(["--engine", "autograd"]);
    let autograd = diverges(&args, dir.path(), 1);
    assert!(
        autograd.contains("the loss is stuck at 50.0000"),
        "{autograd}"
    );
}

/// `--init-from` a file holding NaN was trained and its NaN blamed on --lr: it is refused, naming
/// the file and the tensor.
#[test]
fn an_init_from_file_with_nan_weights_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train",
            "--epochs",
            "1",
            "--out",
            "ok",
            "--quiet",
            "--no-figures",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bytes = std::fs::read(dir.path().join("ok/model.safetensors")).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut owned: Vec<(String, safetensors::Dtype, Vec<usize>, Vec<u8>)> = tensors
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            (
                name.to_string(),
                view.dtype(),
                view.shape().to_vec(),
                view.data().to_vec(),
            )
        })
        .collect();
    let weight = owned
        .iter_mut()
        .find(|(name, ..)| name == "network.0.weight")
        .unwrap();
    weight.3[8 * 5..8 * 6].copy_from_slice(&f64::NAN.to_le_bytes()); // row 2, column 1 of (8, 2)
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = owned
        .iter()
        .map(|(name, dtype, shape, data)| {
            (
                name.clone(),
                safetensors::tensor::TensorView::new(*dtype, shape.clone(), data).unwrap(),
            )
        })
        .collect();
    let nan = safetensors::serialize(views, None).unwrap();
    std::fs::write(dir.path().join("nan.safetensors"), nan).unwrap();

    let out = nnlab(
        &[
            "train",
            "--init-from",
            "nan.safetensors",
            "--out",
            "bad",
            "--quiet",
        ],
        dir.path(),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--init-from nan.safetensors: tensor network.0.weight holds NaN at [2, 1] (1 of its 16 values are NaN or infinite)"),
        "{err}"
    );
    assert!(!err.contains("--lr"), "{err}");
}
