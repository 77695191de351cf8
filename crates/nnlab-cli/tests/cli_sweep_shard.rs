//! `nnlab sweep --shard I/N` and `nnlab sweep merge`, run as a user would: the shards of a grid
//! merged are the sweep on one machine, byte for byte; bad shards and bad merges are refused.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{nnlab, text};
use serde_json::Value;

/// 2 widths × 2 rates × 5 seeds: 20 short runs.
const GRID: &[&str] = &[
    "--hidden", "4,8", "--lr", "0.1,1", "--seeds", "0..5", "--epochs", "5",
];

/// Runs `nnlab args...` in `dir` and checks that it succeeded.
fn ok(args: &[&str], dir: &Path) -> String {
    let out = nnlab(args, dir);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// `nnlab sweep GRID extra...`.
fn sweep(extra: &[&str], dir: &Path) -> String {
    let mut args = vec!["sweep"];
    args.extend(GRID);
    args.extend(extra);
    ok(&args, dir)
}

/// `nnlab sweep GRID --shard I/N --out parts/I` for every I.
fn shards(count: usize, dir: &Path) {
    for index in 1..=count {
        let (shard, out) = (format!("{index}/{count}"), format!("parts/{index}"));
        sweep(
            &[
                "--shard",
                &shard,
                "--out",
                &out,
                "--quiet",
                "--threads",
                "1",
            ],
            dir,
        );
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run_json(dir: &Path) -> Value {
    serde_json::from_slice(&read(&dir.join("run.json"))).unwrap()
}

/// The files of two sweeps are the same bytes; their run.json differs only in `seconds`.
fn assert_same_sweep(a: &Path, b: &Path) {
    for file in ["runs.csv", "summary.csv", "sweep.png"] {
        assert!(
            read(&a.join(file)) == read(&b.join(file)),
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
    let without_seconds = |dir: &Path| {
        String::from_utf8(read(&dir.join("run.json")))
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("\"seconds\":"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_seconds(a), without_seconds(b), "run.json");
}

#[test]
fn three_shards_merged_are_the_sweep_on_one_machine_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sweep(&["--out", "whole", "--quiet", "--threads", "2"], d);
    shards(3, d);

    // Each shard holds only its own runs, and together exactly the grid's, once each.
    let rows = |file: &Path| -> Vec<String> {
        let text = String::from_utf8(read(file)).unwrap();
        text.lines().skip(1).map(str::to_string).collect()
    };
    let whole: BTreeSet<String> = rows(&d.join("whole/runs.csv")).into_iter().collect();
    let mut union = BTreeSet::new();
    let mut counts = Vec::new();
    for index in 1..=3 {
        let part = d.join(format!("parts/{index}"));
        let mine = rows(&part.join("runs.csv"));
        counts.push(mine.len());
        for row in mine {
            assert!(union.insert(row.clone()), "{row} is in two shards");
        }
        assert!(!part.join("summary.csv").exists() && !part.join("sweep.png").exists());
        let record = run_json(&part);
        assert_eq!(record["shard"]["index"], index);
        assert_eq!(record["shard"]["count"], 3);
        assert_eq!(record["runs"], record["runs_planned"]);
        assert_eq!(
            record["shard"]["grid_sha256"],
            run_json(&d.join("parts/1"))["shard"]["grid_sha256"]
        );
    }
    assert_eq!(union, whole, "the shards cover the grid");
    assert_eq!(counts, [7, 7, 6], "20 runs dealt to 3 shards");

    // In any order of the folders, the merge is the whole sweep.
    let merged = ok(
        &[
            "sweep", "merge", "parts/3", "parts/1", "parts/2", "--out", "merged",
        ],
        d,
    );
    assert!(merged.contains("20 runs from 3 shards"), "{merged}");
    assert_same_sweep(&d.join("whole"), &d.join("merged"));
    ok(
        &[
            "sweep", "merge", "parts/1", "parts/2", "parts/3", "--out", "again", "--quiet",
        ],
        d,
    );
    assert_same_sweep(&d.join("merged"), &d.join("again"));
    let record = run_json(&d.join("merged"));
    assert!(
        record.get("shard").is_none(),
        "a merged sweep is a whole sweep"
    );
    assert_eq!(record["runs"], 20);
    assert_eq!(record["interrupted"], false);

    // An existing sweep is kept unless --force.
    let out = nnlab(
        &[
            "sweep", "merge", "parts/1", "parts/2", "parts/3", "--out", "merged",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    ok(
        &[
            "sweep", "merge", "parts/1", "parts/2", "parts/3", "--out", "merged", "--force",
            "--quiet",
        ],
        d,
    );
    assert_same_sweep(&d.join("whole"), &d.join("merged"));
}

#[test]
fn one_shard_of_one_merged_is_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sweep(&["--out", "whole", "--quiet"], d);
    shards(1, d);
    ok(
        &["sweep", "merge", "parts/1", "--out", "merged", "--quiet"],
        d,
    );
    assert_same_sweep(&d.join("whole"), &d.join("merged"));
}

#[test]
fn bad_shards_exit_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    for (shard, mention) in [
        ("3/2", "there is no shard 3 of 2"),
        ("0/0", "cannot be split into 0 shards"),
        ("1/0", "cannot be split into 0 shards"),
        ("0/3", "there is no shard 0 of 3"),
        ("x", "not of the form I/N"),
        ("1/x", "\"x\" is not a whole number"),
        ("21/21", "this grid has 20 runs"),
    ] {
        let mut args = vec!["sweep"];
        args.extend(GRID);
        args.extend(["--shard", shard, "--out", "never", "--quiet"]);
        let out = nnlab(&args, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{shard}: {err}");
        assert!(err.contains("--shard"), "{shard}: {err:?} names no flag");
        assert!(err.contains(mention), "{shard}: {err:?} lacks {mention:?}");
    }
    assert!(
        !dir.path().join("never").exists(),
        "bad input starts no sweep"
    );
}

#[test]
fn bad_merges_exit_with_status_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    shards(3, d);
    // Other grids and other splits.
    let mut other = vec![
        "sweep", "--hidden", "4,8", "--lr", "0.1,0.5", "--seeds", "0..5",
    ];
    other.extend([
        "--epochs", "5", "--shard", "3/3", "--out", "other-lr", "--quiet",
    ]);
    ok(&other, d);
    sweep(&["--shard", "2/4", "--out", "quarter", "--quiet"], d);
    sweep(&["--out", "whole", "--quiet"], d);
    std::fs::create_dir(d.join("empty")).unwrap();
    // A shard cut short, one with a row missing and one with a row of another shard.
    let copy = |from: &str, to: &str| {
        std::fs::create_dir(d.join(to)).unwrap();
        for file in ["runs.csv", "run.json"] {
            std::fs::copy(d.join(from).join(file), d.join(to).join(file)).unwrap();
        }
    };
    copy("parts/2", "cut");
    let mut record = run_json(&d.join("cut"));
    record["interrupted"] = true.into();
    record["runs"] = 3.into();
    std::fs::write(d.join("cut/run.json"), record.to_string()).unwrap();
    copy("parts/3", "edited");
    let mut record = run_json(&d.join("edited"));
    record["epochs"] = 6.into();
    std::fs::write(d.join("edited/run.json"), record.to_string()).unwrap();
    copy("parts/2", "short");
    let runs = String::from_utf8(read(&d.join("parts/2/runs.csv"))).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    std::fs::write(
        d.join("short/runs.csv"),
        lines[..lines.len() - 1].join("\n") + "\n",
    )
    .unwrap();
    copy("parts/2", "stolen");
    let first = String::from_utf8(read(&d.join("parts/1/runs.csv"))).unwrap();
    let stolen = format!(
        "{}\n{}\n",
        lines[..lines.len() - 1].join("\n"),
        first.lines().nth(1).unwrap()
    );
    std::fs::write(d.join("stolen/runs.csv"), stolen).unwrap();

    for (dirs, mention) in [
        (&["parts/1", "parts/3"][..], "shard 2/3 of this sweep is missing"),
        (&["parts/1", "parts/2", "parts/2", "parts/3"], "shard 2/3 is given twice: parts/2 and parts/2"),
        (&["parts/1", "parts/2", "other-lr"], "other-lr is a shard of another grid than parts/1: lr is [0.1,1.0] in parts/1, [0.1,0.5] in other-lr"),
        (&["parts/1", "quarter", "parts/3"], "quarter is shard 2/4 but parts/1 is shard 1/3"),
        (&["parts/1", "parts/2", "empty"], "empty is not a shard of a sweep"),
        (&["parts/1", "parts/2", "nowhere"], "nowhere is not a shard of a sweep: there is no such folder"),
        (&["parts/1", "parts/2", "whole"], "it holds a whole sweep"),
        (&["parts/1", "cut", "parts/3"], "cut (shard 2/3) is incomplete: it was interrupted after 3 of its 7 runs"),
        (&["parts/1", "short", "parts/3"], "6 runs where shard 2/3 has 7"),
        (
            &["parts/1", "parts/2", "edited"],
            "its run.json's grid is not the one its \"grid_sha256\" was made from",
        ),
        (&["parts/1", "stolen", "parts/3"], "is a run of shard 1/3, not of shard 2/3"),
    ] {
        let mut args = vec!["sweep", "merge"];
        args.extend(dirs);
        args.extend(["--out", "never"]);
        let out = nnlab(&args, d);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{dirs:?}: {err}");
        assert!(err.contains(mention), "{dirs:?}: {err:?} lacks {mention:?}");
        assert!(!err.contains("panicked"), "{dirs:?}: {err}");
    }
    assert!(!d.join("never").exists(), "a refused merge writes nothing");

    let out = nnlab(
        &[
            "sweep", "merge", "parts/1", "parts/2", "parts/3", "--out", "parts/1", "--force",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--out parts/1 is one of the shards"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        run_json(&d.join("parts/1"))["shard"]["index"],
        1,
        "the shard is kept"
    );

    // `merge` takes no sweep flags, and needs folders.
    for args in [
        &["sweep", "--hidden", "4", "merge", "parts/1"][..],
        &["sweep", "merge"],
    ] {
        assert_eq!(nnlab(args, d).status.code(), Some(2), "{args:?}");
    }
}
