//! `--animate` (boundary.gif) and `--hidden-space` (hidden.png) from the command line: the files,
//! their frames and sizes, `nnlab plot` redrawing them, and the refusals; and `--lang ru`, the
//! figures in Russian.

mod common;

use std::path::Path;

use common::{is_png, nnlab, text};

/// The frames of a GIF and its size.
fn gif_frames(path: &Path) -> (usize, (u16, u16)) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut decoder = gif::DecodeOptions::new()
        .read_info(std::io::Cursor::new(bytes))
        .expect("a GIF");
    let size = (decoder.width(), decoder.height());
    let mut frames = 0;
    while decoder.read_next_frame().expect("a frame").is_some() {
        frames += 1;
    }
    (frames, size)
}

/// A PNG's width and height, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[test]
fn train_animates_every_epoch_of_the_default_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &["train", "--animate", "--out", "run", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (frames, size) = gif_frames(&dir.path().join("run/boundary.gif"));
    assert_eq!((frames, size), (20, (600, 480))); // 20 epochs, at most 50 frames
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run/run.json")).unwrap())
            .unwrap();
    let files = json["result"]["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f == "boundary.gif"), "{files:?}");
}

// 30 epochs in at most 7 frames: every 5th epoch (0, 5, ..., 25) and the last (29). `nnlab plot`
// trains the run again and draws the very same GIF; it also draws hidden.png on request.
#[test]
fn frames_follow_the_plan_and_plot_replays_the_same_gif() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &["train", "--epochs", "30", "--frames", "7", "--out", "run"],
        dir.path(),
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("boundary.gif: 7 frames (every 5 epochs and the last)"),
        "{err}"
    );
    let gif = dir.path().join("run/boundary.gif");
    assert_eq!(gif_frames(&gif).0, 7);
    let trained = std::fs::read(&gif).unwrap();
    std::fs::remove_file(&gif).unwrap();

    let out = nnlab(
        &["plot", "run", "--frames", "7", "--hidden-space"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(&gif).unwrap(),
        trained,
        "the replay drew another GIF"
    );
    let hidden = dir.path().join("run/hidden.png");
    assert!(is_png(&hidden));
    assert_eq!(png_size(&hidden), (1200, 600));
}

#[test]
fn train_writes_the_hidden_space_of_two_chosen_units() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &["train", "--hidden-units", "3,5", "--out", "run", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(is_png(&dir.path().join("run/hidden.png")));
    assert!(!dir.path().join("run/boundary.gif").exists());
}

// A replay that does not reproduce the run is refused: here history.csv no longer is what the
// training gives (its checksum in run.json changed with it, as a hand-edited run would).
#[test]
fn plot_refuses_to_animate_a_run_it_cannot_replay() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &["train", "--epochs", "3", "--out", "run", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run = dir.path().join("run");
    let history = std::fs::read_to_string(run.join("history.csv")).unwrap();
    let changed = history.replacen("0.", "0.9", 1);
    let old_sum = sha256(history.as_bytes());
    std::fs::write(run.join("history.csv"), &changed).unwrap();
    let json = std::fs::read_to_string(run.join("run.json")).unwrap();
    std::fs::write(
        run.join("run.json"),
        json.replace(&old_sum, &sha256(changed.as_bytes())),
    )
    .unwrap();
    let out = nnlab(&["plot", "run", "--animate"], dir.path());
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("did not give its history.csv"), "{err}");
    assert!(!run.join("boundary.gif").exists());
}

fn sha256(bytes: &[u8]) -> String {
    nnlab_app::files::sha256_hex(bytes)
}

#[test]
fn bad_frames_and_units_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--frames", "0"], "--frames"),
        (&["--frames", "many"], "--frames"),
        (&["--frames", "101"], "--frames"),
        (&["--frames", "-3"], "--frames"),
        (&["--animate", "--no-figures"], "--no-figures"),
        (&["--hidden-units", "3"], "--hidden-units"),
        (&["--hidden-units", "0,1"], "--hidden-units"),
        (&["--hidden-units", "4,4"], "--hidden-units"),
        (&["--hidden-units", "3,9"], "counted from 1 to 8"),
        (
            &["--animate", "--dataset", "blobs", "--features", "3"],
            "not available",
        ),
        (
            &["--hidden-space", "--dataset", "blobs", "--features", "3"],
            "not available",
        ),
        (&["--hidden-space", "--hidden", "1"], "a plane needs 2"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["train", "--out", "run", "--quiet"];
        args.extend_from_slice(extra);
        let out = nnlab(&args, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!dir.path().join("run").exists(), "{extra:?} left a folder");
    }
    let out = nnlab(&["plot", "nowhere", "--frames", "0"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--frames"));
}

/// A figure file of `run` as text (an SVG).
fn svg(run: &Path, name: &str) -> String {
    std::fs::read_to_string(run.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// `--lang ru` puts train's figures in Russian, the run's summary and a divergence's reason among
// them; `nnlab plot` draws in English unless given --lang ru too; `sweep` and `sweep merge` take
// it for sweep.png; any other language exits 2 naming the flag.
#[test]
fn lang_ru_writes_the_figures_in_russian() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = nnlab(args, dir.path());
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    };
    run(&[
        "train", "--lang", "ru", "--epochs", "5", "--svg", "--out", "ru", "--quiet",
    ]);
    let ru = dir.path().join("ru");
    assert!(svg(&ru, "boundary.svg").contains("Граница принятия решений (движок manual"));
    assert!(svg(&ru, "dataset.svg").contains("Набор данных"));
    let training = svg(&ru, "training.svg");
    for words in [
        "Функция потерь",
        "Эпоха",
        "сеть 2-8-1 (relu), ручной движок (f64)",
        "sgd: lr 0.1, 5 эпох, полный батч",
        "данные moons (1000 строк, шум 0.125, зерно 42)",
        "после 5 эпох: потери",
    ] {
        assert!(training.contains(words), "training.svg lacks {words}");
    }

    // plot redraws in English by default, in Russian on request
    run(&["plot", "ru", "--svg"]);
    assert!(svg(&ru, "training.svg").contains("after 5 epochs: loss"));
    run(&["plot", "ru", "--svg", "--lang", "ru"]);
    assert_eq!(svg(&ru, "training.svg"), training);

    // a diverged run's reason (`--lr 30` diverges at epoch 12, see the README)
    let out = nnlab(
        &[
            "train", "--lang", "ru", "--lr", "30", "--svg", "--out", "div",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr)); // a failed run, not bad input
    let training = svg(&dir.path().join("div"), "training.svg");
    assert!(training.contains("Расхождение на эпохе 12"), "{training}");
    assert!(training.contains("потери застряли на"), "{training}");

    // sweep.png: the Russian figure is not the English one
    let sweep = ["sweep", "--seeds", "0..2", "--epochs", "2", "--quiet"];
    run(&[&sweep[..], &["--out", "sw-en"]].concat());
    run(&[&sweep[..], &["--out", "sw-ru", "--lang", "ru"]].concat());
    let png = |name: &str| std::fs::read(dir.path().join(name).join("sweep.png")).unwrap();
    assert_ne!(png("sw-en"), png("sw-ru"));

    for args in [
        &["train", "--lang", "fr", "--out", "fr"][..],
        &["sweep", "merge", "sw-en", "--lang", "de"],
    ] {
        let out = nnlab(args, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("--lang") && err.contains("ru"), "{err}");
    }
}
