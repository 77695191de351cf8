//! `torch_rng` against PyTorch's `normal_` and `uniform_`, bit for bit, for both of PyTorch's CPU
//! kernels (AVX2 and the plain C++ `DEFAULT` build).
//!
//! Reference: `fixtures/torch_normal.json`, made by `fixtures/make_torch_normal.py` with PyTorch
//! 2.15.0 on Linux x86-64 (glibc), once with `ATEN_CPU_CAPABILITY=avx2` and once with
//! `ATEN_CPU_CAPABILITY=default`: `normal_` on 1 to 1000 values (the serial path below 16 values,
//! the block path from 16, the redrawn tail block), `uniform_`, sequences of calls that carry the
//! cached normal from one call to the next, and checksums of PyTorch's compiled Box–Muller step on
//! every possible input.
//!
//! The scalar kernel calls the C library's `logf`, `sinf` and `cosf`, as PyTorch's does, so it
//! gives the fixtures' values where those functions compute what they computed for the fixtures:
//! glibc on x86-64 (its FMA and SSE2 versions of `logf` and `sincosf` agree on every input
//! `normal_` can give them). Elsewhere (macOS, musl, other architectures) these tests check the
//! scalar kernel to 4e-6 only. The AVX2 kernel is plain `f32` arithmetic and is checked bit for
//! bit everywhere.

use nnlab_autograd::torch_rng::{normal_fill_16, Kernel, TorchGenerator};
use serde_json::Value;

/// Whether the scalar kernel's `logf`/`sinf`/`cosf` are the fixtures' (glibc on x86-64).
const FIXTURES_LIBM: bool = cfg!(all(
    target_os = "linux",
    target_env = "gnu",
    target_arch = "x86_64"
));

fn fixture() -> Value {
    nnlab_fixtures::fixture("torch_normal.json")
}

const KERNELS: [(Kernel, &str); 2] = [(Kernel::Avx2, "avx2"), (Kernel::Scalar, "scalar")];

fn name(kernel: Kernel) -> &'static str {
    KERNELS.iter().find(|(k, _)| *k == kernel).unwrap().1
}

fn u32s(value: &Value) -> Vec<u32> {
    serde_json::from_value(value.clone()).expect("a list of bit patterns")
}

/// Bit equality (or closeness, for the scalar kernel with another C library), reporting the
/// first difference.
fn check(kernel: Kernel, got: &[f32], want: &[u32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, &w)) in got.iter().zip(want).enumerate() {
        let w_value = f32::from_bits(w);
        if kernel == Kernel::Scalar && !FIXTURES_LIBM {
            let close = (g - w_value).abs() <= 4e-6 * w_value.abs().max(1.0);
            assert!(close, "{what}[{i}]: got {g}, want {w_value}");
        } else {
            assert_eq!(
                g.to_bits(),
                w,
                "{what}[{i}]: got {g:e} ({:#010x}), want {w_value:e} ({w:#010x})",
                g.to_bits()
            );
        }
    }
}

fn run_normal(generator: &mut TorchGenerator, case: &Value) -> Vec<f32> {
    let n = case["n"].as_u64().unwrap() as usize;
    generator.normal(
        n,
        case["mean"].as_f64().unwrap(),
        case["std"].as_f64().unwrap(),
    )
}

#[test]
fn the_fixtures_come_from_both_kernels() {
    let fixture = fixture();
    let kernels = &fixture["kernels"];
    assert_eq!(kernels["avx2"]["capability"], "AVX2");
    assert_eq!(kernels["scalar"]["capability"], "DEFAULT");
    // The two kernels give different values for the same seed, so each fixture pins its own.
    let differing = kernels["avx2"]["normal"]
        .as_array()
        .unwrap()
        .iter()
        .zip(kernels["scalar"]["normal"].as_array().unwrap())
        .filter(|(a, s)| a["bits"] != s["bits"])
        .count();
    assert!(differing > 10, "only {differing} cases differ");
}

#[test]
fn normal_matches_pytorch_bit_for_bit_on_both_kernels() {
    let fixture = fixture();
    for (kernel, name) in KERNELS {
        let cases = fixture["kernels"][name]["normal"].as_array().unwrap();
        let mut sizes = Vec::new();
        for case in cases {
            let seed = case["seed"].as_u64().unwrap() as u32;
            let mut generator = TorchGenerator::manual_seed_with(seed, kernel);
            let got = run_normal(&mut generator, case);
            let what = format!(
                "{name} seed {seed} n {} mean {} std {}",
                case["n"], case["mean"], case["std"]
            );
            check(kernel, &got, &u32s(&case["bits"]), &what);
            sizes.push(got.len());
        }
        // the serial path, exactly one block, a redrawn tail block, several blocks
        for n in [1, 15, 16, 17, 31, 32, 100, 1000] {
            assert!(sizes.contains(&n), "{name}: no case of {n} values");
        }
    }
}

#[test]
fn uniform_matches_pytorch_bit_for_bit_on_both_kernels() {
    let fixture = fixture();
    for (kernel, name) in KERNELS {
        for case in fixture["kernels"][name]["uniform"].as_array().unwrap() {
            let seed = case["seed"].as_u64().unwrap() as u32;
            let n = case["n"].as_u64().unwrap() as usize;
            let (a, b) = (case["a"].as_f64().unwrap(), case["b"].as_f64().unwrap());
            let got = TorchGenerator::manual_seed_with(seed, kernel).uniform(n, a, b);
            let what = format!("{name} uniform seed {seed} n {n} ({a}, {b})");
            // uniform_ has no library calls: exact everywhere.
            check(Kernel::Avx2, &got, &u32s(&case["bits"]), &what);
        }
    }
}

