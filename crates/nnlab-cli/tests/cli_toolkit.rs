//! The training toolkit from the command line: optimizers, batches, penalties, per-layer
//! activations, tasks, the Playground's datasets and input features, as a user runs them. The
//! numbers themselves are checked against PyTorch in nnlab-autograd's `toolkit_parity` test; here
//! the binary must accept, record, replay and refuse them.

mod common;

use std::path::Path;

use common::{nnlab, text};
use serde_json::Value;

fn run_json(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap()
}

fn ok(args: &[&str], dir: &Path) {
    let out = nnlab(args, dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        text(&out.stderr)
    );
}

/// The JSON header of a safetensors file: tensor names to dtype and shape.
fn safetensors_header(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[8..8 + n]).unwrap()
}

#[test]
fn toolkit_settings_are_recorded_and_replay_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (engine, out) in [("manual", "m"), ("autograd", "a")] {
        ok(
            &[
                "train",
                "--quiet",
                "--no-figures",
                "--engine",
                engine,
                "--out",
                out,
                "--hidden",
                "8,6",
                "--activation",
                "tanh,relu",
                "--optimizer",
                "adam",
                "--lr",
                "0.01",
                "--batch-size",
                "32",
                "--l2",
                "0.001",
                "--epochs",
                "4",
            ],
            d,
        );
        let config = &run_json(&d.join(out))["config"];
        assert_eq!(config["optimizer"], "adam");
        assert_eq!(config["betas"], serde_json::json!([0.9, 0.999]));
        assert_eq!(config["eps"], 1e-8);
        assert_eq!(config["weight_decay"], 0.0);
        assert_eq!(config["batch_size"], 32);
        assert_eq!(config["shuffle_seed"], 42); // --seed's
        assert_eq!(config["l2"], 0.001);
        assert_eq!(config["activation"], "tanh,relu");
        assert_eq!(config["task"], "binary");
        let replay = format!("{out}2");
        let json = format!("{out}/run.json");
        ok(
            &[
                "train",
                "--quiet",
                "--no-figures",
                "--config",
                &json,
                "--out",
                &replay,
            ],
            d,
        );
        let first = std::fs::read(d.join(out).join("history.csv")).unwrap();
        let again = std::fs::read(d.join(&replay).join("history.csv")).unwrap();
        assert_eq!(first, again, "{engine}: the replay differs");
    }
    // Another batch order, another run: the shuffle seed is used.
    ok(
        &[
            "train",
            "--quiet",
            "--no-figures",
            "--out",
            "s",
            "--batch-size",
            "32",
            "--shuffle-seed",
            "7",
        ],
        d,
    );
    ok(
        &[
            "train",
            "--quiet",
            "--no-figures",
            "--out",
            "t",
            "--batch-size",
            "32",
        ],
        d,
    );
    let loss = |run: &str| std::fs::read_to_string(d.join(run).join("history.csv")).unwrap();
    assert_ne!(loss("s"), loss("t"));

    // A sweep takes the same options and records them.
    ok(
        &[
            "sweep",
            "--quiet",
            "--out",
            "sw",
            "--hidden",
            "4",
            "--lr",
            "0.1",
            "--seeds",
            "0..2",
            "--optimizer",
            "adam",
            "--batch-size",
            "32",
            "--epochs",
            "3",
        ],
        d,
    );
    let config = &run_json(&d.join("sw"))["config"];
    assert_eq!(config["optimizer"], "adam");
    assert_eq!(config["batch_size"], 32);
    assert_eq!(config["hidden"], serde_json::json!([4]));
}

