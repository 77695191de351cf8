//! libFuzzer target: the csv reader (see FUZZING.md). The harness is the one the smoke test in
//! crates/nnlab-app/tests/fuzz_smoke.rs runs on the stable toolchain.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/nnlab-app/tests/fuzz_smoke.rs"]
mod readers;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = readers::csv(data);
});
