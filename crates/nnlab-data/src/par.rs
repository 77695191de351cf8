//! Elementwise work split over threads (rayon), with results that never depend on the thread count.
//!
//! Everything run through here computes each output element from its own inputs only (a gather, a
//! transform, a polar pair's two normals): which thread does which chunk changes nothing but the
//! time. Sums, whose order decides their rounding, are never split.

use rayon::prelude::*;

/// Elements per chunk of parallel work: big enough that handing a chunk to another thread (tens of
/// µs on a busy VM) is a small share of it, small enough to balance two to a few cores.
pub(crate) const CHUNK: usize = 1 << 15;

/// Runs `work(first_index, chunk)` over `data` cut into chunks of `chunk_len` elements: all in the
/// calling thread when there is a single chunk, otherwise on rayon's pool.
pub(crate) fn for_each_chunk<T: Send>(
    data: &mut [T],
    chunk_len: usize,
    work: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    let chunk_len = chunk_len.max(1);
    if data.len() <= chunk_len {
        work(0, data);
    } else {
        data.par_chunks_mut(chunk_len)
            .enumerate()
            .for_each(|(i, chunk)| work(i * chunk_len, chunk));
    }
}

/// Like [`for_each_chunk`], over two slices cut at the same places: `a_per` elements of `a` and
/// `b_per` of `b` per unit (a row of features and its label, say; both at least 1, and both slices
/// holding the same number of units): `work(first_unit, a_chunk, b_chunk)`.
pub(crate) fn for_each_chunk2<A: Send, B: Send>(
    a: &mut [A],
    a_per: usize,
    b: &mut [B],
    b_per: usize,
    units_per_chunk: usize,
    work: impl Fn(usize, &mut [A], &mut [B]) + Sync + Send,
) {
    assert!(a_per >= 1 && b_per >= 1 && a.len() / a_per == b.len() / b_per);
    let units_per_chunk = units_per_chunk.max(1);
    if a.len() / a_per <= units_per_chunk {
        work(0, a, b);
    } else {
        a.par_chunks_mut(units_per_chunk * a_per)
            .zip(b.par_chunks_mut(units_per_chunk * b_per))
            .enumerate()
            .for_each(|(i, (a, b))| work(i * units_per_chunk, a, b));
    }
}
