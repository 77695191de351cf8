//! A small mutation fuzzer for the readers of outside bytes, on the stable toolchain (FUZZING.md
//! at the repository root says how it sits beside the libFuzzer targets in `fuzz/`).
//!
//! [`exercise`] feeds a reader its seed files (`fuzz/seeds/<target>/`, the libFuzzer targets'
//! seeds too), then `runs` inputs made from them by [`Mutator`]: bits flipped, bytes replaced,
//! ranges deleted, duplicated or spliced from another seed, numbers swapped for awkward ones
//! (`18446744073709551615`, `1e999`, `NaN`) and words of the format inserted. The RNG is seeded,
//! so a run is the same every time; a panic names the input (escaped) and its run number.
//! [`CappedAlloc`] is a global allocator for the test binaries that aborts, naming the input, on an
//! allocation over a bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The repository's `fuzz/seeds/<target>` folder.
pub fn seeds_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target)
}

/// Every file of `fuzz/seeds/<target>`, sorted by name (panics if there are none).
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = seeds_dir(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{}: no seed files", dir.display());
    paths.iter().map(|p| read(p)).collect()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Numbers and bytes that readers get wrong: overflows, non-finite values, separators.
pub const AWKWARD: &[&str] = &[
    "18446744073709551615",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "99999999999999999999999",
    "1000000000000",
    "1e308",
    "1e999",
    "-1e999",
    "1e-320",
    "-0",
    "-1",
    "0",
    "1",
    "2",
    "65",
    "0.5",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "",
    " ",
    ",",
    "\n",
    "\r\n",
    "\"",
    "\"\"",
    "\\",
    "\u{0}",
    "\u{feff}",
    "é",
    "null",
    "true",
    "[]",
    "{}",
    "[[]]",
];

/// Makes inputs from seeds.
pub struct Mutator<'a> {
    pub rng: Rng,
    seeds: &'a [Vec<u8>],
    words: Vec<&'a [u8]>,
    /// Inputs are cut to this many bytes.
    pub max_len: usize,
}

impl<'a> Mutator<'a> {
    /// A mutator over `seeds` that also inserts `dictionary`'s words (the format's names and
    /// keywords) and the [`AWKWARD`] values.
    pub fn new(seed: u64, seeds: &'a [Vec<u8>], dictionary: &'a [&'a str]) -> Mutator<'a> {
        assert!(!seeds.is_empty(), "a mutator needs at least one seed");
        let words = AWKWARD
            .iter()
            .chain(dictionary)
            .map(|w| w.as_bytes())
            .collect();
        Mutator {
            rng: Rng::new(seed),
            seeds,
            words,
            max_len: 1 << 16,
        }
    }

    /// A new input: a seed with 1 or 2 mutations stacked (one time in four, up to 8).
    pub fn next_input(&mut self) -> Vec<u8> {
        let mut data = self.seeds[self.rng.below(self.seeds.len())].clone();
        let n = match self.rng.below(4) {
            0 => 1 + self.rng.below(8),
            _ => 1 + self.rng.below(2),
        };
        for _ in 0..n {
            self.mutate(&mut data);
            data.truncate(self.max_len);
        }
        data
    }

    fn word(&mut self) -> &'a [u8] {
        self.words[self.rng.below(self.words.len())]
    }

    /// One mutation of `data`, in place.
    pub fn mutate(&mut self, data: &mut Vec<u8>) {
        let len = data.len();
        let at = |rng: &mut Rng| rng.below(len + 1);
        match self.rng.below(11) {
            // a bit flipped
            0 if len > 0 => {
                let i = self.rng.below(len);
                data[i] ^= 1 << self.rng.below(8);
            }
            // a byte replaced by an arbitrary one or by one of the format's separators
            1 if len > 0 => {
                let i = self.rng.below(len);
                data[i] = match self.rng.below(2) {
                    0 => self.rng.next_u64() as u8,
                    _ => {
                        let separators = b",\n\"-.e0123456789{}[]:= \t#'\r";
                        separators[self.rng.below(separators.len())]
                    }
                };
            }
            // a range deleted
            2 if len > 0 => {
                let start = self.rng.below(len);
                let end = start + 1 + self.rng.below((len - start).min(32));
                data.drain(start..end);
            }
            // a range duplicated elsewhere (rows and keys repeated)
            3 if len > 0 => {
                let start = self.rng.below(len);
                let end = start + 1 + self.rng.below((len - start).min(256));
                let copy = data[start..end].to_vec();
                let i = at(&mut self.rng);
                data.splice(i..i, copy);
            }
            // a word inserted
            4 | 5 => {
                let word = self.word();
                let i = at(&mut self.rng);
                data.splice(i..i, word.iter().copied());
            }
            // a number (a run of digits, signs, dots and exponents) replaced by a word
            6 | 7 => {
                let starts: Vec<usize> = (0..len)
                    .filter(|&i| data[i].is_ascii_digit() && (i == 0 || !is_number(data[i - 1])))
                    .collect();
                if starts.is_empty() {
                    let word = self.word();
                    data.extend_from_slice(word);
                    return;
                }
                let start = starts[self.rng.below(starts.len())];
                let end = (start..len).find(|&i| !is_number(data[i])).unwrap_or(len);
                let word = self.word();
                data.splice(start..end, word.iter().copied());
            }
            // spliced with another seed: this one's head, the other's tail
            8 => {
                let other = &self.seeds[self.rng.below(self.seeds.len())];
                let cut = at(&mut self.rng);
                let from = self.rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            // cut short
            9 if len > 0 => data.truncate(self.rng.below(len)),
            // a line (or a row) repeated many times: size and count limits
            10 if len > 0 => {
                let start = self.rng.below(len);
                let end = (start..len)
                    .find(|&i| data[i] == b'\n')
                    .map_or(len, |i| i + 1);
                let copy = data[start..end].to_vec();
                let times = 1 + self.rng.below(16);
                for _ in 0..times {
                    data.splice(end..end, copy.iter().copied());
                }
            }
            _ => {
                let word = self.word();
                data.extend_from_slice(word);
            }
        }
    }
}

fn is_number(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')
}

/// What a run of [`exercise`] saw.
#[derive(Debug)]
pub struct Report {
    pub runs: usize,
    /// Inputs the reader accepted (the rest it refused with an error).
    pub accepted: usize,
    pub elapsed: Duration,
    /// The slowest input and its time.
    pub slowest: (Duration, Vec<u8>),
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} inputs ({} accepted, {} refused) in {:.2?}, {:.1} µs each; slowest {:.2?}",
            self.runs,
            self.accepted,
            self.runs - self.accepted,
            self.elapsed,
            self.elapsed.as_secs_f64() * 1e6 / self.runs.max(1) as f64,
            self.slowest.0,
        )
    }
}

