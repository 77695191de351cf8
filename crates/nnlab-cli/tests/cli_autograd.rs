//! `nnlab train --engine autograd` as a user runs it: the notebook's PyTorch lines, weights saved by
//! PyTorch as a starting point, and clear refusals.
//!
//! Expected numbers: `torch.history` of the project's reference file `notebook_20_epochs.json`
//! (copied to `fixtures/reference/notebook_20_epochs_runs.json`); files saved by PyTorch come from
//! `fixtures/make_torch_files.py` (in `fixtures/torch_saved/`).

mod common;

use std::path::Path;

use common::{column, fixtures, nnlab, notebook_lines, read_history, reference, text};
use serde_json::Value;

fn torch_history() -> Value {
    reference()["torch"]["history"].clone()
}

/// The lines the notebook's PyTorch cell prints: f'Epoch {epoch:3d}, Loss: {loss.item():.4f}, ...'.
fn notebook_torch_lines() -> String {
    notebook_lines("torch", 3)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// history.csv of a 2-8-1 run as rows of numbers.
fn history_rows(path: &Path) -> Vec<Vec<f64>> {
    read_history(
        path,
        "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm",
    )
}

fn assert_matches_torch_history(path: &Path) {
    let h = torch_history();
    let (loss, train, test, w1, w2) = (
        column(&h, "loss"),
        column(&h, "accuracy_train"),
        column(&h, "accuracy_test"),
        column(&h, "W1_norm"),
        column(&h, "W2_norm"),
    );
    let rows = history_rows(path);
    assert_eq!(rows.len(), 20);
    for (e, row) in rows.iter().enumerate() {
        let close = |got: f64, want: f64| (got - want).abs() <= 1e-5 * want.abs();
        assert!(
            close(row[1], loss[e]) && close(row[4], w1[e]) && close(row[5], w2[e]),
            "epoch {e}: {row:?}"
        );
        // The PyTorch loop's train accuracy comes from y_pred before optimizer.step().
        assert_eq!(
            (row[2], row[3]),
            (train[e], test[e]),
            "epoch {e} accuracies"
        );
    }
}

#[test]
fn defaults_print_the_notebooks_pytorch_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &["train", "--engine", "autograd", "--out", "run"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), notebook_torch_lines());
    assert!(text(&out.stdout)
        .starts_with("Epoch   0, Loss: 0.6465, Train Acc: 0.5437, Test Acc: 0.6350\n"));
    assert_matches_torch_history(&dir.path().join("run/history.csv"));

    let bytes = std::fs::read(dir.path().join("run/model.safetensors")).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(
        tensors.tensor("network.0.weight").unwrap().dtype(),
        safetensors::Dtype::F32
    );
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run/run.json")).unwrap())
            .unwrap();
    assert_eq!(record["config"]["engine"], "autograd");
    assert_eq!(record["config"]["init"], "torch");
    assert_eq!(record["config"]["dtype"], "f32");

    // The figures of an autograd run redraw byte for byte too.
    let before = std::fs::read(dir.path().join("run/boundary.png")).unwrap();
    std::fs::remove_file(dir.path().join("run/boundary.png")).unwrap();
    assert!(nnlab(&["plot", "run"], dir.path()).status.success());
    assert_eq!(
        std::fs::read(dir.path().join("run/boundary.png")).unwrap(),
        before
    );
}

#[test]
fn weights_saved_by_pytorch_are_a_starting_point() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "notebook_module.safetensors",
        "sequential_float64.safetensors",
    ] {
        let path = fixtures().join("torch_saved").join(file);
        let out = nnlab(
            &[
                "train",
                "--engine",
                "autograd",
                "--init-from",
                path.to_str().unwrap(),
                "--out",
                "from_file",
                "--force", // the second file's run replaces the first's
                "--no-figures",
            ],
            dir.path(),
        );
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        // PyTorch's own initial weights of the notebook: its lines and history follow.
        assert_eq!(text(&out.stdout), notebook_torch_lines(), "{file}");
        assert_matches_torch_history(&dir.path().join("from_file/history.csv"));
    }
}

#[test]
fn the_autograd_engine_in_f64_follows_the_hand_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let manual = nnlab(
        &[
            "train",
            "--out",
            "m",
            "--quiet",
            "--no-figures",
            "--epochs",
            "100",
        ],
        dir.path(),
    );
    let autograd = nnlab(
        &[
            "train",
            "--engine",
            "autograd",
            "--init",
            "notebook",
            "--dtype",
            "f64",
            "--out",
            "a",
            "--quiet",
            "--no-figures",
            "--epochs",
            "100",
        ],
        dir.path(),
    );
    assert!(manual.status.success() && autograd.status.success());
    let (m, a) = (
        history_rows(&dir.path().join("m/history.csv")),
        history_rows(&dir.path().join("a/history.csv")),
    );
    for (x, y) in m.iter().zip(&a) {
        for k in [1, 3, 4, 5] {
            assert!(
                (x[k] - y[k]).abs() <= 1e-10 * y[k].abs(),
                "epoch {}: column {k}: {} vs {}",
                x[0],
                x[k],
                y[k]
            );
        }
    }
}

#[test]
fn bad_weights_and_options_are_refused_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("corrupt.safetensors"),
        b"not a safetensors file",
    )
    .unwrap();
    let saved = |name: &str| {
        fixtures()
            .join("torch_saved")
            .join(name)
            .to_str()
            .unwrap()
            .to_string()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--init-from".into(), saved("small_2_4_1.safetensors")],
            "try --hidden 4",
        ),
        (
            vec!["--init-from".into(), saved("missing_output.safetensors")],
            "missing parameter network.2.weight",
        ),
        (
            vec!["--init-from".into(), saved("int_weights.safetensors")],
            "float32 or float64",
        ),
        (
            vec!["--init-from".into(), "corrupt.safetensors".into()],
            "not a valid safetensors file",
        ),
        (
            vec!["--init-from".into(), "absent.safetensors".into()],
            "absent.safetensors",
        ),
        (vec!["--device".into(), "cuda".into()], "cuda"),
    ];
    for (extra, mention) in cases {
        let mut args: Vec<&str> =
            vec!["train", "--engine", "autograd", "--quiet", "--out", "never"];
        args.extend(extra.iter().map(String::as_str));
        let out = nnlab(&args, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.contains(mention),
            "{extra:?}: {err:?} should mention {mention:?}"
        );
    }
    let out = nnlab(
        &[
            "train",
            "--dtype",
            "f32",
            "--readable",
            "--quiet",
            "--out",
            "never",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("readable path computes in f64"));
}
