//! `nnlab sweep` run as a user would: the grid × seeds, files, reproducibility and bad input.

mod common;

use common::{is_png, nnlab, read_history, text};

#[test]
fn a_sweep_trains_every_setting_for_every_seed_and_each_row_reruns_with_train() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "sweep",
            "--hidden",
            "4,8",
            "--lr",
            "0.1,1",
            "--seeds",
            "0..3",
            "--epochs",
            "5",
            "--out",
            "sw",
            "--threads",
            "1",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("12 runs"),
        "{}",
        text(&out.stdout)
    );
    let runs = std::fs::read_to_string(dir.path().join("sw/runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 12);
    let summary = std::fs::read_to_string(dir.path().join("sw/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 4);
    assert!(is_png(&dir.path().join("sw/sweep.png")));

    // The row (hidden 8, lr 0.1, seed 1) is `nnlab train --hidden 8 --lr 0.1 --seed 1 --epochs 5`.
    let row: Vec<&str> = runs
        .lines()
        .find(|l| l.starts_with("8,0.1,1,"))
        .expect("the row")
        .split(',')
        .collect();
    let train = nnlab(
        &[
            "train",
            "--hidden",
            "8",
            "--lr",
            "0.1",
            "--seed",
            "1",
            "--epochs",
            "5",
            "--out",
            "t",
            "--quiet",
            "--no-figures",
            "--threads",
            "1",
        ],
        dir.path(),
    );
    assert!(train.status.success());
    // and trains on the same code, which the sweep says and records as train does
    let implementation = |file: &str| -> String {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(file)).unwrap()).unwrap();
        json["implementation"]
            .as_str()
            .expect("recorded")
            .to_string()
    };
    let code = implementation("t/run.json");
    assert!(code.starts_with("hand-written engine, fast path"), "{code}");
    assert_eq!(implementation("sw/run.json"), code);
    assert!(text(&out.stdout).contains("12 runs in "));
    assert!(text(&out.stdout).contains(&format!(" on the {code}; wrote ")));
    let history = read_history(
        &dir.path().join("t/history.csv"),
        "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm",
    );
    let last = history.last().unwrap();
    assert_eq!(row[4].parse::<f64>().unwrap(), last[1], "final loss");
    assert_eq!(
        row[6].parse::<f64>().unwrap(),
        last[3],
        "final test accuracy"
    );

    // Threads change nothing.
    let again = nnlab(
        &[
            "sweep",
            "--hidden",
            "4,8",
            "--lr",
            "0.1,1",
            "--seeds",
            "0..3",
            "--epochs",
            "5",
            "--out",
            "sw2",
            "--threads",
            "2",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(again.status.success());
    assert_eq!(
        runs,
        std::fs::read_to_string(dir.path().join("sw2/runs.csv")).unwrap()
    );
}

#[test]
fn bad_sweeps_exit_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, mention) in [
        (vec!["--seeds", "5..5"], "no seed"),
        (vec!["--seeds", "x"], "not a seed"),
        (vec!["--hidden", "0"], "--hidden"),
        (vec!["--lr", "-1"], "--lr"),
        (vec!["--epochs", "0"], "--epochs"),
    ] {
        let mut all = vec!["sweep", "--quiet", "--out", "never"];
        all.extend(args.iter().copied());
        let out = nnlab(&all, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(mention), "{args:?}: {err:?} lacks {mention:?}");
    }
    assert!(
        !dir.path().join("never").exists(),
        "bad input starts no sweep"
    );
}

/// Issue 13: a value given twice made two rows of one setting, each claiming all its runs
/// (`--hidden 8,8`), and `--seeds 1,1,1` counted three runs of one.
#[test]
fn a_value_given_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (args, words) in [
        (
            &["sweep", "--hidden", "8,8", "--seeds", "0..2"][..],
            "--hidden: 8 is given twice",
        ),
        (
            &["sweep", "--lr", "0.1,0.1", "--seeds", "0..2"],
            "--lr: 0.1 is given twice",
        ),
        (&["sweep", "--seeds", "1,1,1"], "--seeds: 1 is given twice"),
    ] {
        let out = nnlab(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(words),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}
