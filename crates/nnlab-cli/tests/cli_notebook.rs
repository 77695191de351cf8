//! `nnlab notebook`, config files and Ctrl-C, run as a user would.
//!
//! The expected epoch lines are derived from the reference histories of the project's
//! `notebook_20_epochs.json` (copied to `fixtures/reference/notebook_20_epochs_runs.json`), formatted
//! as the notebook's two print statements do.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{is_png, nnlab, notebook_lines, notebook_lines_at, read_history, text};
use serde_json::Value;

#[test]
fn the_notebook_prints_both_sections_lines_and_writes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(&["notebook"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let epoch_lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Epoch")).collect();
    let mut want = notebook_lines("numpy", 4);
    want.extend(notebook_lines("torch", 3));
    assert_eq!(epoch_lines, want);
    assert!(stdout.contains("== Summary"), "{stdout}");

    let run = dir.path().join("runs/notebook");
    assert!(is_png(&run.join("dataset.png")));
    for section in ["manual", "autograd"] {
        for figure in ["training.png", "boundary.png"] {
            assert!(
                is_png(&run.join(section).join(figure)),
                "{section}/{figure}"
            );
        }
        let history = std::fs::read_to_string(run.join(section).join("history.csv")).unwrap();
        assert_eq!(
            history.lines().count(),
            21,
            "{section}: header and 20 epochs"
        );
        let model = std::fs::read(run.join(section).join("model.safetensors")).unwrap();
        assert_eq!(
            safetensors::SafeTensors::deserialize(&model).unwrap().len(),
            4
        );
        let record: Value = serde_json::from_str(
            &std::fs::read_to_string(run.join(section).join("run.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(record["config"]["engine"], section);
        // The lesson runs the code the README explains, and says so.
        let implementation = record["implementation"].as_str().unwrap();
        let want = match section {
            "manual" => "hand-written engine, readable path (layer.rs, mlp.rs), f64",
            _ => "autograd engine (candle), f32, on cpu",
        };
        assert_eq!(implementation, want);
        // and a replay of its run.json takes the same path
        assert_eq!(record["config"]["readable"] == true, section == "manual");
        assert!(stdout.contains(&format!("   on the {want}\n")), "{stdout}");
    }
    let top: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(top["sections"].as_array().unwrap().len(), 2);

    // --quiet prints nothing at all.
    let quiet = nnlab(&["notebook", "--quiet", "--out", "q"], dir.path());
    assert!(quiet.status.success() && quiet.stdout.is_empty() && quiet.stderr.is_empty());
}

#[test]
fn fast_runs_the_numpy_section_on_the_fast_path_and_log_every_sets_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &["notebook", "--fast", "--log-every", "5", "--out", "fast"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let epoch_lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("Epoch")).collect();
    // the reference's epochs 0, 5, 10 and 15, as the notebook's print would show them
    let mut want = notebook_lines_at("numpy", 4, &[0, 5, 10, 15]);
    want.extend(notebook_lines_at("torch", 3, &[0, 5, 10, 15]));
    assert_eq!(epoch_lines, want);
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("fast/manual/run.json")).unwrap(),
    )
    .unwrap();
    let implementation = record["implementation"].as_str().unwrap();
    assert!(
        implementation.starts_with("hand-written engine, fast path, "),
        "{implementation}"
    );
    assert_ne!(
        record["config"]["readable"], true,
        "run.json replays the fast path"
    );

    // The two paths agree with each other as both agree with numpy (DESIGN.md: 1e-15 a step).
    let readable = nnlab(&["notebook", "--quiet", "--out", "readable"], dir.path());
    assert!(readable.status.success(), "{}", text(&readable.stderr));
    let header = "epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm";
    let a = read_history(&dir.path().join("fast/manual/history.csv"), header);
    let b = read_history(&dir.path().join("readable/manual/history.csv"), header);
    for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
        assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{x} vs {y}");
    }

    let zero = nnlab(&["notebook", "--log-every", "0"], dir.path());
    assert_eq!(zero.status.code(), Some(2));
    assert!(text(&zero.stderr).contains("--log-every"));
}

