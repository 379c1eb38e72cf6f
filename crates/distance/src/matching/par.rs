//! Fork–join inside one matching: rayon's current thread pool with the
//! `rayon` feature, in order on the calling thread without it.
//!
//! Work is cut into chunks whose bounds depend only on the input size, never
//! on the number of threads, and results come back in chunk order, so every
//! value is identical for any thread count.

use std::ops::Range;

/// `(a(), b())`, possibly in parallel.
pub(super) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "rayon")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "rayon"))]
    {
        (a(), b())
    }
}

/// `f()` on a worker thread of rayon's current pool (on the calling thread
/// if it is one already, or without the `rayon` feature).
pub(super) fn on_worker<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    #[cfg(feature = "rayon")]
    {
        rayon::scope(|_| f())
    }
    #[cfg(not(feature = "rayon"))]
    {
        f()
    }
}

/// `f` over `0..len` cut into consecutive ranges of `chunk` indices (the
/// last one shorter), possibly in parallel; the results in range order.
pub(super) fn map_chunks<T: Send>(
    len: usize,
    chunk: usize,
    f: impl Fn(Range<usize>) -> T + Sync + Send,
) -> Vec<T> {
    let chunk = chunk.max(1);
    let range = |c: usize| c * chunk..((c + 1) * chunk).min(len);
    let chunks = len.div_ceil(chunk);
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        (0..chunks).into_par_iter().map(|c| f(range(c))).collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        (0..chunks).map(|c| f(range(c))).collect()
    }
}
