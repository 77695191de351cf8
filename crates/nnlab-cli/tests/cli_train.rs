//! `nnlab train` run as a user would: the real binary, its printed lines and its files.
//!
//! Expected numbers come from the notebook's numpy section as recorded in the project's reference
//! file `notebook_20_epochs.json` (copied to `fixtures/reference/notebook_20_epochs_runs.json`).

mod common;

use std::path::Path;

use common::{column, nnlab, read_history, reference, text};
use serde_json::Value;

fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: got {got:?}, want {want:?}"
    );
}

#[test]
fn defaults_print_the_notebooks_numpy_lines_and_write_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(&["train", "--out", "run"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The notebook prints f'Epoch {epoch:4d}, Loss: {loss:.4f}, Train Acc: {..:.4f}, Test Acc: {..:.4f}'
    // every 10 epochs; the values are numpy.history's.
    let h = &reference()["numpy"]["history"];
    let (loss, train, test) = (
        column(h, "loss"),
        column(h, "accuracy_train"),
        column(h, "accuracy_test"),
    );
    let expected: String = [0, 10]
        .iter()
        .map(|&e| {
            format!(
                "Epoch {e:4}, Loss: {:.4}, Train Acc: {:.4}, Test Acc: {:.4}\n",
                loss[e], train[e], test[e]
            )
        })
        .collect();
    assert_eq!(text(&out.stdout), expected);
    assert_eq!(
        expected,
        "Epoch    0, Loss: 1.3632, Train Acc: 0.1800, Test Acc: 0.2050\n\
         Epoch   10, Loss: 0.5417, Train Acc: 0.6038, Test Acc: 0.6600\n"
    );

    let run = dir.path().join("run");
    let rows = read_history(
        &run.join("history.csv"),
        "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm",
    );
    let (w1, w2) = (column(h, "W1_norm"), column(h, "W2_norm"));
    assert_eq!(rows.len(), 20);
    for (e, row) in rows.iter().enumerate() {
        assert_eq!(row[0], e as f64);
        assert_close("loss", row[1], loss[e], 1e-12);
        assert_eq!((row[2], row[3]), (train[e], test[e]));
        assert_close("w1_norm", row[4], w1[e], 1e-12);
        assert_close("w2_norm", row[5], w2[e], 1e-12);
    }

    // model.safetensors: PyTorch's layout of numpy.final (network.0.weight = W1ᵀ, shape (8, 2)).
    let bytes = std::fs::read(run.join("model.safetensors")).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let fin = &reference()["numpy"]["final"];
    let w1_ref: Vec<Vec<f64>> = serde_json::from_value(fin["W1"].clone()).unwrap();
    let weight = tensors.tensor("network.0.weight").unwrap();
    assert_eq!(weight.shape(), &[8, 2]);
    assert_eq!(weight.dtype(), safetensors::Dtype::F64);
    let values: Vec<f64> = weight
        .data()
        .chunks(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    for out_unit in 0..8 {
        for input in 0..2 {
            assert_close(
                "W1",
                values[out_unit * 2 + input],
                w1_ref[input][out_unit],
                1e-12,
            );
        }
    }
    let mut names: Vec<&str> = tensors.names();
    names.sort();
    assert_eq!(
        names,
        [
            "network.0.bias",
            "network.0.weight",
            "network.2.bias",
            "network.2.weight"
        ]
    );
    assert_eq!(tensors.tensor("network.2.weight").unwrap().shape(), &[1, 8]);

    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(record["config"]["seed"], 42);
    assert_eq!(record["config"]["init_seed"], 42);
    assert_eq!(record["config"]["hidden"], serde_json::json!([8]));
    assert_eq!(record["config"]["lr"], 0.1);
    assert_eq!(record["result"]["epochs_run"], 20);
    assert_eq!(record["result"]["final_test_accuracy"], test[19]);
    assert_eq!(record["nnlab_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn the_default_run_folder_is_under_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(&["train", "--quiet", "--epochs", "2"], dir.path());
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "--quiet prints nothing"
    );
    let runs: Vec<_> = std::fs::read_dir(dir.path().join("runs"))
        .unwrap()
        .collect();
    assert_eq!(runs.len(), 1);
    let run = runs[0].as_ref().unwrap().path();
    for file in ["history.csv", "model.safetensors", "run.json"] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
}

#[test]
fn a_csv_with_its_own_split_trains_like_the_generated_data() {
    let dir = tempfile::tempdir().unwrap();
    let made = nnlab(
        &["data", "--test-size", "0.2", "-o", "moons.csv"],
        dir.path(),
    );
    assert!(made.status.success());
    let out = nnlab(
        &["train", "--data", "moons.csv", "--out", "csv", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Same rows, same split, same seed for the weights: the notebook's history again. The rows come
    // in file order rather than the split's shuffled order, so sums differ in their last bits.
    let h = &reference()["numpy"]["history"];
    let loss = column(h, "loss");
    let rows = read_history(
        &dir.path().join("csv/history.csv"),
        "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm",
    );
    for (e, row) in rows.iter().enumerate() {
        assert_close("loss", row[1], loss[e], 1e-9);
        assert_eq!(row[3], column(h, "accuracy_test")[e]);
    }
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("csv/run.json")).unwrap())
            .unwrap();
    // The file is recorded by its absolute path and the SHA-256 of its bytes, for a replay from
    // anywhere that refuses changed data.
    let data = record["config"]["data"].as_str().unwrap();
    assert!(
        Path::new(data).is_absolute() && data.ends_with("moons.csv"),
        "{data}"
    );
    assert_eq!(record["config"]["data_sha256"].as_str().unwrap().len(), 64);
    assert!(
        record["config"].get("test_size").is_none(),
        "the file's split was used"
    );
}

#[test]
fn deeper_nets_write_one_norm_per_layer() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train",
            "--hidden",
            "16,8",
            "--activation",
            "tanh",
            "--epochs",
            "5",
            "--out",
            "deep",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = read_history(
        &dir.path().join("deep/history.csv"),
        "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm,w3_norm",
    );
    assert_eq!(rows.len(), 5);
    let bytes = std::fs::read(dir.path().join("deep/model.safetensors")).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(
        tensors.tensor("network.2.weight").unwrap().shape(),
        &[8, 16]
    );
    assert_eq!(tensors.tensor("network.4.weight").unwrap().shape(), &[1, 8]);
}

#[test]
fn divergence_stops_with_status_1_and_keeps_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train", "--lr", "100000", "--epochs", "200", "--out", "boom", "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("diverged at epoch") && err.contains("lower --lr"),
        "{err}"
    );
    let epoch: usize = err
        .split("diverged at epoch ")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let rows = read_history(
        &dir.path().join("boom/history.csv"),
        "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm",
    );
    assert_eq!(
        rows.len(),
        epoch,
        "every epoch before the divergence is kept"
    );
    assert!(rows.iter().all(|r| r.iter().all(|v| v.is_finite())));
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("boom/run.json")).unwrap())
            .unwrap();
    assert!(record["result"]["stopped"]
        .as_str()
        .unwrap()
        .starts_with("diverged"));
}