#[test]
fn replaying_run_json_reproduces_the_history_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let first = nnlab(
        &[
            "train",
            "--dataset",
            "circles",
            "--factor",
            "0.5",
            "--hidden",
            "16,8",
            "--lr",
            "0.3",
            "--seed",
            "7",
            "--split-seed",
            "8",
            "--epochs",
            "60",
            "--engine",
            "autograd",
            "--out",
            "first",
            "--quiet",
            "--no-figures",
        ],
        dir.path(),
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let replay = nnlab(
        &[
            "train",
            "--config",
            "first/run.json",
            "--out",
            "again",
            "--quiet",
            "--no-figures",
        ],
        dir.path(),
    );
    assert!(replay.status.success(), "{}", text(&replay.stderr));
    let read = |p: &str| std::fs::read(dir.path().join(p)).unwrap();
    assert!(
        read("first/history.csv") == read("again/history.csv"),
        "history.csv differs"
    );
    assert!(
        read("first/model.safetensors") == read("again/model.safetensors"),
        "model.safetensors differs"
    );

    // A notebook section replays too.
    assert!(nnlab(&["notebook", "--quiet", "--out", "nb"], dir.path())
        .status
        .success());
    let replay = nnlab(
        &[
            "train",
            "--config",
            "nb/manual/run.json",
            "--out",
            "nb_again",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(replay.status.success(), "{}", text(&replay.stderr));
    assert!(
        read("nb/manual/history.csv") == read("nb_again/history.csv"),
        "history.csv differs"
    );
}

#[test]
fn a_toml_config_sets_options_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("run.toml"),
        "hidden = [4]\nlr = 0.05\nepochs = 7\nseed = 3\n",
    )
    .unwrap();
    let out = nnlab(
        &[
            "train",
            "--config",
            "run.toml",
            "--epochs",
            "5",
            "--out",
            "cfg",
            "--quiet",
            "--no-figures",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("cfg/run.json")).unwrap())
            .unwrap();
    assert_eq!(record["config"]["hidden"], serde_json::json!([4]));
    assert_eq!(record["config"]["lr"], 0.05);
    assert_eq!(record["config"]["seed"], 3);
    assert_eq!(record["config"]["epochs"], 5, "the flag wins over the file");
}

#[test]
fn bad_configs_exit_with_status_2_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unknown.toml",
            "lr = 0.1\nlearning_rate = 3\n",
            "line 2: unknown field `learning_rate`",
        ),
        ("type.toml", "epochs = \"many\"\n", "line 1: invalid type"),
        ("noise.toml", "noise = -1.0\n", "noise"),
        ("hidden.toml", "hidden = [0]\n", "--hidden 0"),
        ("lr.toml", "lr = 0.0\n", "--lr 0"),
        ("syntax.toml", "lr = = 1\n", "line 1"),
        (
            "bad.json",
            "{\"run_format\": 1, \"config\": {\"lr\": \"x\"}}",
            "invalid type",
        ),
        ("flat.json", "{\"lr\": \"x\"}", "invalid type"),
        // A run.json of another format, or with no format, is no replay of this nnlab's.
        (
            "future.json",
            "{\"run_format\": 7, \"config\": {\"lr\": 0.1}}",
            "run_format 7",
        ),
        ("split.toml", "test_size = 1.5\n", "test_size"),
    ];
    for (name, content, mention) in cases {
        std::fs::write(dir.path().join(name), content).unwrap();
        let out = nnlab(
            &["train", "--config", name, "--quiet", "--out", "never"],
            dir.path(),
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(mention), "{name}: {err:?} lacks {mention:?}");
        assert!(!err.contains("panicked"));
    }
    let out = nnlab(&["train", "--config", "absent.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_keeps_the_epochs_done() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args([
            "train",
            "--epochs",
            "100000000",
            "--samples",
            "2000",
            "--out",
            "stopped",
            "--quiet",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until training is under way (the folder exists), then press Ctrl-C.
    let started = std::time::Instant::now();
    while !dir.path().join("stopped").exists() && started.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("interrupted after"),
        "{}",
        text(&out.stderr)
    );
    let history = std::fs::read_to_string(dir.path().join("stopped/history.csv")).unwrap();
    assert!(history.lines().count() > 1, "some epochs were kept");
    assert!(is_png(&dir.path().join("stopped/training.png")));
    assert!(is_png(&dir.path().join("stopped/boundary.png")));
}

#[test]
fn every_command_has_an_example_in_its_help() {
    for command in ["data", "train", "notebook", "plot", "sweep"] {
        let out = nnlab(&[command, "--help"], Path::new("."));
        let help = text(&out.stdout);
        assert!(
            help.contains("Examples:") && help.contains(&format!("nnlab {command}")),
            "{command}: {help}"
        );
    }
}
