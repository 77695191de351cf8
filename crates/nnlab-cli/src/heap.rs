//! The heap in 2 MiB pages, for the commands that make one run's data, train it and draw it.
//!
//! Linux gives a program its memory a 4 KiB page at a time, on the page's first touch: a trap
//! into the kernel (a page fault), which zeroes the page and maps it. `nnlab train` on 100,000
//! rows touches about 14 MiB of fresh memory (the data, its split and scaled copies, the
//! figures' buffers), and its 3,650 page faults cost more CPU time than the five epochs. Linux
//! also has 2 MiB pages ("transparent huge pages"), one fault for 512 small ones, but in its
//! usual setting (`madvise`) only for memory the program asks them for. glibc's `malloc` does
//! not ask, and gets its memory from several places: the heap (grown with `brk`), a mapping of
//! its own for each block from 128 KiB up, and an arena per thread.
//!
//! [`use_large_pages`] gathers the blocks in one place and asks for large pages there:
//! - every thread allocates from the heap (`M_ARENA_MAX` 1), and blocks up to 32 MiB come from
//!   it (`M_MMAP_THRESHOLD`, glibc's largest on 64-bit machines);
//! - the heap grows by 256 MiB of address space at a time (`M_TOP_PAD`; only the pages touched
//!   become memory) and keeps what was freed (`M_TRIM_THRESHOLD`), so it stays one mapping;
//! - `madvise(MADV_HUGEPAGE)` on that mapping, from the first 2 MiB boundary that nothing has
//!   touched yet (a 2 MiB piece in which one small page is mapped stays in small pages).
//!
//! Only those first 256 MiB are in large pages: if a run needs more, the heap grows by another
//! mapping of small pages, as before. A fault in a large page may wait for the kernel to gather
//! 2 MiB of free memory; on a machine whose memory is in pieces it falls back to small pages.
//!
//! Measured (`bench/commands.py`, BENCHMARKS.md): 100,000 rows, f32, the whole command, 3,650
//! page faults → about 700, CPU time 73.5 → 63.1 ms; 1,000,000 rows 17,100 → 1,000, peak memory
//! 8% higher. Without glibc or Linux, without large pages (`never`), under a memory limit
//! (`ulimit -v`, `ulimit -d`) or with strict overcommit (`vm.overcommit_memory` 2, where the
//! heap's 256 MiB of address space would count as memory in use), malloc is left as it is.
//!
//! Not for `nnlab serve` (it runs for hours and should give memory back) nor `nnlab sweep`
//! (runs train on every core at once, and one arena would make their threads queue for it).

/// Asks glibc's `malloc` for one heap in 2 MiB pages, where that can help (see the module);
/// true if it did.
///
/// # Safety
///
/// Call it before the program starts a thread: glibc's `mallopt` may not be called while
/// another thread allocates.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub unsafe fn use_large_pages() -> bool {
    const LARGE_PAGE: usize = 2 << 20;
    const GROWTH: usize = 256 << 20;
    const FIRST_BLOCK: usize = 1 << 20;
    const SMALL_PAGE: usize = 4096;
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let thp = read("/sys/kernel/mm/transparent_hugepage/enabled");
    if !(thp.contains("[always]") || thp.contains("[madvise]"))
        || read("/proc/sys/vm/overcommit_memory").trim() == "2"
    {
        return false;
    }
    // SAFETY: `getrlimit` writes the `rlimit` it is given; `mallopt` only changes malloc's
    // settings, and no other thread is allocating (the caller's promise); `sbrk(0)` only reads
    // where the heap ends; the block is freed at once and not used; `madvise(MADV_HUGEPAGE)`
    // changes no memory, only how the kernel backs the heap's untouched part.
    unsafe {
        // Under a limit on memory the heap's 256 MiB of address space could make an
        // allocation fail that would have fitted: leave malloc as it is.
        for resource in [libc::RLIMIT_AS, libc::RLIMIT_DATA] {
            let mut limit = std::mem::zeroed::<libc::rlimit>();
            if libc::getrlimit(resource, &mut limit) != 0 || limit.rlim_cur != libc::RLIM_INFINITY {
                return false;
            }
        }
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
        libc::mallopt(libc::M_TOP_PAD, GROWTH as i32);
        // A block larger than the heap's unused end makes malloc grow the heap by GROWTH.
        let before = libc::sbrk(0) as usize;
        let block = libc::malloc(FIRST_BLOCK);
        libc::free(block);
        let end = libc::sbrk(0) as usize;
        if block.is_null() || end <= before {
            return false; // the heap did not grow (no `brk`: malloc mapped memory instead)
        }
        // malloc wrote the heap's bookkeeping just past the block: start past that page.
        let from = (block as usize + FIRST_BLOCK + SMALL_PAGE).next_multiple_of(LARGE_PAGE);
        // An error (no large pages in this kernel) leaves the small pages: nothing to do.
        from < end && libc::madvise(from as *mut libc::c_void, end - from, libc::MADV_HUGEPAGE) == 0
    }
}

/// Elsewhere malloc stays as it is (false).
///
/// # Safety
///
/// None needed; `unsafe` as on Linux with glibc.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub unsafe fn use_large_pages() -> bool {
    false
}
