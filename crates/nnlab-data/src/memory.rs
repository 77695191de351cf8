//! Two hints about memory, which change how fast the code runs and never what it computes.
//!
//! - [`zeroed`]: a new buffer of zeros that the kernel is asked to back with 2 MB "huge" pages when
//!   it is large, as numpy does for its arrays of 4 MB or more. A fresh buffer costs a page fault
//!   for each page at its first write (the kernel finds and clears a page): about a microsecond per
//!   4 KB page on a VM, so tens of milliseconds for the hundred megabytes a million-row pipeline
//!   writes; with huge pages there are 512 times fewer faults. The hint only applies on Linux where
//!   transparent huge pages are enabled for `madvise` (the usual setting); elsewhere it does nothing.
//! - [`prefetch`]: start loading an element that will be read soon, for gathers whose reads jump
//!   around megabytes of memory.

/// Buffers at least this large (in bytes) are advised to use huge pages (numpy's threshold).
const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// How many elements ahead of its use a scattered read is prefetched: far enough to cover a trip
/// to memory (about 100 ns) at a few ns per element.
pub(crate) const PREFETCH_DISTANCE: usize = 32;

/// `vec![T::default(); len]` for a type whose default is all zero bits (numbers, arrays of them),
/// with the huge-page hint when it is large. The zeros come from `calloc`, so for a large buffer
/// no page is touched before the hint is given.
pub(crate) fn zeroed<T: Clone + Default>(len: usize) -> Vec<T> {
    let mut buffer = vec![T::default(); len];
    let bytes = std::mem::size_of_val(buffer.as_slice());
    if bytes >= HUGE_PAGE_MIN_BYTES {
        advise_huge_pages(buffer.as_mut_ptr().cast::<u8>(), bytes);
    }
    buffer
}

#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn advise_huge_pages(start: *mut u8, bytes: usize) {
    use std::ffi::{c_int, c_void};
    extern "C" {
        // int madvise(void *addr, size_t length, int advice), from the C library (<sys/mman.h>).
        fn madvise(addr: *mut c_void, length: usize, advice: c_int) -> c_int;
    }
    const MADV_HUGEPAGE: c_int = 14;
    const PAGE: usize = 4096;
    // madvise wants a page-aligned start: advise the whole pages inside the buffer.
    let skip = (PAGE - start as usize % PAGE) % PAGE;
    if bytes <= skip {
        return;
    }
    let aligned = start.wrapping_add(skip).cast::<c_void>();
    // SAFETY: `aligned .. aligned + (bytes − skip)` lies inside the buffer this function was given
    // (a live allocation of `bytes` bytes, owned by the caller's Vec). MADV_HUGEPAGE only changes
    // how the kernel backs those pages; it never changes their contents, so no Rust value can
    // observe it. An error (say, an old kernel without the advice) is ignored: it is only a hint.
    let _ = unsafe { madvise(aligned, bytes - skip, MADV_HUGEPAGE) };
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
fn advise_huge_pages(_start: *mut u8, _bytes: usize) {}

/// Asks the CPU to start loading `items[index]` into the cache, where it can (x86-64); a hint
/// only, with no effect on any value.
#[inline(always)]
pub(crate) fn prefetch<T>(items: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let address = items.as_ptr().wrapping_add(index).cast::<i8>();
        // SAFETY: SSE is part of x86-64, so the instruction exists on every CPU this code runs
        // on; a prefetch never faults and changes no memory, whatever the address (`wrapping_add`
        // only computes it; nothing reads through it).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, index);
}
