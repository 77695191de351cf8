//! The hostile-input suite (issue 13, "Hardening"): bad flags, files, configs, outputs, signals,
//! pipes and concurrent runs, each run against the real binary in a fresh temporary folder.
//!
//! Every case is a row of a table: its argv (and optionally files to create first, a setup step,
//! standard input, or a runner of its own for signals, pipes and races), the exit status it must
//! end with, what its standard error must say (the flag, file or line named, and what to do), and
//! the files it must leave or not leave. For every case the suite also asserts that:
//!
//! - standard error holds no panic (`panicked`, `RUST_BACKTRACE`, `internal error`);
//! - no temporary file (`.nnlab-*`) is left anywhere under the case's folder;
//! - nothing was written outside it: the case runs with `HOME` and `TMPDIR` pointing at empty
//!   folders beside its working folder, which must still be empty afterwards, and nothing new may
//!   appear beside the working folder.
//!
//! Cases run in parallel threads; the runs are tiny (`--samples 40 --epochs 2 --no-figures`).
//! Rows marked `.bug(...)` describe the behaviour that is wanted but not there yet: the main tests
//! skip them and `known_bugs` (ignored; `cargo test --test hostile -- --ignored`) runs them.
//!
//! Running as root: `chmod` does not stop root from writing, so the read-only-folder cases then use
//! a folder of /proc (which no one can create files in) instead of a `chmod 555` one.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_nnlab");

/// What no message may ever hold.
const FORBIDDEN: &[&str] = &["panicked", "RUST_BACKTRACE", "internal error"];

/// A tiny training run (argv prefix), and one into `r`.
const TINY: &str = "train --samples 40 --epochs 2 --no-figures --quiet";
const TRAIN: &str = "train --samples 40 --epochs 2 --no-figures --quiet --out r";
/// A tiny sweep, and one into `s`.
const TINY_SWEEP: &str = "sweep --samples 40 --epochs 2 --seeds 0..2 --quiet";
const SWEEP: &str = "sweep --samples 40 --epochs 2 --seeds 0..2 --quiet --out s";

/// Parallel workers per table (the runs are short; most of the time is process start-up).
const WORKERS: usize = 4;

