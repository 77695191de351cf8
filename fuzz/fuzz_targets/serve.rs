//! libFuzzer target: the request bodies of `nnlab serve` through its router (see FUZZING.md).
//! The harness is the one the smoke test in crates/nnlab-serve/tests/fuzz_smoke.rs runs on the
//! stable toolchain.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/nnlab-serve/tests/fuzz_smoke.rs"]
mod requests;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = requests::serve(data);
});
