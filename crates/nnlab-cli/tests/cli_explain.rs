//! `nnlab explain` as a learner runs it: one step taken apart, as text or a Markdown file, from
//! flags or a run's run.json; bad rows refused with the flag named.

mod common;

use common::{nnlab, text};

#[test]
fn explain_prints_the_notebooks_step_on_four_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(&["explain"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "One training step, taken apart",
        "training rows 0, 1, 2, 3 of 800",
        "z₁ = X·W₁ + b₁",
        "dz₂ = ŷ − y",
        "dW₂ = a₁ᵀ·dz₂ / m",
        "All 33 gradients agree with their finite differences",
        "W₁ ← W₁ − lr·dW₁",
        // A weight table's corner says what its rows and columns are; its first entry is
        // np.random.seed(42)'s first standard normal, 0.49671415 (the notebook's W1[0, 0]).
        "  input \\ unit        0        1",
        "  0              0.4967  -0.1383",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{stdout}");
    }
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn markdown_goes_to_a_file_with_its_sections() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "explain",
            "--rows",
            "0,5,17",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--format",
            "markdown",
            "-o",
            "step.md",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let markdown = std::fs::read_to_string(dir.path().join("step.md")).unwrap();
    for section in [
        "# One training step, taken apart",
        "## 2. Forward pass",
        "## 3. Backward pass",
        "## 4. Gradient check",
        "## 5. The update (lr = 0.01)",
        "$dz_{2} = \\hat y - y$",
        "m\\ \\text{(the first moment) of}\\ W_{1}",
        "| row 17 |",
        "| input \\ unit | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 |",
    ] {
        assert!(
            markdown.contains(section),
            "{section:?} missing:\n{markdown}"
        );
    }
}

#[test]
fn rows_out_of_range_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (rows, says) in [
        (
            "99999",
            "there is no training row 99999; the training rows are 0 to 799",
        ),
        ("0,1,2,3,4,5", "give 1 to 5 training rows"),
        ("4,4", "row 4 is given twice"),
    ] {
        let out = nnlab(&["explain", "--rows", rows], dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--rows {rows}: {stderr}");
        assert!(
            stderr.contains("--rows") && stderr.contains(says),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = nnlab(&["explain", "--out", "x"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-o FILE"));
}

#[test]
fn a_runs_config_is_explained_from_its_weights() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let train = nnlab(
        &[
            "train",
            "--quiet",
            "--no-figures",
            "--out",
            "run",
            "--hidden",
            "4,3",
            "--activation",
            "tanh",
            "--momentum",
            "0.9",
            "--l2",
            "0.01",
            "--epochs",
            "2",
            "--seed",
            "7",
        ],
        d,
    );
    assert_eq!(train.status.code(), Some(0), "{}", text(&train.stderr));
    let out = nnlab(&["explain", "--config", "run/run.json", "--rows", "2"], d);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for line in [
        "network 2-4-3-1 (tanh hidden",
        "sgd, momentum 0.9, L2 0.01",
        "z₃ = a₂·W₃ + b₃",
        "tanh'(z₁) = 1 − tanh(z₁)²",
        "g = dW + l2·W for the weights",
        "b, the momentum buffer of W₁",
        "(1×2)", // one row
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{stdout}");
    }
    // the same flags typed give the same document
    let typed = nnlab(
        &[
            "explain",
            "--hidden",
            "4,3",
            "--activation",
            "tanh",
            "--momentum",
            "0.9",
            "--l2",
            "0.01",
            "--seed",
            "7",
            "--rows",
            "2",
        ],
        d,
    );
    assert_eq!(text(&typed.stdout), stdout);
}