/// What a command did.
struct Ran {
    /// The exit status, or 1000 + the signal that killed it.
    status: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Ran {
    fn from_output(output: std::process::Output) -> Ran {
        Ran {
            status: code(output.status),
            stdout: output.stdout,
            stderr: output.stderr,
        }
    }
}

fn code(status: ExitStatus) -> i32 {
    status
        .code()
        .unwrap_or_else(|| 1000 + status.signal().unwrap_or(0))
}

type Runner = fn(&Path, &[String]) -> Ran;
type Check = fn(&Path, &Ran) -> Result<(), String>;

/// The exit status a case must end with.
#[derive(Clone, Copy)]
enum Status {
    Is(i32),
    /// 1 or 2: a failure whose kind depends on the machine (a read-only folder as root or not).
    Failure,
}

/// One row of the suite.
struct Case {
    name: String,
    args: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
    setup: Option<fn(&Path)>,
    /// A second setup step (the plot cases: make a run, then spoil it).
    spoil: Option<fn(&Path)>,
    stdin: Option<Vec<u8>>,
    runner: Option<Runner>,
    status: Status,
    stderr: Vec<String>,
    exists: Vec<String>,
    absent: Vec<String>,
    check: Option<Check>,
    /// A killed process may leave its lock file (`.nnlab-lock`), which the next run takes over.
    lock_may_stay: bool,
    /// Not the behaviour yet: why (run by `known_bugs` only).
    bug: Option<&'static str>,
}

/// Splits a command line on spaces; `''` is an empty argument.
fn argv(line: &str) -> Vec<String> {
    line.split_whitespace()
        .map(|w| if w == "''" { String::new() } else { w.into() })
        .collect()
}

fn case(name: impl Into<String>, line: &str, status: i32, stderr: &[&str]) -> Case {
    case_args(name, argv(line), status, stderr)
}

fn case_args(name: impl Into<String>, args: Vec<String>, status: i32, stderr: &[&str]) -> Case {
    Case {
        name: name.into(),
        args,
        files: Vec::new(),
        setup: None,
        spoil: None,
        stdin: None,
        runner: None,
        status: Status::Is(status),
        stderr: stderr.iter().map(|s| s.to_string()).collect(),
        exists: Vec::new(),
        absent: Vec::new(),
        check: None,
        lock_may_stay: false,
        bug: None,
    }
}

impl Case {
    fn file(mut self, name: &str, contents: impl AsRef<[u8]>) -> Case {
        self.files.push((name.into(), contents.as_ref().to_vec()));
        self
    }
    fn setup(mut self, setup: fn(&Path)) -> Case {
        self.setup = Some(setup);
        self
    }
    fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Case {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }
    fn runner(mut self, runner: Runner) -> Case {
        self.runner = Some(runner);
        self
    }
    fn exists(mut self, paths: &[&str]) -> Case {
        self.exists.extend(paths.iter().map(|p| p.to_string()));
        self
    }
    fn absent(mut self, paths: &[&str]) -> Case {
        self.absent.extend(paths.iter().map(|p| p.to_string()));
        self
    }
    fn check(mut self, check: Check) -> Case {
        self.check = Some(check);
        self
    }
    fn failure(mut self) -> Case {
        self.status = Status::Failure;
        self
    }
    fn lock_may_stay(mut self) -> Case {
        self.lock_may_stay = true;
        self
    }
    fn bug(mut self, why: &'static str) -> Case {
        self.bug = Some(why);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Running cases

/// `nnlab` in `work`, with HOME and TMPDIR in the case's own folders and no backtraces asked for.
fn nnlab_command(work: &Path) -> Command {
    let root = work.parent().expect("the work folder has a parent");
    let mut command = Command::new(BIN);
    command
        .current_dir(work)
        .env("HOME", root.join("home"))
        .env("TMPDIR", root.join("tmp"))
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    command
}

/// Runs `nnlab args` in `work` to the end (standard input empty unless given).
fn run_plain(work: &Path, args: &[String], stdin: Option<&[u8]>) -> Ran {
    let mut child = nnlab_command(work)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nnlab starts");
    let mut input = child.stdin.take().expect("piped stdin");
    let bytes = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let _ = input.write_all(&bytes); // nnlab may not read it all
    });
    let output = wait_output(child, Duration::from_secs(120));
    let _ = feeder.join();
    output
}

/// Waits for `child` (its stdout and stderr piped) with a deadline; a hung process is killed and
/// reported as status 999.
fn wait_output(mut child: Child, limit: Duration) -> Ran {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = wait_until(&mut child, limit);
    Ran {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn wait_until(child: &mut Child, limit: Duration) -> i32 {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting works") {
            return code(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return 999;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every path under `dir` (not following symlinks).
fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        found.push(path.clone());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, found);
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs one case in a fresh folder; `Err` describes everything that was wrong.
fn run_case(case: &Case) -> Result<(), String> {
    let root = tempfile::Builder::new()
        .prefix("nnlab-hostile-")
        .tempdir()
        .map_err(|e| format!("{}: no temporary folder: {e}", case.name))?;
    let work = root.path().join("work");
    for folder in ["work", "home", "tmp"] {
        fs::create_dir(root.path().join(folder)).unwrap();
    }
    for (name, contents) in &case.files {
        let path = work.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
    }
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Some(setup) = case.setup {
            setup(&work);
        }
        if let Some(spoil) = case.spoil {
            spoil(&work);
        }
        match case.runner {
            Some(runner) => runner(&work, &case.args),
            None => run_plain(&work, &case.args, case.stdin.as_deref()),
        }
    }));
    let ran = match ran {
        Ok(ran) => ran,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(format!(
                "case {:?}: its setup or runner failed: {message}",
                case.name
            ));
        }
    };
    let stderr = text(&ran.stderr);
    let mut problems = Vec::new();
    match case.status {
        Status::Is(want) if ran.status != want => {
            problems.push(format!("exit status {}, want {want}", ran.status))
        }
        Status::Failure if ![1, 2].contains(&ran.status) => {
            problems.push(format!("exit status {}, want 1 or 2", ran.status))
        }
        _ => {}
    }
    for want in &case.stderr {
        if !stderr.contains(want.as_str()) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    for bad in FORBIDDEN {
        if stderr.contains(bad) {
            problems.push(format!("stderr holds {bad:?}"));
        }
    }
    for path in &case.exists {
        if fs::symlink_metadata(work.join(path)).is_err() {
            problems.push(format!("{path} should exist"));
        }
    }
    for path in &case.absent {
        if fs::symlink_metadata(work.join(path)).is_ok() {
            problems.push(format!("{path} should not exist"));
        }
    }
    let mut everything = Vec::new();
    walk(&work, &mut everything);
    for path in &everything {
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with(".nnlab-") && !(case.lock_may_stay && name == ".nnlab-lock") {
            problems.push(format!("left behind: {}", path.display()));
        }
    }
    for folder in ["home", "tmp"] {
        let mut inside = Vec::new();
        walk(&root.path().join(folder), &mut inside);
        if !inside.is_empty() {
            problems.push(format!("wrote outside its folder: {inside:?}"));
        }
    }
    let beside: Vec<String> = fs::read_dir(root.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !["work", "home", "tmp"].contains(&n.as_str()))
        .collect();
    if !beside.is_empty() {
        problems.push(format!("wrote beside its folder: {beside:?}"));
    }
    if let Some(check) = case.check {
        if let Err(problem) = check(&work, &ran) {
            problems.push(problem);
        }
    }
    // A chmod 555 folder must be writable again for the temporary folder to go.
    for path in &everything {
        if path.is_dir() && !path.is_symlink() {
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o755));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut report = format!("case {:?}", case.name);
    if let Some(why) = case.bug {
        let _ = write!(report, " (known bug: {why})");
    }
    let _ = write!(
        report,
        "\n  argv: nnlab {:?}\n  status: {}\n  problems: {}\n  stdout: {}\n  stderr: {}",
        case.args,
        ran.status,
        problems.join("; "),
        text(&ran.stdout).chars().take(2000).collect::<String>(),
        stderr.chars().take(4000).collect::<String>(),
    );
    Err(report)
}

/// Runs the cases (the known bugs, or the others) in parallel; panics listing every failure.
fn run_all(cases: Vec<Case>, bugs: bool) {
    let cases: Vec<Case> = cases
        .into_iter()
        .filter(|c| c.bug.is_some() == bugs)
        .collect();
    let failures = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                if let Err(report) = run_case(case) {
                    failures.lock().unwrap().push(report);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Runs `nnlab line` in `dir` and insists that it succeeds (for setup steps).
fn nnlab_ok(dir: &Path, line: &str) {
    let ran = run_plain(dir, &argv(line), None);
    assert_eq!(
        ran.status,
        0,
        "setup `nnlab {line}` failed: {}",
        text(&ran.stderr)
    );
}

fn read_json(path: &Path) -> Result<Value, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A run folder that is whole and agrees with itself: history rows == run.json's epochs_run, and a
/// model of the given first-layer shape. Returns run.json.
fn consistent_run(folder: &Path, first_layer: [usize; 2]) -> Result<Value, String> {
    let run = read_json(&folder.join("run.json"))?;
    let history = fs::read_to_string(folder.join("history.csv")).map_err(|e| e.to_string())?;
    let rows = history.lines().count().saturating_sub(1);
    let epochs = run["result"]["epochs_run"].as_u64().unwrap_or(u64::MAX) as usize;
    if rows != epochs || rows == 0 {
        return Err(format!(
            "{}: history.csv has {rows} rows, run.json says epochs_run {epochs}",
            folder.display()
        ));
    }
    for (i, line) in history.lines().skip(1).enumerate() {
        if !line.starts_with(&format!("{i},")) {
            return Err(format!("history.csv row {i} is {line:?}"));
        }
    }
    let bytes = fs::read(folder.join("model.safetensors")).map_err(|e| e.to_string())?;
    let tensors = safetensors::SafeTensors::deserialize(&bytes).map_err(|e| e.to_string())?;
    let weight = tensors
        .tensor("network.0.weight")
        .map_err(|e| e.to_string())?;
    if weight.shape() != first_layer {
        return Err(format!("network.0.weight has shape {:?}", weight.shape()));
    }
    Ok(run)
}

// ---------------------------------------------------------------------------------------------
// Flags

/// `(value, status, what stderr must say)` for one flag, as separate cases.
fn flag_cases(base: &str, flag: &str, rows: &[(&str, i32, &str)]) -> Vec<Case> {
    rows.iter()
        .map(|&(value, status, says)| {
            let mut args = argv(base);
            if let Some(eq) = value.strip_prefix('=') {
                args.push(format!("{flag}={eq}"));
            } else {
                args.push(flag.into());
                args.push(value.into());
            }
            let shown = if value.is_empty() { "''" } else { value };
            let mut c = case_args(format!("{base} {flag} {shown}"), args, status, &[says]);
            if status != 0 {
                c = c.absent(&["r", "s", "nb", "out.csv"]);
            }
            c
        })
        .collect()
}

const HUGE_INT: &str = "18446744073709551616"; // 2^64

fn flag_table() -> Vec<Case> {
    let mut cases = Vec::new();
    let data = "data --samples 5 -o out.csv";

    // nnlab data: integers
    cases.extend(flag_cases(
        "data -o out.csv",
        "--samples",
        &[
            ("-1", 2, "invalid value '-1' for '--samples <N>'"),
            ("0", 2, "0 is not in 1..=100000000"),
            ("NaN", 2, "invalid value 'NaN' for '--samples <N>'"),
            ("inf", 2, "invalid value 'inf' for '--samples <N>'"),
            ("1e308", 2, "invalid value '1e308' for '--samples <N>'"),
            (HUGE_INT, 2, "number too large to fit in target type"),
            ("abc", 2, "invalid value 'abc' for '--samples <N>'"),
            ("", 2, "cannot parse integer from empty string"),
            ("100000001", 2, "100000001 is not in 1..=100000000"),
        ],
    ));
    cases.extend(flag_cases(
        data,
        "--noise",
        &[
            (
                "-1",
                2,
                "'--noise <F>': -1 is not allowed: give a finite number >= 0",
            ),
            ("NaN", 2, "NaN is not allowed: give a finite number >= 0"),
            ("inf", 2, "inf is not allowed: give a finite number >= 0"),
            ("abc", 2, "'--noise <F>': \"abc\" is not a number"),
            ("", 2, "'--noise <F>': \"\" is not a number"),
            ("0", 0, ""),
        ],
    ));
    cases.extend(flag_cases(
        "data circles --samples 5 -o out.csv",
        "--factor",
        &[
            ("-1", 2, "'--factor <F>': -1 is not allowed"),
            ("NaN", 2, "'--factor <F>': NaN is not allowed"),
            ("inf", 2, "'--factor <F>': inf is not allowed"),
            ("1", 2, "invalid factor = 1: the inner circle's radius relative to the outer one must be in [0, 1)"),
            ("1e308", 2, "must be in [0, 1)"),
            ("abc", 2, "'--factor <F>': \"abc\" is not a number"),
        ],
    ));
    cases.extend(flag_cases(
        "data blobs --samples 5 -o out.csv",
        "--cluster-std",
        &[
            ("-1", 2, "'--cluster-std <F>': -1 is not allowed"),
            ("NaN", 2, "'--cluster-std <F>': NaN is not allowed"),
            ("inf", 2, "'--cluster-std <F>': inf is not allowed"),
            ("", 2, "'--cluster-std <F>': \"\" is not a number"),
        ],
    ));
    cases.extend(flag_cases(
        "data blobs --samples 5 -o out.csv",
        "--centers",
        &[
            ("0", 2, "'--centers <K>': 0 is not in 1..=1000000"),
            ("-1", 2, "invalid value '-1' for '--centers <K>'"),
            (HUGE_INT, 2, "'--centers <K>': number too large"),
            ("1e308", 2, "invalid value '1e308' for '--centers <K>'"),
        ],
    ));
    cases.extend(flag_cases(
        "data blobs --samples 5 -o out.csv",
        "--features",
        &[
            ("0", 2, "'--features <D>': 0 is not in 1..=10000"),
            ("10001", 2, "'--features <D>': 10001 is not in 1..=10000"),
            ("NaN", 2, "invalid value 'NaN' for '--features <D>'"),
        ],
    ));
    cases.extend(flag_cases(
        "data spiral --samples 5 -o out.csv",
        "--classes",
        &[
            ("0", 2, "'--classes <K>': 0 is not in 2..=1000"),
            ("1", 2, "'--classes <K>': 1 is not in 2..=1000"),
            ("inf", 2, "invalid value 'inf' for '--classes <K>'"),
        ],
    ));
    cases.extend(flag_cases(
        data,
        "--seed",
        &[
            ("-1", 2, "'--seed <S>': -1 is not in 0..=4294967295"),
            (
                "4294967296",
                2,
                "invalid value '4294967296' for '--seed <S>'",
            ),
            ("NaN", 2, "invalid value 'NaN' for '--seed <S>'"),
            (
                "",
                2,
                "'--seed <S>': cannot parse integer from empty string",
            ),
        ],
    ));
    cases.extend(flag_cases(
        data,
        "--test-size",
        &[
            (
                "-1",
                2,
                "-1 is not a share strictly between 0 and 1 (e.g. 0.2) nor a row count (e.g. 200)",
            ),
            (
                "0",
                2,
                "--test-size: invalid test size = 0: a row count must be between 1 and 4",
            ),
            (
                "5",
                2,
                "a row count must be between 1 and 4 (the dataset has 5 rows)",
            ),
            ("1.0", 2, "1.0 is not a share strictly between 0 and 1"),
            ("NaN", 2, "NaN is not a share strictly between 0 and 1"),
            ("inf", 2, "inf is not a share strictly between 0 and 1"),
            ("1e308", 2, "1e308 is not a share strictly between 0 and 1"),
            (HUGE_INT, 2, "18446744073709551616 is too large a row count"),
            (
                "abc",
                2,
                "\"abc\" is not a number: give a share such as 0.2 or a row count such as 200",
            ),
            ("", 2, "\"\" is not a number: give a share such as 0.2"),
        ],
    ));
    cases.push(case(
        "data unknown dataset",
        "data bogus",
        2,
        &[
            "invalid value 'bogus' for '[GENERATOR]'",
            "possible values: moons, circles, blobs",
        ],
    ));
    cases.push(case(
        "data --factor for moons",
        "data --factor 0.5",
        2,
        &["--factor does not apply to moons: it is for circles only"],
    ));
    cases.push(case(
        "data --noise for blobs",
        "data blobs --noise 0.1",
        2,
        &["--noise does not apply to blobs", "--cluster-std"],
    ));
    cases.push(case(
        "data --classes for moons",
        "data --classes 3",
        2,
        &["--classes does not apply to moons: it is for spiral only"],
    ));
    cases.push(case(
        "data -o given twice",
        "data -o a.csv -o b.csv",
        2,
        &["'--output <FILE>' cannot be used multiple times"],
    ));
    cases.push(
        case(
            "data --noise 1e308 overflows into inf",
            "data --samples 5 --noise 1e308 -o out.csv",
            2,
            &["--noise"],
        )
        .absent(&["out.csv"]),
    );
    cases.push(
        case(
            "data --cluster-std 1e308 overflows into inf",
            "data blobs --samples 5 --cluster-std 1e308 -o out.csv",
            2,
            &["--cluster-std"],
        )
        .absent(&["out.csv"]),
    );

    // nnlab train: numbers
    let tiny_no_epochs = "train --samples 40 --no-figures --quiet --out r";
    cases.extend(flag_cases(
        tiny_no_epochs,
        "--epochs",
        &[
            ("-1", 2, "invalid value '-1' for '--epochs <N>'"),
            ("0", 2, "--epochs 0: train for at least 1 epoch"),
            ("NaN", 2, "invalid value 'NaN' for '--epochs <N>'"),
            (HUGE_INT, 2, "'--epochs <N>': number too large"),
            (
                "",
                2,
                "'--epochs <N>': cannot parse integer from empty string",
            ),
        ],
    ));
    cases.extend(flag_cases(
        "train --epochs 2 --no-figures --quiet --out r",
        "--samples",
        &[
            ("0", 2, "'--samples <N>': 0 is not in 1..=100000000"),
            ("1", 2, "--test-size: invalid test size = 0.2: with 1 rows it leaves 0 training and 1 test rows; both need at least one"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--lr",
        &[
            (
                "-1",
                2,
                "--lr -1: the learning rate must be a finite number > 0, e.g. 0.1",
            ),
            (
                "0",
                2,
                "--lr 0: the learning rate must be a finite number > 0",
            ),
            (
                "NaN",
                2,
                "--lr NaN: the learning rate must be a finite number > 0",
            ),
            (
                "inf",
                2,
                "--lr inf: the learning rate must be a finite number > 0",
            ),
            ("abc", 2, "invalid value 'abc' for '--lr <F>'"),
            ("", 2, "'--lr <F>': cannot parse float from empty string"),
        ],
    ));
    cases.push(
        case(
            "train --lr 1e308 diverges and keeps its history",
            &format!("{TRAIN} --lr 1e308"),
            1,
            &[
                "training diverged at epoch 0",
                "Try a lower --lr (now 1e308)",
            ],
        )
        .exists(&["r/history.csv", "r/run.json"])
        .absent(&["r/model.safetensors"]),
    );
    cases.extend(flag_cases(
        TRAIN,
        "--lr-at",
        &[
            (
                "5=-1",
                2,
                "\"5=-1\": the learning rate must be a finite number > 0",
            ),
            (
                "5=NaN",
                2,
                "\"5=NaN\": the learning rate must be a finite number > 0",
            ),
            (
                "5=0",
                2,
                "\"5=0\": the learning rate must be a finite number > 0",
            ),
            ("5=0.1,5=0.2", 2, "--lr-at 5=0.2: the epochs must rise"),
            ("5=0.1,,6=0.1", 2, "\"\": give EPOCH=LR, e.g. 100=0.03"),
            ("1e308=0.1", 2, "\"1e308=0.1\": give EPOCH=LR"),
            ("=-1=0.1", 2, "\"-1=0.1\": give EPOCH=LR"),
            ("bogus", 2, "\"bogus\": give EPOCH=LR, e.g. 100=0.03"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--batch-size",
        &[
            ("0", 2, "--batch-size 0: a batch needs at least 1 row, e.g. --batch-size 32 (leave it out for full batch)"),
            ("-1", 2, "invalid value '-1' for '--batch-size <N>'"),
            (HUGE_INT, 2, "'--batch-size <N>': number too large"),
            ("18446744073709551615", 0, ""),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--momentum",
        &[
            ("-1", 2, "--momentum -1: must be in [0, 1), e.g. 0.9"),
            ("1", 2, "--momentum 1: must be in [0, 1)"),
            ("NaN", 2, "--momentum NaN: must be in [0, 1)"),
            ("inf", 2, "--momentum inf: must be in [0, 1)"),
            ("1e308", 2, "must be in [0, 1)"),
            ("abc", 2, "invalid value 'abc' for '--momentum <F>'"),
        ],
    ));
    cases.extend(flag_cases(
        &format!("{TRAIN} --optimizer adam"),
        "--eps",
        &[
            ("-1", 2, "--eps -1: must be a finite number > 0, e.g. 1e-8"),
            ("0", 2, "--eps 0: must be a finite number > 0"),
            ("NaN", 2, "--eps NaN: must be a finite number > 0"),
            ("inf", 2, "--eps inf: must be a finite number > 0"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--eps",
        &[(
            "0.001",
            2,
            "--eps 0.001: eps is Adam's: use --optimizer adam or adamw",
        )],
    ));
    for (flag, example) in [
        ("--weight-decay", "0.01"),
        ("--l1", "0.001"),
        ("--l2", "0.001"),
    ] {
        let says = format!("must be a finite number ≥ 0, e.g. {example}");
        cases.extend(flag_cases(
            TRAIN,
            flag,
            &[
                ("-1", 2, &format!("{flag} -1: {says}")),
                ("NaN", 2, &format!("{flag} NaN: {says}")),
                ("inf", 2, &format!("{flag} inf: {says}")),
                (
                    "",
                    2,
                    &format!("'{flag} <F>': cannot parse float from empty string"),
                ),
            ],
        ));
    }
    cases.extend(flag_cases(
        TRAIN,
        "--threads",
        &[
            ("0", 2, "'--threads <N>': 0 is not in 1..=1024"),
            ("=-1", 2, "'--threads <N>': -1 is not in 1..=1024"),
            ("1025", 2, "'--threads <N>': 1025 is not in 1..=1024"),
            ("abc", 2, "invalid value 'abc' for '--threads <N>'"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--log-every",
        &[
            (
                "0",
                2,
                "--log-every must be at least 1 (use --quiet to print no epoch lines)",
            ),
            ("-1", 2, "invalid value '-1' for '--log-every <N>'"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--max-data-mb",
        &[
            ("0", 2, "invalid value '0' for '--max-data-mb <MB>'"),
            ("abc", 2, "invalid value 'abc' for '--max-data-mb <MB>'"),
        ],
    ));
    for flag in [
        "--data-seed",
        "--split-seed",
        "--init-seed",
        "--shuffle-seed",
    ] {
        cases.extend(flag_cases(
            TRAIN,
            flag,
            &[
                (
                    "-1",
                    2,
                    &format!("'{flag} <S>': -1 is not in 0..=4294967295"),
                ),
                (HUGE_INT, 2, &format!("'{flag} <S>': number too large")),
            ],
        ));
    }
    cases.extend(flag_cases(
        TRAIN,
        "--test-size",
        &[
            ("=-1", 2, "-1 is not a share strictly between 0 and 1"),
            (
                "40",
                2,
                "a row count must be between 1 and 39 (the dataset has 40 rows)",
            ),
            (
                "0.999",
                2,
                "with 40 rows it leaves 0 training and 40 test rows; both need at least one",
            ),
            ("39", 0, ""),
        ],
    ));
    // lists
    cases.extend(flag_cases(
        TRAIN,
        "--hidden",
        &[
            ("8,,8", 2, "invalid value '' for '--hidden <W,...>'"),
            (",8", 2, "invalid value '' for '--hidden <W,...>'"),
            ("8,", 2, "invalid value '' for '--hidden <W,...>'"),
            ("", 2, "invalid value '' for '--hidden <W,...>'"),
            (
                "0",
                2,
                "--hidden 0: every hidden layer needs 1 to 1048576 units",
            ),
            (
                "100000000",
                2,
                "--hidden 100000000: every hidden layer needs 1 to 1048576 units",
            ),
            ("-1", 2, "invalid value '-1' for '--hidden <W,...>'"),
            ("8,8", 0, ""),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--activation",
        &[
            ("bogus", 2, "unknown activation \"bogus\": choose one of relu, leaky-relu, tanh, sigmoid, linear"),
            ("", 2, "unknown activation \"\""),
            ("relu,,tanh", 2, "unknown activation \"\""),
            ("relu,tanh", 2, "--activation relu,tanh: give one activation for all hidden layers or one per hidden layer (1 here)"),
        ],
    ));
    cases.extend(flag_cases(
        &format!("{TRAIN} --optimizer adam"),
        "--betas",
        &[
            (
                "1,0.9",
                2,
                "--betas 1,0.9: both betas must be in [0, 1), e.g. 0.9,0.999",
            ),
            (
                "NaN,0.9",
                2,
                "--betas NaN,0.9: both betas must be in [0, 1)",
            ),
            (
                "0.9,inf",
                2,
                "--betas 0.9,inf: both betas must be in [0, 1)",
            ),
            ("=-1,0.5", 2, "--betas -1,0.5: both betas must be in [0, 1)"),
            (
                "0.9",
                2,
                "\"0.9\" is one number: give both betas, such as 0.9,0.999",
            ),
            ("0.9,0.999,0.5", 2, "give two numbers such as 0.9,0.999"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--inputs",
        &[
            (
                "bogus",
                2,
                "--inputs bogus: invalid input feature = \"bogus\": use xi, xi^2, xi*xj or sin(xi)",
            ),
            ("", 2, "item 1 is empty: separate features by single commas"),
            (
                "x0,,x1",
                2,
                "item 2 is empty: separate features by single commas",
            ),
            (
                "x0,x0",
                2,
                "gives the same column as item 1 (x0): list each feature once",
            ),
            (
                "x5",
                2,
                "the data has 2 feature columns, x0 to x1: name only those",
            ),
            ("x0*x1,sin(x1)", 0, ""),
        ],
    ));
    // enums
    for (flag, values) in [
        (
            "--dataset",
            "moons, circles, blobs, xor, gauss, spiral, plane, multi-gauss",
        ),
        ("--engine", "manual, autograd"),
        ("--dtype", "f32, f64"),
        ("--device", "cpu, cuda"),
        ("--init", "notebook, torch, file"),
        ("--boundary", "class, probability"),
    ] {
        let says = format!("possible values: {values}");
        cases.extend(flag_cases(
            TRAIN,
            flag,
            &[
                ("bogus", 2, &says),
                ("", 2, &format!("a value is required for '{flag} ")),
            ],
        ));
    }
    cases.extend(flag_cases(
        TRAIN,
        "--optimizer",
        &[
            (
                "bogus",
                2,
                "unknown optimizer \"bogus\": choose sgd, adam or adamw",
            ),
            ("", 2, "unknown optimizer \"\": choose sgd, adam or adamw"),
        ],
    ));
    cases.extend(flag_cases(
        TRAIN,
        "--task",
        &[
            (
                "bogus",
                2,
                "unknown task \"bogus\": choose binary, multiclass or regression",
            ),
            (
                "multiclass",
                2,
                "--task multiclass: the data has 2 classes; a multi-class task needs 3 or more",
            ),
        ],
    ));
    // conflicting or incomplete flags
    for (name, extra, says) in [
        ("--init with --init-from", "--init torch --init-from w.safetensors", "the argument '--init <FROM>' cannot be used with '--init-from <FILE>'"),
        ("--data with --dataset", "--data d.csv --dataset circles", "cannot be used with '--data <FILE>'"),
        ("--factor for moons", "--factor 0.5", "--factor does not apply to moons: it is for circles only"),
        ("--noise for blobs", "--dataset blobs --noise 0.1", "--noise does not apply to blobs"),
        ("--classes for moons", "--classes 3", "--classes does not apply to moons: it is for spiral only"),
        ("--nesterov without momentum", "--nesterov", "Nesterov momentum needs a momentum, e.g. --momentum 0.9 --nesterov"),
        ("--momentum with adam", "--optimizer adam --momentum 0.9", "--momentum 0.9: momentum is SGD's; Adam's are --betas B1,B2"),
        ("--betas with sgd", "--betas 0.9,0.99", "betas are Adam's: use --optimizer adam or adamw"),
        ("--device cuda for the manual engine", "--device cuda", "--device cuda: the hand-written engine runs on the CPU (use --engine autograd)"),
        ("--init file without a file", "--init file", "--init file needs --init-from FILE"),
        ("--activation per layer, too many", "--hidden 8,8 --activation relu,tanh,relu", "one per hidden layer (2 here)"),
        ("--hidden with a zero layer", "--hidden 8,0", "every hidden layer needs 1 to 1048576 units"),
        ("--epochs given twice", "--epochs 3", "the argument '--epochs <N>' cannot be used multiple times"),
        ("blobs with one center", "--dataset blobs --centers 1", "every label is 0: a classifier needs rows of two classes or more (with --dataset blobs, --centers 2 or more"),
        ("spiral with one class", "--dataset spiral --classes 1", "'--classes <K>': 1 is not in 2..=1000"),
    ] {
        cases.push(
            case(format!("train {name}"), &format!("{TRAIN} {extra}"), 2, &[says])
                .absent(&["r"]),
        );
    }
    cases.push(
        case(
            "train --engine autograd --readable is refused",
            &format!("{TRAIN} --engine autograd --readable"),
            2,
            &["--readable"],
        )
        .absent(&["r"]),
    );
    cases.push(case(
        "train --threads -1 names --threads",
        &format!("{TRAIN} --threads -1"),
        2,
        &["--threads"],
    ));
    // A negative value is the flag's value, named in the refusal (it was "unexpected argument").
    for (flag, value) in [
        ("--max-data-mb", "-1"),
        ("--test-size", "-1"),
        ("--lr-at", "-1=0.1"),
        ("--betas", "-1,0.5 --optimizer adam"),
    ] {
        cases.push(
            case(
                format!("train {flag} {value} names {flag}"),
                &format!("{TRAIN} {flag} {value}"),
                2,
                &[flag],
            )
            .absent(&["r"]),
        );
    }
    cases.push(case(
        "sweep --seeds -1..3 names --seeds",
        "sweep --seeds -1..3 --quiet",
        2,
        &["--seeds"],
    ));
    cases.push(case(
        "serve --port -1 names --port",
        "serve --port -1",
        2,
        &["--port"],
    ));
    // A name that no Host header can carry was accepted and matched nothing.
    for name in ["", "a b", "lab.local/x"] {
        cases.push(case_args(
            format!("serve --allow-host {name:?} is refused"),
            vec!["serve".into(), "--allow-host".into(), name.into()],
            2,
            &["is not a host name"],
        ));
    }

    // nnlab sweep
    cases.extend(flag_cases(
        SWEEP,
        "--hidden",
        &[
            ("8,,8", 2, "invalid value '' for '--hidden <W,...>'"),
            ("0", 2, "--hidden 0: every hidden layer needs 1 to 1048576 units"),
            ("4,4", 2, "--hidden: 4 is given twice; give each value once (each is one setting of the sweep)"),
        ],
    ));
    cases.extend(flag_cases(
        SWEEP,
        "--lr",
        &[
            (
                "-1",
                2,
                "--lr -1: the learning rate must be a finite number > 0",
            ),
            (
                "0",
                2,
                "--lr 0: the learning rate must be a finite number > 0",
            ),
            (
                "NaN",
                2,
                "--lr NaN: the learning rate must be a finite number > 0",
            ),
            (
                "inf",
                2,
                "--lr inf: the learning rate must be a finite number > 0",
            ),
            ("0.1,,1", 2, "invalid value '' for '--lr <F,...>'"),
            ("0.1,0.1", 2, "--lr: 0.1 is given twice"),
        ],
    ));
    cases.extend(flag_cases(
        "sweep --samples 40 --epochs 2 --quiet --out s",
        "--seeds",
        &[
            ("1,1", 2, "--seeds: 1 is given twice; give each value once"),
            (
                "5..5",
                2,
                "\"5..5\" holds no seed: give a range such as 0..10 or a list such as 1,2,3",
            ),
            ("5..2", 2, "\"5..2\" holds no seed"),
            ("=-1..3", 2, "\"-1\" is not a seed (0 to 4294967295)"),
            ("abc", 2, "\"abc\" is not a seed (0 to 4294967295)"),
            ("", 2, "\"\" is not a seed"),
            ("1,,2", 2, "\"\" is not a seed"),
            (
                "0..2000000",
                2,
                "\"0..2000000\" holds 2000000 seeds; at most 1000000",
            ),
            ("0..4294967296", 2, "\"4294967296\" is not a seed"),
        ],
    ));
    cases.extend(flag_cases(
        "sweep --samples 40 --seeds 0..2 --quiet --out s",
        "--epochs",
        &[
            ("0", 2, "--epochs 0: train for at least 1 epoch"),
            ("=-1", 2, "invalid value '-1' for '--epochs <N>'"),
        ],
    ));
    cases.extend(flag_cases(
        SWEEP,
        "--threads",
        &[
            ("0", 2, "'--threads <N>': 0 is not in 1..=1024"),
            ("1025", 2, "'--threads <N>': 1025 is not in 1..=1024"),
        ],
    ));
    cases.extend(flag_cases(
        SWEEP,
        "--activation",
        &[(
            "relu,tanh",
            2,
            "unknown activation \"relu,tanh\": choose one of relu, leaky-relu, tanh, sigmoid, linear",
        )],
    ));
    cases.push(
        case(
            "sweep whose every run diverges records it",
            &format!("{SWEEP} --lr 1e308"),
            0,
            &[],
        )
        .exists(&["s/runs.csv", "s/summary.csv", "s/run.json"])
        .check(|work, _| {
            let runs = fs::read_to_string(work.join("s/runs.csv")).unwrap();
            let rows: Vec<&str> = runs.lines().skip(1).collect();
            if rows.len() == 2 && rows.iter().all(|r| r.ends_with(",true")) {
                Ok(())
            } else {
                Err(format!("runs.csv should mark both runs diverged:\n{runs}"))
            }
        }),
    );

    // nnlab notebook
    cases.extend(flag_cases(
        "notebook --quiet --out nb",
        "--epochs",
        &[
            ("-1", 2, "invalid value '-1' for '--epochs <N>'"),
            ("NaN", 2, "invalid value 'NaN' for '--epochs <N>'"),
            (
                "",
                2,
                "'--epochs <N>': cannot parse integer from empty string",
            ),
            (HUGE_INT, 2, "'--epochs <N>': number too large"),
        ],
    ));
    cases.push(case(
        "notebook --epochs 0",
        "notebook --quiet --out nb --epochs 0",
        2,
        &["--epochs 0: train for at least 1 epoch"],
    ));
    cases.push(
        case(
            "notebook --epochs 0 writes nothing",
            "notebook --quiet --out nb --epochs 0",
            2,
            &["--epochs 0"],
        )
        .absent(&["nb/dataset.png", "nb/manual"]),
    );
    cases.push(case(
        "notebook --out empty",
        "notebook --quiet --out ''",
        2,
        &["a value is required for '--out <DIR>'"],
    ));

    // nnlab plot and serve
    cases.push(case(
        "plot without a folder",
        "plot",
        2,
        &[
            "the following required arguments were not provided",
            "<DIR>",
        ],
    ));
    cases.push(case(
        "plot --boundary bogus",
        "plot . --boundary bogus",
        2,
        &[
            "invalid value 'bogus' for '--boundary <VIEW>'",
            "possible values: class, probability",
        ],
    ));
    cases.extend(flag_cases(
        "serve",
        "--port",
        &[
            ("65536", 2, "'--port <PORT>': 65536 is not in 0..=65535"),
            ("=-1", 2, "invalid value '-1' for '--port <PORT>'"),
            ("abc", 2, "invalid value 'abc' for '--port <PORT>'"),
            (
                "",
                2,
                "'--port <PORT>': cannot parse integer from empty string",
            ),
        ],
    ));
    cases.extend(flag_cases(
        "serve --port 0",
        "--host",
        &[
            (
                "999.1.1.1",
                2,
                "invalid value '999.1.1.1' for '--host <HOST>': invalid IP address syntax",
            ),
            ("", 2, "invalid value '' for '--host <HOST>'"),
        ],
    ));
    cases.push(
        case(
            "serve --port in use",
            "serve --port",
            2,
            &["cannot listen on 127.0.0.1:", "try --port 0"],
        )
        .runner(serve_port_in_use),
    );
    cases.push(
        case(
            "serve stops on SIGINT",
            "serve --port 0",
            0,
            &["stopping the playground"],
        )
        .runner(|work, args| signal_run(work, args, Some("nnlab playground:"), &["INT"], 0)),
    );
    cases.push(case(
        "unknown subcommand",
        "bogus",
        2,
        &["unrecognized subcommand 'bogus'"],
    ));
    cases.push(case(
        "unknown flag",
        "train --bogus",
        2,
        &["unexpected argument '--bogus' found"],
    ));
    cases
}

/// `nnlab serve --port P` where P is taken by another listener.
fn serve_port_in_use(work: &Path, args: &[String]) -> Ran {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut args = args.to_vec();
    args.push(port);
    let child = nnlab_command(work)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_output(child, Duration::from_secs(30))
}

// ---------------------------------------------------------------------------------------------
// Files

/// A small binary CSV of two classes, `n` rows.
fn csv_rows(n: usize) -> String {
    let mut text = String::from("x0,x1,label\n");
    for i in 0..n {
        let _ = writeln!(
            text,
            "{},{},{}",
            i as f64 * 0.1,
            (i * 7 % 10) as f64 * 0.1,
            i % 2
        );
    }
    text
}

fn file_table() -> Vec<Case> {
    let train_data = |name: &str, file: &str, contents: &[u8], status: i32, says: &[&str]| {
        let c = case(
            format!("--data {name}"),
            &format!("train --epochs 2 --no-figures --quiet --out r --data {file}"),
            status,
            says,
        )
        .file(file, contents);
        if status == 0 {
            c.exists(&["r/history.csv", "r/model.safetensors", "r/run.json"])
        } else {
            c.absent(&["r"])
        }
    };
    let mut cases = vec![
        case(
            "--data missing",
            "train --epochs 2 --no-figures --quiet --out r --data missing.csv",
            2,
            &["--data", "missing.csv: cannot open it: No such file or directory"],
        )
        .absent(&["r"]),
        case(
            "--data a folder",
            "train --epochs 2 --no-figures --quiet --out r --data adir",
            2,
            &["adir: it is a folder; give a CSV file"],
        )
        .setup(|w| fs::create_dir(w.join("adir")).unwrap())
        .absent(&["r"]),
        train_data("empty", "empty.csv", b"", 2, &["empty.csv: the file is empty: it needs a header line (x0,x1,...,label) and at least one data row"]),
        train_data("only a header", "header.csv", b"x0,x1,label\n", 2, &["header.csv:", "at least one data row"]),
        train_data("no header", "noheader.csv", b"0.1,0.2,0\n0.3,0.4,1\n0.5,0.6,0\n", 2, &["noheader.csv: line 1: the first line is \"0.1,0.2,0\", numbers rather than column names: add a header such as x0,x1,label"]),
        train_data("ragged rows", "ragged.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.4\n0.5,0.6,0\n", 2, &["ragged.csv: line 3: expected 3 columns like the header, found 2"]),
        train_data("a non-numeric cell", "nonnum.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,abc,1\n", 2, &["nonnum.csv: line 3: column x1 is \"abc\", which is not a number"]),
        train_data("a NaN cell", "nan.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,NaN,1\n", 2, &["nan.csv: line 3: column x1 is NaN; features must be finite numbers"]),
        train_data("an inf cell", "inf.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,inf,1\n", 2, &["inf.csv: line 3: column x1 is inf; features must be finite numbers"]),
        train_data("a -inf cell", "ninf.csv", b"x0,x1,label\n-inf,0.2,0\n0.3,0.4,1\n", 2, &["ninf.csv: line 2: column x0 is -inf; features must be finite numbers"]),
        train_data("1e308 in a test row", "huge.csv", b"x0,x1,label,split\n0.1,0.2,0,train\n0.3,0.4,1,train\n0.5,0.6,0,train\n0.7,1e308,1,test\n", 2, &["cannot be standardised: its values are so large", "divide that column by a power of ten first"]),
        train_data("a label over f64", "lbl.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.4,1e400\n", 2, &["lbl.csv: line 3: the label \"1e400\" is not a number"]),
        train_data("BOM and CRLF", "bom.csv", b"\xef\xbb\xbfx0,x1,label\r\n0.1,0.2,0\r\n0.3,0.4,1\r\n0.5,0.6,0\r\n0.7,0.8,1\r\n0.2,0.1,1\r\n", 0, &[]),
        train_data("blank lines and no final newline", "blank.csv", b"x0,x1,label\n\n0.1,0.2,0\n0.3,0.4,1\n\n0.5,0.6,0\n0.7,0.8,1\n0.2,0.1,1", 0, &[]),
        train_data("a binary file", "bin.csv", &(0..3000u32).map(|i| (i * 7 + 3) as u8).collect::<Vec<u8>>(), 2, &["bin.csv: line 1: no column is named label in the header", "with commas between the columns (x0,x1,label)"]),
        train_data("invalid UTF-8", "utf.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.\xff4,1\n", 2, &["utf.csv:", "line 3", "invalid utf-8"]),
        train_data("semicolons", "semi.csv", b"x0;x1;label\n0.1;0.2;0\n0.3;0.4;1\n", 2, &["semi.csv: line 1: no column is named label in the header \"x0;x1;label\": name the column the network should predict `label`, with commas between the columns"]),
        train_data("only a label column", "label.csv", b"label\n0\n1\n0\n", 2, &["label.csv: line 1: the header needs at least one feature column and a label column"]),
        train_data("one class only", "one.csv", b"x0,x1,label\n0.1,0.2,1\n0.3,0.4,1\n0.5,0.6,1\n0.7,0.8,1\n", 2, &["one.csv: every row has label 1: a classifier needs at least two classes"]),
        train_data("a label too large for a class", "big.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.6,0\n0.7,0.8,1000000\n", 2, &["big.csv: line 5: the label 1000000 is a class number, but the file has only 4 rows", "write them with a decimal point"]),
        train_data("a missing class", "gap.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.4,2\n0.5,0.6,0\n0.7,0.8,2\n0.1,0.3,0\n", 2, &["the labels are 0, 2: class 1 has no rows", "renumber them"]),
        train_data("a bad split value", "split.csv", b"x0,x1,label,split\n0.1,0.2,0,train\n0.3,0.4,1,test\n0.5,0.6,0,bogus\n", 2, &["split.csv: line 4: the split \"bogus\" must be \"train\" or \"test\""]),
        train_data("fractional labels are a regression", "frac.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.4,1.5\n0.5,0.6,0\n0.7,0.8,1\n0.2,0.1,1\n", 0, &[]),
        case(
            "--data fractional labels with --task binary",
            "train --epochs 2 --no-figures --quiet --out r --data frac.csv --task binary",
            2,
            &["--task binary: the labels are real values, not classes; use --task regression"],
        )
        .file("frac.csv", "x0,x1,label\n0.1,0.2,0\n0.3,0.4,1.5\n0.5,0.6,0\n0.7,0.8,1\n")
        .absent(&["r"]),
        case(
            "--data /dev/null",
            "train --epochs 2 --no-figures --quiet --out r --data /dev/null",
            2,
            &["--data /dev/null: the file is empty"],
        )
        .absent(&["r"]),
        case(
            "--data /dev/zero over --max-data-mb",
            "train --epochs 2 --no-figures --quiet --out r --data /dev/zero --max-data-mb 1",
            2,
            &["--data /dev/zero: it is larger than the limit of 1 MB for a data file; give --max-data-mb to raise it"],
        )
        .absent(&["r"]),
        case(
            "--data from standard input",
            "train --epochs 2 --no-figures --quiet --out r --data /dev/stdin",
            0,
            &[],
        )
        .stdin(csv_rows(20))
        .exists(&["r/run.json", "r/model.safetensors"]),
        case(
            "--data /dev/stdin empty",
            "train --epochs 2 --no-figures --quiet --out r --data /dev/stdin",
            2,
            &["--data /dev/stdin: the file is empty"],
        )
        .absent(&["r"]),
        train_data("an all-train split column", "alltrain.csv", b"x0,x1,label,split\n0.1,0.2,0,train\n0.3,0.4,1,train\n0.5,0.6,0,train\n0.7,0.8,1,train\n", 2, &["alltrain.csv: the split column marks no row as test; mark some rows test, or give --test-size to split the rows anew"]),
        train_data("an all-test split column", "alltest.csv", b"x0,x1,label,split\n0.1,0.2,0,test\n0.3,0.4,1,test\n", 2, &["alltest.csv: the split column marks no row as train"]),
        // found by this suite, fixed since
        train_data("1e308 in training rows", "huge2.csv", b"x0,x1,label\n1e308,0.1,0\n-1e308,0.2,1\n1e308,0.3,0\n-1e308,0.4,1\n1e308,0.5,0\n-1e308,0.6,1\n1e308,0.7,0\n-1e308,0.8,1\n1e308,0.9,0\n-1e308,1.0,1\n", 2, &["huge2.csv", "x0"]),
        case(
            "--data whole labels with --task regression",
            "train --epochs 2 --no-figures --quiet --out r --data big.csv --task regression",
            0,
            &[],
        )
        .file("big.csv", "x0,x1,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.6,0\n0.7,0.8,100\n0.2,0.1,3\n"),
        train_data("a class number past the row count", "past.csv", b"x0,x1,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.6,0\n0.7,0.8,100\n0.2,0.1,3\n", 2, &["past.csv: line 5: the label 100 is a class number, but the file has only 5 rows", "or give --task regression"]),
    ];

    // --init-from
    let init = |name: &str, extra: &str, status: i32, says: &[&str]| {
        case(
            format!("--init-from {name}"),
            &format!("{TRAIN} {extra}"),
            status,
            says,
        )
        .setup(|w| {
            nnlab_ok(
                w,
                "train --samples 40 --epochs 2 --no-figures --quiet --out src",
            );
            nnlab_ok(
                w,
                "train --samples 40 --epochs 2 --no-figures --quiet --out src4 --hidden 4",
            );
            let model = fs::read(w.join("src/model.safetensors")).unwrap();
            fs::write(w.join("trunc.safetensors"), &model[..100]).unwrap();
            fs::write(w.join("short.safetensors"), &model[..model.len() - 8]).unwrap();
            fs::write(w.join("hello.safetensors"), b"hello").unwrap();
            fs::write(w.join("empty.safetensors"), b"").unwrap();
            fs::create_dir(w.join("adir")).unwrap();
        })
    };
    cases.extend([
        init("missing", "--init-from missing.safetensors", 2, &["--init-from missing.safetensors: cannot read it: No such file or directory"]).absent(&["r"]),
        init("a folder", "--init-from adir", 2, &["--init-from adir: cannot read it"]).absent(&["r"]),
        init("not safetensors", "--init-from hello.safetensors", 2, &["--init-from hello.safetensors: not a valid safetensors file"]).absent(&["r"]),
        init("empty", "--init-from empty.safetensors", 2, &["--init-from empty.safetensors: not a valid safetensors file"]).absent(&["r"]),
        init("truncated header", "--init-from trunc.safetensors", 2, &["--init-from trunc.safetensors: not a valid safetensors file"]).absent(&["r"]),
        init("truncated data", "--init-from short.safetensors", 2, &["--init-from short.safetensors: not a valid safetensors file"]).absent(&["r"]),
        init("a run.json", "--init-from src/run.json", 2, &["--init-from src/run.json: not a valid safetensors file"]).absent(&["r"]),
        init("wrong width", "--init-from src4/model.safetensors", 2, &["--init-from src4/model.safetensors: shape mismatch for network.0.weight: expected [8, 2], got [4, 2]", "the file holds a 2-4-1 net (try --hidden 4)"]).absent(&["r"]),
        init("wrong depth", "--init-from src/model.safetensors --hidden 8,8", 2, &["shape mismatch for network.2.weight", "(try --hidden 8)"]).absent(&["r"]),
        init("its own model", "--init-from src/model.safetensors", 0, &[]).exists(&["r/run.json"]),
        init("into autograd", "--init-from src/model.safetensors --engine autograd", 0, &[]).exists(&["r/run.json"]),
        init("/dev/null", "--init-from /dev/null", 2, &["--init-from /dev/null: not a valid safetensors file"]).absent(&["r"]),
        // An endless file is read no further than its header says (it read until memory ran out).
        init("/dev/zero", "--init-from /dev/zero", 2, &["--init-from /dev/zero: not a valid safetensors file: invalid JSON in header"]).absent(&["r"]),
        init("a header claiming 2^60 bytes of tensors", "--init-from huge.safetensors", 2, &["--init-from huge.safetensors: its header gives 1152921504606846976 bytes of tensors"])
            .file("huge.safetensors", &{
                let header = r#"{"network.0.weight":{"dtype":"F64","shape":[1],"data_offsets":[0,1152921504606846976]}}"#;
                let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
                bytes.extend_from_slice(header.as_bytes());
                bytes
            })
            .absent(&["r"]),
        case(
            "--init-from /dev/zero under a memory limit",
            &format!("{TRAIN} --init-from /dev/zero"),
            2,
            &["--init-from /dev/zero"],
        )
        .runner(|work, args| {
            // Without a limit this read grows until the machine runs out of memory (reported).
            let mut child = Command::new("sh");
            child
                .arg("-c")
                .arg("ulimit -v 4000000; exec \"$0\" \"$@\"")
                .arg(BIN)
                .args(args);
            let root = work.parent().unwrap();
            let output = child
                .current_dir(work)
                .env("HOME", root.join("home"))
                .env("TMPDIR", root.join("tmp"))
                .output()
                .unwrap();
            Ran::from_output(output)
        })
        .absent(&["r"]),
    ]);

    // nnlab plot
    let plot = |name: &str, target: &str, spoil: fn(&Path), status: i32, says: &[&str]| {
        case(
            format!("plot {name}"),
            &format!("plot {target}"),
            status,
            says,
        )
        .setup(|w| nnlab_ok(w, "train --samples 40 --epochs 2 --quiet --out run"))
        .with_spoil(spoil)
    };
    cases.extend([
        case("plot a missing folder", "plot nope", 2, &["nope is not a folder: give a run folder written by nnlab train"]),
        case("plot a file", "plot f.txt", 2, &["f.txt is not a folder: give a run folder written by nnlab train"]).file("f.txt", "x"),
        case("plot a folder without run.json", "plot empty", 2, &["empty/run.json: cannot read it: No such file or directory"]).setup(|w| fs::create_dir(w.join("empty")).unwrap()),
        plot("a corrupt run.json", "run", |w| fs::write(w.join("run/run.json"), "{not json").unwrap(), 2, &["run/run.json: not valid JSON: key must be a string at line 1 column 2"]),
        plot("an empty run.json", "run", |w| fs::write(w.join("run/run.json"), "").unwrap(), 2, &["run/run.json: not valid JSON: EOF while parsing"]),
        plot("a history.csv of another run", "run", |w| fs::write(w.join("run/history.csv"), "garbage\n").unwrap(), 2, &["run/history.csv: not the file that this folder's run.json was written with, so the folder mixes two runs", "--force"]),
        plot("a model of another run", "run", |w| fs::write(w.join("run/model.safetensors"), "xx").unwrap(), 2, &["run/model.safetensors: not the file that this folder's run.json was written with"]),
        plot("a run.json without checksums", "run", |w| {
            let mut run = read_json(&w.join("run/run.json")).unwrap();
            run.as_object_mut().unwrap().remove("checksums");
            fs::write(w.join("run/run.json"), run.to_string()).unwrap();
        }, 2, &["run/run.json: run.json has no checksums of the run's files"]),
        plot("a garbage history.csv", "run", |w| {
            fs::write(w.join("run/history.csv"), "garbage\n").unwrap();
            resign(w, "history.csv");
        }, 2, &["run/history.csv", "line 1: expected the header epoch,loss,train_accuracy,test_accuracy, found garbage"]),
        plot("an empty history.csv", "run", |w| {
            fs::write(w.join("run/history.csv"), "").unwrap();
            resign(w, "history.csv");
        }, 2, &["run/history.csv", "line 1: the file is empty"]),
        plot("a history.csv cell", "run", |w| spoil_history(w, |line| {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[1] = "abc";
            cells.join(",")
        }), 2, &["run/history.csv", "line 3: loss is \"abc\", not a number"]),
        plot("a ragged history.csv", "run", |w| spoil_history(w, |line| line.rsplit_once(',').unwrap().0.to_string()), 2, &["run/history.csv", "line 3: expected 6 values, found 5"]),
        plot("without history.csv", "run", |w| fs::remove_file(w.join("run/history.csv")).unwrap(), 2, &["run/history.csv: cannot read it: No such file or directory"]),
        plot("without the model", "run", |w| fs::remove_file(w.join("run/model.safetensors")).unwrap(), 2, &["run/model.safetensors: cannot read it: No such file or directory"]),
        plot("a corrupt model", "run", |w| {
            fs::write(w.join("run/model.safetensors"), "xx").unwrap();
            resign(w, "model.safetensors");
        }, 2, &["run/model.safetensors: not a valid safetensors file"]),
        plot("a model of another shape", "run", |w| {
            nnlab_ok(w, "train --samples 40 --epochs 2 --no-figures --quiet --out other --hidden 4");
            fs::copy(w.join("other/model.safetensors"), w.join("run/model.safetensors")).unwrap();
            resign(w, "model.safetensors");
        }, 2, &["run/model.safetensors: shape mismatch for network.0.weight: expected [8, 2], got [4, 2]"]),
        plot("a run.json with a bad setting", "run", |w| {
            let mut run = read_json(&w.join("run/run.json")).unwrap();
            run["config"]["hidden"] = serde_json::json!([0]);
            fs::write(w.join("run/run.json"), run.to_string()).unwrap();
        }, 2, &["every hidden layer needs 1 to 1048576 units"]),
        plot("a whole run folder", "run", |_| {}, 0, &["Wrote run: dataset.png, training.png, boundary.png"]),
    ]);
    cases.push(
        plot("a history.csv with no rows", "run", |w| {
            let history = fs::read_to_string(w.join("run/history.csv")).unwrap();
            fs::write(w.join("run/history.csv"), history.lines().next().unwrap()).unwrap();
            resign(w, "history.csv");
        }, 0, &["run/history.csv has no epochs, so there are no training curves to draw (no training.png)"]),
    );
    cases
}

/// Replaces line 3 (epoch 1) of run/history.csv.
fn spoil_history(work: &Path, change: fn(&str) -> String) {
    let path = work.join("run/history.csv");
    let history = fs::read_to_string(&path).unwrap();
    let lines: Vec<String> = history
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 2 { change(l) } else { l.to_string() })
        .collect();
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    resign(work, "history.csv");
}

/// Records `run/NAME`'s SHA-256 (by `sha256sum`) in run/run.json's checksums, as if the run had
/// written it: a spoiled file that run.json vouches for reaches the reader's own checks.
fn resign(work: &Path, name: &str) {
    let out = Command::new("sha256sum")
        .arg(work.join("run").join(name))
        .output()
        .expect("sha256sum runs");
    let sum = text(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let mut run = read_json(&work.join("run/run.json")).unwrap();
    run["checksums"][name] = sum.into();
    fs::write(work.join("run/run.json"), run.to_string()).unwrap();
}

impl Case {
    /// A second setup step after the first (the plot cases: make a run, then spoil it).
    fn with_spoil(mut self, spoil: fn(&Path)) -> Case {
        self.spoil = Some(spoil);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Configs

fn config_table() -> Vec<Case> {
    let config = |name: &str, file: &str, contents: &str, status: i32, says: &[&str]| {
        let c = case(
            format!("--config {name}"),
            &format!("train --config {file} --out r --no-figures --quiet"),
            status,
            says,
        )
        .file(file, contents);
        if status == 0 {
            c.exists(&["r/run.json"])
        } else {
            c.absent(&["r"])
        }
    };
    vec![
        case("--config missing", "train --config missing.toml --out r", 2, &["--config missing.toml: cannot read it: No such file or directory"]).absent(&["r"]),
        case("--config a folder", "train --config adir --out r", 2, &["--config adir: cannot read it"]).setup(|w| fs::create_dir(w.join("adir")).unwrap()).absent(&["r"]),
        config("TOML syntax error", "c.toml", "samples = 40\nlr = 0.1\nepochs = \n", 2, &["--config c.toml: line 3:"]),
        config("unknown key", "c.toml", "samples = 40\nbogus_key = 3\n", 2, &["--config c.toml: line 2: unknown field `bogus_key`, expected one of"]),
        config("a section", "c.toml", "[section]\nlr = 0.1\n", 2, &["--config c.toml: line 1: unknown field `section`"]),
        config("wrong type", "c.toml", "epochs = \"ten\"\n", 2, &["--config c.toml: line 1: invalid type: string \"ten\""]),
        config("a string lr", "c.toml", "lr = \"abc\"\n", 2, &["--config c.toml: line 1: invalid type: string \"abc\""]),
        config("negative epochs", "c.toml", "epochs = -5\n", 2, &["--config c.toml: line 1: invalid value: integer `-5`"]),
        config("negative lr", "c.toml", "samples = 40\nlr = -0.5\n", 2, &["lr -0.5: the learning rate must be a finite number > 0"]),
        config("nan lr", "c.toml", "samples = 40\nlr = nan\n", 2, &["lr NaN: the learning rate must be a finite number > 0"]),
        config("inf lr", "c.toml", "samples = 40\nlr = inf\n", 2, &["lr inf: the learning rate must be a finite number > 0"]),
        config("negative noise", "c.toml", "noise = -1.0\n", 2, &["--config: noise = -1 is not allowed: give a finite number >= 0"]),
        config("nan noise", "c.toml", "noise = nan\n", 2, &["--config: noise = NaN is not allowed"]),
        config("threads = 0", "c.toml", "threads = 0\n", 2, &["--config: threads = 0 is not allowed: give 1 to 1024, or leave it out for all cores"]),
        config("samples = 0", "c.toml", "samples = 0\n", 2, &["invalid samples = 0: the number of rows must be at least 1"]),
        config("epochs = 0", "c.toml", "samples = 40\nepochs = 0\n", 2, &["epochs 0: train for at least 1 epoch"]),
        config("log_every = 0", "c.toml", "samples = 40\nlog_every = 0\n", 2, &["--log-every must be at least 1"]),
        config("batch_size = 0", "c.toml", "samples = 40\nbatch_size = 0\n", 2, &["batch-size 0: a batch needs at least 1 row"]),
        config("max_data_mb = 0", "c.toml", "max_data_mb = 0\n", 2, &["--config: max_data_mb = 0 is not allowed: give 1 or more"]),
        config("centers = 0", "c.toml", "dataset = \"blobs\"\ncenters = 0\n", 2, &["invalid centers = 0: need at least 1 center"]),
        config("classes = 1", "c.toml", "dataset = \"spiral\"\nclasses = 1\n", 2, &["invalid classes = 1: a spiral dataset needs at least 2 arms"]),
        config("factor = 2", "c.toml", "dataset = \"circles\"\nfactor = 2.0\n", 2, &["invalid factor = 2: the inner circle's radius relative to the outer one must be in [0, 1)"]),
        config("test_size = 1.5", "c.toml", "test_size = 1.5\n", 2, &["--config: test_size = 1.5 must lie strictly between 0 and 1, or be a row count"]),
        config("seed over u32", "c.toml", "seed = 4294967296\n", 2, &["--config c.toml: line 1: invalid value: integer `4294967296`"]),
        config("a negative width", "c.toml", "hidden = [8, -1]\n", 2, &["--config c.toml: line 1: invalid value: integer `-1`"]),
        config("no hidden layer", "c.toml", "hidden = []\n", 2, &["give at least one hidden layer width, e.g. 8"]),
        config("an unknown dataset", "c.toml", "dataset = \"bogus\"\n", 2, &["--config c.toml: line 1: unknown variant `bogus`, expected one of `moons`"]),
        config("an unknown activation", "c.toml", "activation = \"bogus\"\n", 2, &["--config: activation: unknown activation \"bogus\""]),
        config("a duplicate key", "c.toml", "lr = 0.1\nlr = 0.2\n", 2, &["--config c.toml: line 2: duplicate key"]),
        config("a nested config", "c.toml", "config = \"other.toml\"\n", 2, &["--config c.toml: line 1: unknown field `config`"]),
        config("not UTF-8", "c.toml", "", 2, &["--config c.toml: cannot read it: stream did not contain valid UTF-8"])
            .file("c.toml", b"\xff\xfe"),
        config("JSON in a .toml file", "c.toml", "{\"lr\": 0.3}", 2, &["--config c.toml: line 1:"]),
        config("bad JSON", "c.json", "{\"lr\": 0.3, \"epochs\": 2,\n", 2, &["--config c.json: not valid JSON: EOF while parsing a value at line 2"]),
        config("a JSON config", "c.json", "{\"lr\": 0.3, \"epochs\": 2, \"samples\": 40}\n", 0, &[]),
        config("a TOML config", "c.toml", "lr = 0.3\nepochs = 2\nsamples = 40\nhidden = [4, 4]\nactivation = \"tanh,relu\"\n", 0, &[])
            .check(|w, _| {
                let run = read_json(&w.join("r/run.json"))?;
                let c = &run["config"];
                if c["hidden"] == serde_json::json!([4, 4]) && c["lr"] == 0.3 && c["activation"] == "tanh,relu" {
                    Ok(())
                } else {
                    Err(format!("run.json does not hold the config's settings: {c}"))
                }
            }),
        config("an empty file", "c.toml", "", 0, &[]),
        case("--config flags override the file", "train --config c.toml --lr 0.5 --out r --no-figures --quiet", 0, &[])
            .file("c.toml", "lr = -1.0\nepochs = 2\nsamples = 40\n")
            .check(|w, _| {
                let run = read_json(&w.join("r/run.json"))?;
                (run["config"]["lr"] == 0.5).then_some(()).ok_or(format!("lr {}", run["config"]["lr"]))
            }),
        case("--config from standard input", "train --config /dev/stdin --out r --no-figures --quiet", 0, &[])
            .stdin("epochs = 2\nsamples = 40\n")
            .exists(&["r/run.json"]),
        config("a negative lr names the file", "c.toml", "samples = 40\nlr = -0.5\n", 2, &["c.toml"]),
    ]
}

// ---------------------------------------------------------------------------------------------
// Outputs

/// A folder that this process cannot write into: `ro` (chmod 555) for a regular user; as root,
/// whom chmod does not stop, a path under /proc (where nobody can create files).
fn readonly_folder(work: &Path) -> PathBuf {
    let ro = work.join("ro");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(ro.join("probe"), b"").is_err() {
        return PathBuf::from("ro");
    }
    fs::remove_file(ro.join("probe")).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    fs::remove_dir(&ro).unwrap();
    PathBuf::from("/proc/nnlab-hostile")
}

/// Runs the case's argv with `RO` replaced by a read-only folder.
fn run_readonly(work: &Path, args: &[String]) -> Ran {
    let ro = readonly_folder(work);
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("RO", &ro.display().to_string()))
        .collect();
    run_plain(work, &args, None)
}

fn is_char_device(path: &str) -> bool {
    fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

fn output_table() -> Vec<Case> {
    vec![
        case("data -o a read-only folder", "data --samples 5 -o RO/x.csv", 0, &[])
            .runner(run_readonly)
            .failure()
            .check(|_, ran| {
                let err = text(&ran.stderr);
                (err.contains(" ro") || err.contains("/proc/nnlab-hostile")).then_some(()).ok_or("the folder is not named".into())
            }),
        case("train --out a read-only folder", &format!("{TINY} --out RO/run"), 2, &["--out", "cannot create the folder"])
            .runner(run_readonly),
        case("train --out an existing read-only folder", &format!("{TINY} --out RO"), 2, &["--out", "cannot"])
            .runner(run_readonly),
        case("data -o under a regular file", "data --samples 5 -o afile/x.csv", 2, &["cannot write afile/x.csv"])
            .file("afile", "keep")
            .check(|w, _| (fs::read_to_string(w.join("afile")).unwrap() == "keep").then_some(()).ok_or("afile changed".into())),
        case("data -o under a regular file says it is a file", "data --samples 5 -o afile/x.csv", 2, &["afile is a file, not a folder"])
            .file("afile", "keep"),
        case("data -o a folder", "data --samples 5 -o adir", 2, &["cannot write adir: it is a folder (give a file's path)"])
            .setup(|w| fs::create_dir(w.join("adir")).unwrap()),
        case("data -o into a missing folder", "data --samples 5 -o nodir/x.csv", 2, &["cannot write nodir/x.csv: the folder nodir does not exist (create it first, or pick another path)"])
            .absent(&["nodir"]),
        case("data -o /dev/full", "data --samples 5 -o /dev/full", 1, &["cannot write /dev/full", "No space left on device"])
            .check(|_, _| is_char_device("/dev/full").then_some(()).ok_or("/dev/full is no longer a character device".into())),
        case("data -o a symlink to /dev/full", "data --samples 5 -o tofull", 1, &["cannot write /dev/full", "No space left on device"])
            .setup(|w| std::os::unix::fs::symlink("/dev/full", w.join("tofull")).unwrap())
            .check(|w, _| fs::symlink_metadata(w.join("tofull")).unwrap().file_type().is_symlink().then_some(()).ok_or("tofull is no longer a link".into())),
        case("data -o /proc", "data --samples 5 -o /proc/nnlab-hostile.csv", 1, &["cannot create a file in /proc"]),
        case("data -o a symlink", "data --samples 5 -o link.csv", 0, &[])
            .file("target.csv", "old")
            .setup(|w| std::os::unix::fs::symlink("target.csv", w.join("link.csv")).unwrap())
            .check(|w, _| {
                let link = fs::symlink_metadata(w.join("link.csv")).unwrap();
                let target = fs::read_to_string(w.join("target.csv")).unwrap();
                if link.file_type().is_symlink() && target.starts_with("x0,x1,label\n") && target.lines().count() == 6 {
                    Ok(())
                } else {
                    Err(format!("link kept: {}, target: {target:?}", link.file_type().is_symlink()))
                }
            }),
        case("data -o a dangling symlink", "data --samples 5 -o dangling.csv", 0, &[])
            .setup(|w| std::os::unix::fs::symlink("new.csv", w.join("dangling.csv")).unwrap())
            .check(|w, _| {
                let made = fs::read_to_string(w.join("new.csv")).map_err(|e| e.to_string())?;
                (fs::symlink_metadata(w.join("dangling.csv")).unwrap().file_type().is_symlink() && made.lines().count() == 6)
                    .then_some(()).ok_or(format!("new.csv: {made:?}"))
            }),
        case("data -o a FIFO", "data --samples 5 -o fifo", 0, &[])
            .runner(fifo_runner)
            .check(|w, _| {
                let got = fs::read(w.join("received.csv")).unwrap();
                let want = run_plain(w, &argv("data --samples 5"), None).stdout;
                (got == want && !got.is_empty()).then_some(()).ok_or(format!("the reader got {:?}", text(&got)))
            }),
        case("data > /dev/full", "data --samples 5", 1, &["error: writing to standard output", "No space left on device"])
            .runner(|work, args| {
                let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
                let child = nnlab_command(work).args(args).stdin(Stdio::null()).stdout(full).stderr(Stdio::piped()).spawn().unwrap();
                wait_output(child, Duration::from_secs(60))
            }),
        case("data | head -1", "data", 0, &[])
            .runner(|work, args| {
                let mut child = nnlab_command(work).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
                let mut first = String::new();
                BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
                assert_eq!(first, "x0,x1,label\n");
                wait_output(child, Duration::from_secs(60))
            }),
        case("train | head -1 still writes its folder", "train --samples 40 --epochs 3000 --log-every 1 --no-figures --out r", 0, &["Wrote r: history.csv, model.safetensors, run.json"])
            .runner(|work, args| {
                let mut child = nnlab_command(work).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
                let mut first = String::new();
                BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
                assert!(first.starts_with("Epoch    0, Loss: "), "{first}");
                wait_output(child, Duration::from_secs(120)) // its stdout is closed now
            })
            .check(|w, _| consistent_run(&w.join("r"), [8, 2]).map(|_| ())),
        case("train with stdout closed", "train --samples 40 --epochs 50 --log-every 1 --no-figures --out r", 0, &["Wrote r"])
            .runner(closed_stdout)
            .check(|w, _| {
                consistent_run(&w.join("r"), [8, 2])?;
                let history = fs::read_to_string(w.join("r/history.csv")).unwrap();
                (!history.contains("Epoch")).then_some(()).ok_or("an epoch line went into history.csv".into())
            }),
        case("data with stdout closed fails", "data --samples 5", 1, &["standard output"])
            .runner(closed_stdout)
            .bug("`nnlab data >&-` exits 0 and the CSV is lost (Rust points a closed fd 1 at /dev/null); `seq 3 >&-` fails with \"write error: Bad file descriptor\""),
        case("train --out a regular file", &format!("{TINY} --out afile"), 2, &["--out afile: cannot create the folder"])
            .file("afile", "keep"),
        case("train --out under a regular file", &format!("{TINY} --out afile/sub"), 2, &["--out afile/sub: cannot create the folder: Not a directory"])
            .file("afile", "keep"),
        case("train --out /dev/null", &format!("{TINY} --out /dev/null"), 2, &["--out /dev/null: cannot create the folder"])
            .check(|_, _| is_char_device("/dev/null").then_some(()).ok_or("/dev/null changed".into())),
        case("train --out a symlinked folder", &format!("{TINY} --out dirlink"), 0, &[])
            .setup(|w| {
                fs::create_dir(w.join("realdir")).unwrap();
                std::os::unix::fs::symlink("realdir", w.join("dirlink")).unwrap();
            })
            .exists(&["realdir/run.json", "realdir/history.csv", "realdir/model.safetensors"])
            .check(|w, _| fs::symlink_metadata(w.join("dirlink")).unwrap().file_type().is_symlink().then_some(()).ok_or("dirlink is no longer a link".into())),
        case("train without --out writes under runs/", "train --samples 40 --epochs 2 --no-figures --quiet", 0, &[])
            .check(|w, _| {
                let folders: Vec<_> = fs::read_dir(w.join("runs")).map_err(|e| e.to_string())?.flatten().collect();
                match folders.as_slice() {
                    [one] => consistent_run(&one.path(), [8, 2]).map(|_| ()),
                    _ => Err(format!("runs/ holds {} folders", folders.len())),
                }
            }),
        case("sweep --out under a regular file", &format!("{TINY_SWEEP} --out afile/sub"), 2, &["--out afile/sub: cannot create the folder: Not a directory"])
            .file("afile", "keep"),
        case("notebook --out under a regular file", "notebook --quiet --epochs 2 --out afile/sub", 2, &["--out afile/sub: cannot create the folder: Not a directory"])
            .file("afile", "keep"),
    ]
}

/// `nnlab data -o fifo` with a reader on the FIFO; what it read goes to received.csv.
fn fifo_runner(work: &Path, args: &[String]) -> Ran {
    let fifo = work.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo works");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(&fifo).unwrap())
    };
    let ran = run_plain(work, args, None);
    // If nnlab never opened the FIFO, open it ourselves so that the reader sees its end.
    let started = Instant::now();
    while !reader.is_finished() && started.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(10));
    }
    if !reader.is_finished() {
        let _ = fs::OpenOptions::new().write(true).open(&fifo);
    }
    fs::write(work.join("received.csv"), reader.join().unwrap()).unwrap();
    fs::remove_file(&fifo).unwrap();
    ran
}

/// Runs nnlab with its standard output closed (`>&-`).
fn closed_stdout(work: &Path, args: &[String]) -> Ran {
    let root = work.parent().unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" >&-")
        .arg(BIN)
        .args(args)
        .current_dir(work)
        .env("HOME", root.join("home"))
        .env("TMPDIR", root.join("tmp"))
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    Ran::from_output(output)
}

// ---------------------------------------------------------------------------------------------
// Signals

/// Starts nnlab, waits for `ready` on its stdout (so its handlers are in place), lets it run a
/// little, sends `signals` (`gap_ms` apart) and waits for it to end.
fn signal_run(
    work: &Path,
    args: &[String],
    ready: Option<&str>,
    signals: &[&str],
    gap_ms: u64,
) -> Ran {
    let mut child = nnlab_command(work)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let wait_for = ready.map(str::to_string);
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut told = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !told && wait_for.as_ref().is_some_and(|w| line.contains(w.as_str())) {
                let _ = tx.send(());
                told = true;
            }
            seen.extend_from_slice(line.as_bytes());
            seen.push(b'\n');
        }
        seen
    });
    let stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = BufReader::new(stderr).read_to_end(&mut bytes);
        bytes
    });
    let became_ready = match ready {
        Some(_) => rx.recv_timeout(Duration::from_secs(60)).is_ok(),
        None => {
            std::thread::sleep(Duration::from_millis(1500)); // it prints nothing before the end
            true
        }
    };
    std::thread::sleep(Duration::from_millis(300));
    if became_ready {
        for signal in signals {
            let _ = Command::new("kill")
                .args(["-s", signal, &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(gap_ms));
        }
    }
    let mut status = wait_until(&mut child, Duration::from_secs(60));
    if !became_ready {
        status = 998;
    }
    Ran {
        status,
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// A run that a signal stopped: exit 130 with its folder whole and consistent.
fn interrupted_run(work: &Path, _: &Ran) -> Result<(), String> {
    let run = consistent_run(&work.join("r"), [8, 2])?;
    let stopped = run["result"]["stopped"].as_str().unwrap_or_default();
    if !stopped.starts_with("interrupted after") {
        return Err(format!("run.json's result.stopped is {stopped:?}"));
    }
    Ok(())
}

const LONG_TRAIN: &str =
    "train --epochs 1000000 --samples 200 --no-figures --log-every 1000000 --out r";

fn signal_table() -> Vec<Case> {
    let interrupted = [
        "stopping: after this epoch",
        "stopped: interrupted after",
        "r has what was done (history.csv, model.safetensors, run.json)",
    ];
    vec![
        case("train SIGINT", LONG_TRAIN, 130, &interrupted)
            .runner(|w, a| signal_run(w, a, Some("Epoch"), &["INT"], 0))
            .check(interrupted_run),
        case("train SIGTERM", LONG_TRAIN, 130, &interrupted)
            .runner(|w, a| signal_run(w, a, Some("Epoch"), &["TERM"], 0))
            .check(interrupted_run),
        case("train SIGHUP", LONG_TRAIN, 130, &interrupted)
            .runner(|w, a| signal_run(w, a, Some("Epoch"), &["HUP"], 0))
            .check(interrupted_run),
        case("train two SIGINTs", LONG_TRAIN, 130, &interrupted)
            .runner(|w, a| signal_run(w, a, Some("Epoch"), &["INT", "INT"], 20))
            .check(interrupted_run),
        case("train SIGTERM then SIGINT", LONG_TRAIN, 130, &interrupted)
            .runner(|w, a| signal_run(w, a, Some("Epoch"), &["TERM", "INT"], 5))
            .check(interrupted_run),
        case(
            "train with figures, SIGINT",
            "train --epochs 1000000 --samples 200 --log-every 1000000 --out r",
            130,
            &["stopped: interrupted after", "training.png", "boundary.png"],
        )
        .runner(|w, a| signal_run(w, a, Some("Epoch"), &["INT"], 0))
        .exists(&["r/dataset.png", "r/training.png", "r/boundary.png"])
        .check(interrupted_run),
        case(
            "autograd SIGINT",
            &format!("{LONG_TRAIN} --engine autograd"),
            130,
            &interrupted,
        )
        .runner(|w, a| signal_run(w, a, Some("Epoch"), &["INT"], 0))
        .check(interrupted_run),
        case(
            "notebook SIGINT",
            "notebook --epochs 1000000 --out nb",
            130,
            &["stopped: interrupted after", "nb/manual has what was done"],
        )
        .runner(|w, a| signal_run(w, a, Some("Epoch"), &["INT"], 0))
        .exists(&["nb/dataset.png"])
        .absent(&["nb/autograd"])
        .check(|w, _| consistent_run(&w.join("nb/manual"), [8, 2]).map(|_| ())),
        case(
            "sweep SIGINT",
            "sweep --samples 200 --epochs 200000 --seeds 0..40 --hidden 4,8 --threads 2 --out s",
            130,
            &[
                "interrupted after",
                "of 80 runs: s has the runs that finished and their summary",
            ],
        )
        .runner(|w, a| signal_run(w, a, None, &["INT"], 0))
        .exists(&["s/runs.csv", "s/summary.csv", "s/run.json"])
        .check(|w, _| {
            let runs = fs::read_to_string(w.join("s/runs.csv")).unwrap();
            let rows = runs.lines().count() - 1;
            let run = read_json(&w.join("s/run.json"))?;
            if rows >= 80 || run["interrupted"] != true {
                return Err(format!(
                    "runs.csv has {rows} rows; run.json interrupted = {}",
                    run["interrupted"]
                ));
            }
            Ok(())
        }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Concurrent runs

/// Reference runs of seeds 1 and 2 (for telling which run a folder came from).
fn reference_runs(work: &Path) {
    for seed in [1, 2] {
        nnlab_ok(work, &format!("train --epochs 300 --samples 200 --no-figures --quiet --seed {seed} --out ref{seed}"));
    }
}

/// Two runs of seeds 1 and 2 into the same folder at once (`args` is their common argv); status 0
/// if their statuses are among `allowed`, else 100 + the first.
fn race(work: &Path, args: &[String]) -> Ran {
    let spawn = |seed: &str| {
        nnlab_command(work)
            .args(args)
            .args(["--seed", seed])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("1"), spawn("2"));
    let (a, b) = (
        wait_output(a, Duration::from_secs(120)),
        wait_output(b, Duration::from_secs(120)),
    );
    let mut stderr = a.stderr.clone();
    stderr.extend_from_slice(&b.stderr);
    let mut statuses = [a.status, b.status];
    statuses.sort();
    let force = args.iter().any(|a| a == "--force");
    let ok = statuses == [0, 2] || (force && statuses == [0, 0]);
    fs::write(
        work.join("statuses.txt"),
        format!("{} {}", a.status, b.status),
    )
    .unwrap();
    Ran {
        status: if ok { 0 } else { 100 + statuses[1] },
        stdout: [a.stdout, b.stdout].concat(),
        stderr,
    }
}

/// The race's folder came whole from one of the two runs: its run.json's seed, and its history and
/// model byte for byte those of that seed's reference run.
fn one_run_won(work: &Path, ran: &Ran) -> Result<(), String> {
    let run = consistent_run(&work.join("same"), [8, 2])?;
    let seed = run["config"]["seed"].as_u64().ok_or("no seed")?;
    for file in ["history.csv", "model.safetensors"] {
        let got = fs::read(work.join("same").join(file)).unwrap();
        let want = fs::read(work.join(format!("ref{seed}")).join(file)).unwrap();
        if got != want {
            return Err(format!("same/{file} is not seed {seed}'s"));
        }
    }
    let statuses = fs::read_to_string(work.join("statuses.txt")).unwrap();
    let stderr = text(&ran.stderr);
    if statuses.contains('2')
        && !(stderr.contains("another nnlab run") || stderr.contains("--force"))
    {
        return Err("the refused run does not say why".into());
    }
    Ok(())
}

fn concurrent_table() -> Vec<Case> {
    vec![
        case("two runs into one folder at once", "train --epochs 300 --samples 200 --no-figures --quiet --out same", 0, &["--out same"])
            .setup(reference_runs)
            .runner(race)
            .check(one_run_won),
        case("two --force runs into one folder at once", "train --epochs 300 --samples 200 --no-figures --quiet --force --out same", 0, &[])
            .setup(reference_runs)
            .runner(race)
            .check(one_run_won),
        case("a second run into a run folder", &format!("{TINY} --out first"), 2, &["--out first already holds a run (run.json, history.csv, model.safetensors): give another --out, or --force to replace that run"])
            .setup(|w| nnlab_ok(w, &format!("{TINY} --out first --seed 7")))
            .check(|w, _| {
                let run = read_json(&w.join("first/run.json"))?;
                (run["config"]["seed"] == 7).then_some(()).ok_or("the first run was touched".into())
            }),
        case("--force replaces a run and its figures", "train --samples 40 --epochs 3 --no-figures --quiet --force --out first", 0, &[])
            .setup(|w| {
                nnlab_ok(w, "train --samples 40 --epochs 2 --quiet --svg --out first");
                fs::write(w.join("first/notes.txt"), "mine").unwrap();
            })
            .exists(&["first/notes.txt", "first/run.json"])
            .absent(&["first/dataset.png", "first/training.png", "first/boundary.png", "first/training.svg"])
            .check(|w, _| consistent_run(&w.join("first"), [8, 2]).map(|_| ())),
        case("a sweep into a run folder", &format!("{TINY_SWEEP} --out first"), 2, &["--out first already holds a run", "--force"])
            .setup(|w| nnlab_ok(w, &format!("{TINY} --out first"))),
        case("a stale lock of a dead process is taken over", &format!("{TINY} --out locked"), 0, &[])
            .setup(|w| {
                fs::create_dir(w.join("locked")).unwrap();
                // A process id that is not running (pid_max is at most 2^22).
                fs::write(w.join("locked/.nnlab-lock"), "4194304000").unwrap();
                fs::write(w.join("locked/.nnlab-tmp123"), "half").unwrap();
            })
            .exists(&["locked/run.json"]),
        case("a lock that is not a process id", &format!("{TINY} --out locked"), 2, &["--out locked: cannot take the folder's lock .nnlab-lock; if no nnlab run is writing there, remove that file"])
            .setup(|w| {
                fs::create_dir(w.join("locked")).unwrap();
                fs::write(w.join("locked/.nnlab-lock"), "garbage").unwrap();
            })
            .lock_may_stay()
            .absent(&["locked/run.json"]),
    ]
}

// ---------------------------------------------------------------------------------------------
// Replays

fn replay_setup(work: &Path) {
    nnlab_ok(work, "train --samples 40 --epochs 3 --no-figures --quiet --out a --optimizer adam --lr 0.01 --batch-size 8 --hidden 4,3");
}

fn edit_run_json(work: &Path, edit: fn(&mut Value)) {
    let mut run = read_json(&work.join("a/run.json")).unwrap();
    edit(&mut run);
    fs::write(
        work.join("a/run.json"),
        serde_json::to_string_pretty(&run).unwrap(),
    )
    .unwrap();
}

fn replay_table() -> Vec<Case> {
    let replay = "train --config a/run.json --out b --no-figures --quiet";
    vec![
        case("a replay gives the same history", replay, 0, &[])
            .setup(replay_setup)
            .check(|w, _| {
                for file in ["history.csv", "model.safetensors"] {
                    if fs::read(w.join("a").join(file)).unwrap() != fs::read(w.join("b").join(file)).unwrap() {
                        return Err(format!("b/{file} differs from a/{file}"));
                    }
                }
                Ok(())
            }),
        case("a replay of a --data run", replay, 0, &[])
            .setup(|w| {
                nnlab_ok(w, "data --samples 40 -o d.csv");
                nnlab_ok(w, "train --data d.csv --epochs 2 --no-figures --quiet --out a");
            })
            .check(|w, _| (fs::read(w.join("a/history.csv")).unwrap() == fs::read(w.join("b/history.csv")).unwrap()).then_some(()).ok_or("the histories differ".into())),
        case("a replay into its own folder", "train --config a/run.json --out a --no-figures --quiet", 2, &["--out a already holds a run", "--force"])
            .setup(replay_setup),
        case("a replay without epochs", replay, 2, &["--config a/run.json: the run's \"config\" has no `epochs`: a replay needs every setting the run had", "(--epochs)"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| { r["config"].as_object_mut().unwrap().remove("epochs"); });
            })
            .absent(&["b"]),
        case("a replay without lr", replay, 2, &["the run's \"config\" has no `lr`", "(--lr)"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| { r["config"].as_object_mut().unwrap().remove("lr"); });
            })
            .absent(&["b"]),
        case("a replay without lr, given as a flag", "train --config a/run.json --lr 0.01 --out b --no-figures --quiet", 0, &[])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| { r["config"].as_object_mut().unwrap().remove("lr"); });
            })
            .check(|w, _| (fs::read(w.join("a/history.csv")).unwrap() == fs::read(w.join("b/history.csv")).unwrap()).then_some(()).ok_or("the histories differ".into())),
        case("a replay without the optimizer's settings", replay, 2, &["the run's \"config\" has no `betas`"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| { r["config"].as_object_mut().unwrap().remove("betas"); });
            })
            .absent(&["b"]),
        case("a replay of another run_format", replay, 2, &["--config a/run.json: run_format 99 (written by nnlab", "is not one this nnlab reads (it reads run_format 1", "replay it with the nnlab that wrote it"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| r["run_format"] = 99.into());
            })
            .absent(&["b"]),
        case("a replay with a text run_format", replay, 2, &["run_format \"1\"", "is not one this nnlab reads"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| r["run_format"] = "1".into());
            })
            .absent(&["b"]),
        case("a replay without run_format", replay, 2, &["it has a \"config\" section but no run_format, so it is not a run.json this nnlab wrote", "put the settings at the top level"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| { r.as_object_mut().unwrap().remove("run_format"); });
            })
            .absent(&["b"]),
        case("a replay with a wrong-typed setting", replay, 2, &["--config a/run.json: invalid type: string \"three\", expected usize"])
            .setup(|w| {
                replay_setup(w);
                edit_run_json(w, |r| r["config"]["epochs"] = "three".into());
            })
            .absent(&["b"]),
        case("a replay whose data changed", replay, 2, &["d.csv: the file changed since the run that recorded it", "Restore the file, or name it with --data"])
            .setup(|w| {
                nnlab_ok(w, "data --samples 40 -o d.csv");
                nnlab_ok(w, "train --data d.csv --epochs 2 --no-figures --quiet --out a");
                let csv = fs::read_to_string(w.join("d.csv")).unwrap();
                fs::write(w.join("d.csv"), csv.replacen("\n-", "\n9", 1)).unwrap();
            })
            .absent(&["b"]),
        case("a replay whose data is gone", replay, 2, &["d.csv: cannot open it: No such file or directory"])
            .setup(|w| {
                nnlab_ok(w, "data --samples 40 -o d.csv");
                nnlab_ok(w, "train --data d.csv --epochs 2 --no-figures --quiet --out a");
                fs::remove_file(w.join("d.csv")).unwrap();
            })
            .absent(&["b"]),
        case("a replay whose data changed, named on the command line", "train --config a/run.json --data d.csv --out b --no-figures --quiet", 0, &[])
            .setup(|w| {
                nnlab_ok(w, "data --samples 40 -o d.csv");
                nnlab_ok(w, "train --data d.csv --epochs 2 --no-figures --quiet --out a");
                nnlab_ok(w, "data --samples 40 --seed 1 -o d.csv");
            })
            .exists(&["b/run.json"]),
    ]
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn flags() {
    run_all(flag_table(), false);
}

#[test]
fn files() {
    run_all(file_table(), false);
}

#[test]
fn configs() {
    run_all(config_table(), false);
}

#[test]
fn outputs() {
    run_all(output_table(), false);
}

#[test]
fn signals() {
    run_all(signal_table(), false);
}

#[test]
fn concurrent_runs() {
    run_all(concurrent_table(), false);
}

#[test]
fn replays() {
    run_all(replay_table(), false);
}

fn all_tables() -> Vec<Vec<Case>> {
    vec![
        flag_table(),
        file_table(),
        config_table(),
        output_table(),
        signal_table(),
        concurrent_table(),
        replay_table(),
    ]
}

/// Issue 13 asks for at least 150 cases; the names must tell them apart.
#[test]
fn the_suite_has_150_distinct_cases() {
    let names = [
        "flags",
        "files",
        "configs",
        "outputs",
        "signals",
        "concurrent",
        "replays",
    ];
    for (name, table) in names.iter().zip(all_tables()) {
        let bugs = table.iter().filter(|c| c.bug.is_some()).count();
        eprintln!("{name}: {} cases, {bugs} known bugs", table.len() - bugs);
    }
    let cases: Vec<Case> = all_tables().into_iter().flatten().collect();
    let passing = cases.iter().filter(|c| c.bug.is_none()).count();
    assert!(passing >= 150, "{passing} cases");
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two cases share a name");
}

/// The behaviour that is wanted but not there yet (each row says why).
#[test]
#[ignore = "known bugs, reported to the lead: run with --ignored to see which still fail"]
fn known_bugs() {
    run_all(all_tables().into_iter().flatten().collect(), true);
}