#[test]
fn the_cached_normal_carries_over_between_calls() {
    let fixture = fixture();
    for (kernel, name) in KERNELS {
        for sequence in fixture["kernels"][name]["sequences"].as_array().unwrap() {
            let seed = sequence["seed"].as_u64().unwrap() as u32;
            let mut generator = TorchGenerator::manual_seed_with(seed, kernel);
            let calls = sequence["calls"].as_array().unwrap();
            for (c, (call, want)) in calls
                .iter()
                .zip(sequence["bits"].as_array().unwrap())
                .enumerate()
            {
                let n = call["n"].as_u64().unwrap() as usize;
                let (a, b) = (call["a"].as_f64().unwrap(), call["b"].as_f64().unwrap());
                let got = match call["op"].as_str().unwrap() {
                    "normal" => generator.normal(n, a, b),
                    _ => generator.uniform(n, a, b),
                };
                let what = format!("{name} seed {seed} call {c} {call}");
                check(kernel, &got, &u32s(want), &what);
            }
        }
    }
}

#[test]
fn the_detected_kernel_matches_its_own_fixture() {
    // `manual_seed` reproduces the kernel PyTorch picks on this machine, so it must match the
    // fixture of that kernel (an AVX2 or AVX-512 x86 CPU: "avx2"; others: "scalar").
    let fixture = fixture();
    let kernel = Kernel::detect();
    let name = name(kernel);
    for case in fixture["kernels"][name]["normal"].as_array().unwrap() {
        let seed = case["seed"].as_u64().unwrap() as u32;
        let mut generator = TorchGenerator::manual_seed(seed);
        assert_eq!(generator.kernel(), kernel);
        let got = run_normal(&mut generator, case);
        check(
            kernel,
            &got,
            &u32s(&case["bits"]),
            &format!("detected {name} seed {seed}"),
        );
    }
}

/// The uniform `k · 2⁻²⁴` that the 24 random bits `k` give.
fn unit(k: u64) -> f32 {
    k as f32 * (1.0 / 16_777_216.0)
}

/// `Σ bits[i]·(2i + 1) mod 2⁶⁴` over the outputs of [`normal_fill_16`] on the blocks
/// `u1 = unit(k)`, `u2 = unit(partner(k))` for every `k` below `size`, 8 pairs per block, as
/// `make_torch_normal.py` computes it from PyTorch's compiled step. Returns the checksum and the
/// first block.
fn sweep(
    kernel: Kernel,
    size: u64,
    partner: fn(u64) -> u64,
    mean: f32,
    std: f32,
) -> (u64, [u32; 16]) {
    let blocks = size / 8;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let per_thread = blocks.div_ceil(threads);
    let block_at = |b: u64| {
        let mut block = [0.0f32; 16];
        for j in 0..8 {
            let k = 8 * b + j as u64;
            block[j] = unit(k);
            block[j + 8] = unit(partner(k));
        }
        normal_fill_16(kernel, &mut block, mean, std);
        block
    };
    let sum = std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut sum = 0u64;
                    for b in t * per_thread..((t + 1) * per_thread).min(blocks) {
                        for (j, value) in block_at(b).iter().enumerate() {
                            let i = 16 * b + j as u64;
                            let weight = 2 * i + 1;
                            sum = sum.wrapping_add(u64::from(value.to_bits()).wrapping_mul(weight));
                        }
                    }
                    sum
                })
            })
            .collect();
        parts
            .into_iter()
            .fold(0u64, |sum, part| sum.wrapping_add(part.join().unwrap()))
    });
    (sum, block_at(0).map(f32::to_bits))
}

#[test]
fn every_input_of_a_block_matches_pytorchs_compiled_step() {
    // All 2²⁴ uniforms that PyTorch can draw, as u1 and as u2, through PyTorch's own compiled
    // Box–Muller step (called from Python) and through `normal_fill_16`.
    let fixture = fixture();
    let size = fixture["sweep_size"].as_u64().unwrap();
    for (kernel, name) in KERNELS {
        if kernel == Kernel::Scalar && !FIXTURES_LIBM {
            continue; // depends on the C library's logf/sinf/cosf
        }
        for sweep_case in fixture["kernels"][name]["blocks"].as_array().unwrap() {
            let label = sweep_case["sweep"].as_str().unwrap();
            let partner: fn(u64) -> u64 = match label {
                "u2 = u1" => |k| k,
                "u2 = 0" => |_| 0,
                "u2 = u1 * 0x3779b1" => |k| (k * 0x3779b1) % (1 << 24),
                other => panic!("unknown sweep {other}"),
            };
            let mean = sweep_case["mean"].as_f64().unwrap() as f32;
            let std = sweep_case["std"].as_f64().unwrap() as f32;
            let (sum, first) = sweep(kernel, size, partner, mean, std);
            assert_eq!(
                first.to_vec(),
                u32s(&sweep_case["first"]),
                "{name} {label}: first block"
            );
            let want: u64 = sweep_case["checksum"].as_str().unwrap().parse().unwrap();
            assert_eq!(sum, want, "{name} {label}: checksum over {size} inputs");
        }
    }
}