#[test]
fn multiclass_datasets_train_k_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "train",
            "--quiet",
            "--out",
            "b",
            "--dataset",
            "blobs",
            "--centers",
            "4",
            "--epochs",
            "5",
        ],
        d,
    );
    let header = safetensors_header(&d.join("b/model.safetensors"));
    assert_eq!(
        header["network.2.weight"]["shape"],
        serde_json::json!([4, 8])
    );
    assert_eq!(run_json(&d.join("b"))["config"]["task"], "multiclass");
    let history = std::fs::read_to_string(d.join("b/history.csv")).unwrap();
    assert!(history.starts_with("epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm\n"));
    assert!(common::is_png(&d.join("b/dataset.png")));
    assert!(common::is_png(&d.join("b/boundary.png"))); // four colours: nnlab-plot's tests look

    // TensorFlow Playground's spiral with 3 arms, as nnlab-data makes it (bit for bit with numpy
    // there), and as 3 classes here.
    let out = nnlab(
        &[
            "data",
            "spiral",
            "--classes",
            "3",
            "--samples",
            "30",
            "--noise",
            "0.1",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let want = nnlab_data::make_spiral(30, 0.1, 3, true, 42).unwrap();
    let mut bytes = Vec::new();
    nnlab_data::csv_io::write_csv(&mut bytes, &want, None).unwrap();
    assert_eq!(text(&out.stdout), text(&bytes));
    ok(
        &[
            "train",
            "--quiet",
            "--no-figures",
            "--out",
            "sp",
            "--dataset",
            "spiral",
            "--classes",
            "3",
            "--epochs",
            "3",
        ],
        d,
    );
    assert_eq!(run_json(&d.join("sp"))["config"]["task"], "multiclass");
}

#[test]
fn regression_from_a_generator_and_from_a_csv_of_real_labels() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "data",
            "plane",
            "--samples",
            "200",
            "--noise",
            "0.1",
            "-o",
            "plane.csv",
        ],
        d,
    );
    let csv = std::fs::read_to_string(d.join("plane.csv")).unwrap();
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .contains('.'));
    for (args, out) in [
        (vec!["--data", "plane.csv"], "file"),
        (vec!["--dataset", "multi-gauss"], "gen"),
    ] {
        let mut all = vec![
            "train",
            "--quiet",
            "--out",
            out,
            "--epochs",
            "5",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
        ];
        all.extend(args);
        ok(&all, d);
        let history = std::fs::read_to_string(d.join(out).join("history.csv")).unwrap();
        assert!(
            history.starts_with("epoch,loss,test_loss,w1_norm,w2_norm\n"),
            "{history}"
        );
        let record = run_json(&d.join(out));
        assert_eq!(record["config"]["task"], "regression");
        assert!(record["result"]["final_test_loss"].as_f64().unwrap() >= 0.0);
        for figure in ["training.png", "dataset.png", "boundary.png"] {
            assert!(common::is_png(&d.join(out).join(figure)), "{out}/{figure}");
        }
    }
    let out = nnlab(
        &[
            "train",
            "--quiet",
            "--out",
            "never",
            "--data",
            "plane.csv",
            "--task",
            "binary",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--task binary"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.join("never").exists());
    std::fs::write(d.join("nan.csv"), "x0,x1,label\n1,2,0.5\n3,4,nan\n").unwrap();
    let out = nnlab(
        &["train", "--quiet", "--out", "never", "--data", "nan.csv"],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn input_features_feed_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        &[
            "train",
            "--quiet",
            "--no-figures",
            "--out",
            "x",
            "--dataset",
            "xor",
            "--inputs",
            "x0,x1,x0*x1,sin(x0)",
            "--epochs",
            "3",
        ],
        d,
    );
    let record = run_json(&d.join("x"));
    assert_eq!(record["data"]["features"], 4);
    assert_eq!(
        record["config"]["inputs"],
        serde_json::json!(["x0", "x1", "x0*x1", "sin(x0)"])
    );
    let header = safetensors_header(&d.join("x/model.safetensors"));
    assert_eq!(
        header["network.0.weight"]["shape"],
        serde_json::json!([8, 4])
    );
    ok(
        &[
            "train",
            "--quiet",
            "--no-figures",
            "--config",
            "x/run.json",
            "--out",
            "x2",
        ],
        d,
    );
    assert_eq!(
        std::fs::read(d.join("x/history.csv")).unwrap(),
        std::fs::read(d.join("x2/history.csv")).unwrap()
    );
    for (args, mention) in [
        (vec!["--inputs", "x0,x5"], "--inputs"),
        (vec!["--inputs", "x0,cos(x1)"], "cos"),
        (vec!["--classes", "3"], "--classes"),
    ] {
        let mut all = vec!["train", "--quiet", "--out", "never"];
        all.extend(args.iter().copied());
        let out = nnlab(&all, d);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(mention), "{args:?}: {err}");
    }
    assert!(!d.join("never").exists());
    // With figures: the network's 3 inputs come from the data's 2 columns, so the boundary is
    // drawn over those columns (as TensorFlow Playground draws it), and no note is needed.
    let out = nnlab(
        &[
            "train",
            "--out",
            "y",
            "--dataset",
            "xor",
            "--inputs",
            "x0,x1,x0*x1",
            "--epochs",
            "1",
        ],
        d,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("note:"), "{err}");
    assert!(d.join("y/boundary.png").is_file() && d.join("y/dataset.png").is_file());
    // The animation is drawn over the same plane; the hidden space needs the network's own 2
    // inputs, and is refused before training.
    ok(
        &[
            "train",
            "--quiet",
            "--out",
            "g",
            "--dataset",
            "xor",
            "--inputs",
            "x0*x1",
            "--epochs",
            "2",
            "--animate",
        ],
        d,
    );
    assert!(d.join("g/boundary.gif").is_file() && d.join("g/boundary.png").is_file());
    let out = nnlab(
        &[
            "train",
            "--quiet",
            "--out",
            "h",
            "--dataset",
            "xor",
            "--inputs",
            "x0,x1,x0*x1",
            "--hidden-space",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--hidden-space"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.join("h").exists());
    // Each figure's axes say what it draws: the dataset the network's inputs, the boundary the
    // data's columns.
    ok(
        &[
            "train",
            "--quiet",
            "--out",
            "s",
            "--dataset",
            "xor",
            "--inputs",
            "x0*x1,sin(x0)",
            "--epochs",
            "1",
            "--svg",
        ],
        d,
    );
    let svg = |name: &str| std::fs::read_to_string(d.join("s").join(name)).unwrap();
    let (dataset, boundary) = (svg("dataset.svg"), svg("boundary.svg"));
    assert!(dataset.contains("x0*x1 (scaled)") && dataset.contains("sin(x0) (scaled)"));
    assert!(boundary.contains("x0 (scaled)") && boundary.contains("x1 (scaled)"));
    assert!(!boundary.contains("x0*x1") && !boundary.contains("sin(x0)"));
    // 3 columns, 3 inputs: no plane to draw it over, and the note counts the network's inputs.
    let out = nnlab(
        &[
            "train",
            "--out",
            "z",
            "--dataset",
            "blobs",
            "--features",
            "3",
            "--inputs",
            "x0,x1,x2",
            "--epochs",
            "1",
        ],
        d,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "note: the network has 3 inputs (--inputs): no decision-boundary figure (it needs exactly 2)"
        ),
        "{err}"
    );
    assert!(!d.join("z/boundary.png").exists());
}
