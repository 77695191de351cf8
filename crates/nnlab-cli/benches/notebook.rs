//! `nnlab notebook` end to end, as a person runs it (`cargo bench -p nnlab-cli`): data, both
//! sections, five figures and every file. Goal (issue 6): under 0.5 s; see also bench/notebook.py
//! for peak memory and the Python notebook beside it.

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn notebook_end_to_end(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    bencher.bench_local(|| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_nnlab"))
            .args(["notebook", "--quiet", "--out"])
            .arg(dir.path().join("nb"))
            .status()
            .unwrap();
        assert!(status.success());
    });
}