#[test]
fn bad_input_exits_with_status_2_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.csv"), "x0,x1,label\n1,2,1\n3,4,1\n").unwrap();
    std::fs::write(dir.path().join("bad.csv"), "x0,x1,label\n1,2,1\n3,x,0\n").unwrap();
    std::fs::write(
        dir.path().join("gaps.csv"),
        "x0,x1,label\n1,2,2\n3,4,7\n5,6,2\n7,8,7\n9,1,2\n",
    )
    .unwrap();
    let cases: [(&[&str], &str); 26] = [
        (&["--hidden", "0"], "--hidden"),
        (&["--hidden", "8,0"], "--hidden"),
        (&["--lr", "0"], "--lr"),
        (&["--lr", "-0.1"], "--lr"),
        (&["--lr", "nan"], "--lr"),
        (&["--lr", "inf"], "--lr"),
        (&["--epochs", "0"], "--epochs"),
        (&["--test-size", "0.9999"], "--test-size"),
        (&["--test-size", "1000"], "--test-size"),
        (&["--data", "one.csv"], "one.csv"),
        (&["--data", "bad.csv"], "line 3"),
        (&["--data", "missing.csv"], "missing.csv"),
        (&["--dataset", "blobs", "--task", "binary"], "--task binary"),
        (
            &["--dataset", "moons", "--task", "multiclass"],
            "--task multiclass",
        ),
        (&["--data", "gaps.csv"], "renumber"),
        (&["--activation", "swish"], "swish"),
        (&["--activation", "relu,tanh"], "--activation"),
        (&["--batch-size", "0"], "--batch-size"),
        (&["--optimizer", "rmsprop"], "rmsprop"),
        (&["--optimizer", "adam", "--betas", "1,0.9"], "--betas"),
        (&["--optimizer", "adam", "--betas", "0.9"], "--betas"),
        (&["--optimizer", "adam", "--momentum", "0.9"], "--momentum"),
        (&["--weight-decay", "-1"], "--weight-decay"),
        (&["--l1", "-0.1"], "--l1"),
        (&["--l2", "nan"], "--l2"),
        (&["--nesterov"], "--nesterov"),
    ];
    for (args, mention) in cases {
        let mut all = vec!["train", "--out", "never", "--quiet"];
        all.extend_from_slice(args);
        let out = nnlab(&all, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(mention),
            "{args:?}: {err:?} should mention {mention:?}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert!(
        !dir.path().join("never/history.csv").exists(),
        "bad input starts no run"
    );
}