thread_local! {
    /// The input this thread is running (pointer and length, set together), for
    /// [`CappedAlloc`]'s message. Per thread, so that tests exercising readers in parallel never
    /// pair one input's pointer with another's length.
    static CURRENT: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
}

/// Feeds `reader` the seeds, then `runs` mutated inputs (RNG seeded with `seed`). A panic is
/// re-raised naming the input, escaped, and its run number; an `Err` is a refusal, which is fine.
pub fn exercise<E>(
    name: &str,
    seeds: &[Vec<u8>],
    dictionary: &[&str],
    runs: usize,
    seed: u64,
    reader: impl Fn(&[u8]) -> Result<(), E>,
) -> Report {
    let mut mutator = Mutator::new(seed, seeds, dictionary);
    let started = Instant::now();
    let mut report = Report {
        runs: 0,
        accepted: 0,
        elapsed: Duration::ZERO,
        slowest: (Duration::ZERO, Vec::new()),
    };
    for run in 0..seeds.len() + runs {
        let input = match seeds.get(run) {
            Some(seed) => seed.clone(),
            None => mutator.next_input(),
        };
        CURRENT.with(|current| current.set((input.as_ptr(), input.len())));
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| reader(&input)));
        let took = start.elapsed();
        CURRENT.with(|current| current.set((std::ptr::null(), 0)));
        match outcome {
            Ok(result) => report.accepted += usize::from(result.is_ok()),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                panic!(
                    "{name}: input {run} (seed {seed}) panicked: {what}\ninput ({} bytes): b\"{}\"",
                    input.len(),
                    input.escape_ascii()
                );
            }
        }
        if took > report.slowest.0 {
            report.slowest = (took, input);
        }
        report.runs += 1;
    }
    report.elapsed = started.elapsed();
    report
}

/// A global allocator for test binaries: the system's, but an allocation over `limit` bytes
/// aborts the process, printing the input that [`exercise`] was running (a reader must bound
/// what it allocates by its input's size and the program's limits, not by numbers in the input).
pub struct CappedAlloc {
    pub limit: usize,
}

// SAFETY: every method hands the caller's layout and pointer to `System`, unchanged, under the
// same `GlobalAlloc` contract (the caller upholds it for us as for `System`), or aborts the process
// without returning (`over`); the blocks below rely on nothing else.
// SAFETY: every call goes to the system allocator with the caller's own arguments, so its
// contract is the caller's; an allocation over the limit aborts instead (it never unwinds).
unsafe impl GlobalAlloc for CappedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > self.limit {
            self.over(layout.size());
        }
        // SAFETY: `layout` is the caller's, passed on as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > self.limit {
            self.over(layout.size());
        }
        // SAFETY: as in `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (every allocation here is) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > self.limit {
            self.over(new_size);
        }
        // SAFETY: `ptr` was allocated by `System` with `layout`; `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

impl CappedAlloc {
    #[cold]
    fn over(&self, size: usize) -> ! {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "\nallocation of {size} bytes, over the bound of {} bytes; the input (raw):",
            self.limit
        );
        let (ptr, len) = CURRENT.try_with(Cell::get).unwrap_or((std::ptr::null(), 0));
        if len > 0 && !ptr.is_null() {
            // SAFETY: this thread's `exercise` set the pair from one live input and resets it
            // before that input is dropped, so `ptr` points at `len` readable bytes.
            let _ = err.write_all(unsafe { std::slice::from_raw_parts(ptr, len) });
        }
        let _ = writeln!(err);
        std::process::abort()
    }
}

/// How many inputs a volume run makes: `NNLAB_FUZZ_RUNS`, else `default`.
pub fn runs_from_env(default: usize) -> usize {
    std::env::var("NNLAB_FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mutator_is_seeded_and_bounded() {
        let seeds = vec![b"x0,x1,label\n1,2,0\n3,4,1\n".to_vec()];
        let make = || {
            let mut m = Mutator::new(7, &seeds, &["label"]);
            m.max_len = 200;
            (0..500).map(|_| m.next_input()).collect::<Vec<_>>()
        };
        let a = make();
        assert_eq!(a, make());
        assert!(a.iter().all(|input| input.len() <= 200));
        assert!(a.iter().any(|input| input != &seeds[0]));
    }
}