#[test]
fn help_shows_examples() {
    let out = nnlab(&["train", "--help"], Path::new("."));
    let help = text(&out.stdout);
    assert!(
        help.contains("Examples:") && help.contains("nnlab train --hidden 16,16"),
        "{help}"
    );
}

#[test]
fn train_writes_the_figures_and_plot_redraws_them_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train",
            "--out",
            "run",
            "--quiet",
            "--svg",
            "--boundary",
            "probability",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run = dir.path().join("run");
    let names = [
        "dataset.png",
        "training.png",
        "boundary.png",
        "dataset.svg",
        "training.svg",
        "boundary.svg",
    ];
    let first: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(run.join(n)).unwrap())
        .collect();
    for (name, bytes) in names.iter().zip(&first) {
        let signature: &[u8] = if name.ends_with(".png") {
            b"\x89PNG\r\n\x1a\n"
        } else {
            b"<svg"
        };
        assert!(
            bytes.starts_with(signature),
            "{name} is not a {signature:?} file"
        );
    }
    for name in names {
        std::fs::remove_file(run.join(name)).unwrap();
    }
    let out = nnlab(
        &["plot", "run", "--svg", "--boundary", "probability"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (name, bytes) in names.iter().zip(&first) {
        assert_eq!(
            &std::fs::read(run.join(name)).unwrap(),
            bytes,
            "{name} differs after nnlab plot"
        );
    }
}

#[test]
fn no_figures_writes_none_and_plot_refuses_what_is_not_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train",
            "--out",
            "bare",
            "--quiet",
            "--no-figures",
            "--epochs",
            "3",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    assert!(!dir.path().join("bare/training.png").exists());
    let out = nnlab(&["plot", "nowhere"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nowhere"));
    std::fs::write(dir.path().join("bare/history.csv"), "epoch,loss\n").unwrap();
    let out = nnlab(&["plot", "bare"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("history.csv"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_fast_path_is_the_default_and_agrees_with_the_readable_one() {
    let dir = tempfile::tempdir().unwrap();
    let common = [
        "train",
        "--samples",
        "20000",
        "--hidden",
        "32",
        "--epochs",
        "30",
        "--quiet",
        "--no-figures",
    ];
    let run = |extra: &[&str], out: &str| {
        let mut args = common.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", out]);
        let result = nnlab(&args, dir.path());
        assert!(
            result.status.success(),
            "{extra:?}: {}",
            text(&result.stderr)
        );
        std::fs::read_to_string(dir.path().join(out).join("history.csv")).unwrap()
    };
    // Threads change who adds which rows, not the order of the sums: the same bytes.
    let one = run(&["--threads", "1"], "t1");
    assert_eq!(one, run(&["--threads", "2"], "t2"));
    assert_eq!(one, run(&["--threads", "3"], "t3"));
    // The readable path agrees to 1e-12.
    let readable = run(&["--readable"], "readable");
    for (a, b) in one.lines().zip(readable.lines()).skip(1) {
        for (x, y) in a.split(',').zip(b.split(',')).skip(1) {
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert!((x - y).abs() <= 1e-12 * y.abs(), "{a} vs {b}");
        }
    }
    // f32 on the fast path trains too, close to f64.
    let single = run(&["--dtype", "f32"], "f32");
    let last = |text: &str| -> f64 {
        text.lines()
            .last()
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!((last(&single) - last(&one)).abs() <= 1e-4 * last(&one));
}

/// Issue 13: `nnlab train | head -1` — the reader leaves after one line; the run goes on, keeps
/// its files and exits 0 (it panicked on the broken pipe and lost the run).
#[test]
fn a_reader_that_leaves_early_does_not_lose_the_run() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nnlab"))
        // 5,000 lines (~300 KB) overflow the pipe's buffer: the writes after the reader left fail
        .args([
            "train",
            "--epochs",
            "5000",
            "--log-every",
            "1",
            "--out",
            "run",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap(); // then the pipe's only reader is dropped
    assert!(first.starts_with("Epoch    0, Loss: 1.3632"), "{first}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run/run.json")).unwrap())
            .unwrap();
    assert_eq!(run["result"]["epochs_run"], 5000);
}

/// Issue 13: SIGTERM (what `timeout`, docker and systemd send) stops `train` after the current
/// epoch, as Ctrl-C does, and keeps a consistent run (it left an empty folder).
#[cfg(unix)]
#[test]
fn sigterm_keeps_the_run_as_ctrl_c_does() {
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(["train", "--epochs", "100000000", "--quiet", "--out", "run"])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !dir.path().join("run").exists() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300)); // some epochs
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run/run.json")).unwrap())
            .unwrap();
    let epochs = run["result"]["epochs_run"].as_u64().unwrap();
    assert!(epochs > 0 && epochs < 100_000_000, "{epochs}");
    assert!(run["result"]["stopped"]
        .as_str()
        .unwrap()
        .starts_with("interrupted after"));
    let history = std::fs::read_to_string(dir.path().join("run/history.csv")).unwrap();
    assert_eq!(history.lines().count() as u64, epochs + 1);
}

/// Issue 13: one class is not a classification (blobs with one center trained and reported 100 %),
/// and a run that diverges at its first epoch says nothing was trained (not "keeps the 0 epochs").
#[test]
fn one_class_is_refused_and_a_first_epoch_divergence_is_worded() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train",
            "--dataset",
            "blobs",
            "--centers",
            "1",
            "--out",
            "b",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("a classifier needs rows of two classes or more"),
        "{}",
        text(&out.stderr)
    );

    let out = nnlab(
        &["train", "--lr", "1e308", "--quiet", "--out", "d"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("diverged at epoch 0") && err.contains("nothing was trained before it"),
        "{err}"
    );
}

/// Issue 13: `threads = 0` in a config became 1 while `--threads 0` is refused; both refuse now.
#[test]
fn threads_zero_in_a_config_is_refused_like_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), "threads = 0\n").unwrap();
    let out = nnlab(&["train", "--config", "c.toml", "--out", "r"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("threads = 0 is not allowed"),
        "{}",
        text(&out.stderr)
    );
    let out = nnlab(&["train", "--threads", "0", "--out", "r"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}
