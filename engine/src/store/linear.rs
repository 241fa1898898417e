//! The bytes of a linear memory: a zeroed block from the system allocator
//! that the guest's pages live in, touched only where the guest writes.
//!
//! Blocks are allocated with `alloc_zeroed` at alignment 16, which the
//! system allocator serves with `calloc`; glibc hands large `calloc` blocks
//! out as fresh anonymous mappings without clearing them, so a memory costs
//! resident pages only where it is written. Growing past the block's
//! capacity allocates a new zeroed block (with headroom, so that growing
//! a page at a time is amortised) and copies only the old bytes, skipping
//! chunks that are still zero, so new pages and never-written old pages
//! stay untouched. Allocation failure is an error, never an abort.
//!
//! An engine may keep freed blocks for reuse ([`MemoryPool`],
//! `Config::memory_pool`): a store's memories are handed to the pool when
//! the store is dropped, cleared there (only the chunks of the old
//! addressable bytes that are not already zero are written), and a later
//! memory of any store of the engine that fits takes one instead of asking
//! the allocator. Spawning many short-lived processes then costs neither a
//! `calloc` of the whole block (cleared in full when glibc serves it from
//! its heap) nor an `mmap` and `munmap` pair (when it serves it from fresh
//! mappings).
//!
//! Blocks are ordinary 4 KiB pages. Huge pages (a 2 MiB-aligned mapping
//! advised `MADV_HUGEPAGE`, as transparent huge pages in `madvise` mode
//! need) were measured for the large memories of sieve and matmul: the
//! guest got them, and neither ran faster beyond noise, their working sets
//! (4-9 MB) being within reach of the 4 KiB TLB; each huge page makes
//! 2 MiB resident at its first touch. See benches/README.md ("Memory
//! system", session 8).
//!
//! This is the only file of the store with `unsafe` code.

use crate::prelude::*;
use crate::sync::Lock;
use alloc::alloc::{Layout, alloc_zeroed, dealloc};
use core::ptr::NonNull;

/// Alignment of the block: at most the allocator's minimum alignment, so
/// `alloc_zeroed` becomes `calloc` (which skips clearing fresh mappings).
const ALIGN: usize = 16;

/// Smallest block: large enough that glibc serves it from a fresh mapping
/// (its mmap threshold is 128 KiB, which the CLI pins) instead of carving
/// it from the heap and clearing it byte by byte.
const MIN_BLOCK: usize = 128 * 1024 + 64 * 1024;

/// Chunk size for copying on growth: chunks of the old block that are all
/// zero are not written to the new one (it is zero already).
const COPY_CHUNK: usize = 4096;

/// The allocator could not provide the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AllocFailed;

/// A zero-initialised, growable byte buffer for one linear memory.
pub(crate) struct LinearMemory {
    /// Start of the block; dangling when `cap` is 0.
    ptr: NonNull<u8>,
    /// Bytes the guest can address.
    len: usize,
    /// Bytes allocated; every byte in `len..cap` is zero.
    cap: usize,
    /// Whether the bytes may have been written since the block was zeroed:
    /// set by every way to write them ([`LinearMemory::open`] and
    /// `DerefMut`). A memory never opened is all zero, so the pool takes it
    /// back without looking at it.
    touched: bool,
}

// SAFETY: the block is owned exclusively by this value (like a `Vec<u8>`).
unsafe impl Send for LinearMemory {}
// SAFETY: shared access only reads through `&self` (like a `Vec<u8>`).
unsafe impl Sync for LinearMemory {}

impl core::fmt::Debug for LinearMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LinearMemory")
            .field("len", &self.len)
            .field("cap", &self.cap)
            .finish()
    }
}

fn layout(cap: usize) -> Option<Layout> {
    Layout::from_size_align(cap, ALIGN).ok()
}

/// A zeroed block of `cap` bytes (`cap > 0`).
fn zeroed_block(cap: usize) -> Result<NonNull<u8>, AllocFailed> {
    let layout = layout(cap).ok_or(AllocFailed)?;
    // SAFETY: `layout` has a non-zero size (callers pass cap > 0).
    NonNull::new(unsafe { alloc_zeroed(layout) }).ok_or(AllocFailed)
}

/// Most blocks a [`MemoryPool`] keeps, whatever their sizes.
const POOL_MAX_BLOCKS: usize = 64;

/// A freed block kept by a [`MemoryPool`]: `cap` zero bytes at `ptr`.
struct Block {
    ptr: NonNull<u8>,
    cap: usize,
}

// SAFETY: a pooled block is owned by the pool alone (like a `Vec<u8>`).
unsafe impl Send for Block {}

#[derive(Default)]
struct PoolState {
    blocks: Vec<Block>,
    /// The sum of the blocks' sizes.
    bytes: usize,
}

/// Freed linear-memory blocks kept for reuse by an engine's stores: at most
/// `limit` bytes in all (the blocks' full sizes, touched or not) and at
/// most [`POOL_MAX_BLOCKS`] blocks. Every byte of a pooled block is zero:
/// it is cleared before it enters the pool, so nothing a guest wrote
/// outlives its store.
pub(crate) struct MemoryPool {
    limit: usize,
    state: Lock<PoolState>,
}

impl core::fmt::Debug for MemoryPool {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryPool")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl MemoryPool {
    /// A pool of at most `limit` bytes (0: none, blocks are freed at once).
    pub(crate) fn new(limit: usize) -> Self {
        MemoryPool {
            limit,
            state: Lock::new(PoolState::default()),
        }
    }

    /// Bytes of the blocks held now.
    pub(crate) fn bytes(&self) -> usize {
        if self.limit == 0 {
            return 0;
        }
        self.state.with(|s| s.bytes)
    }

    /// A pooled block of at least `min` bytes (and at least `reserve`
    /// bytes when given), the most recently pooled one that fits.
    fn take(&self, min: usize, reserve: Option<usize>) -> Option<Block> {
        if self.limit == 0 {
            return None;
        }
        let want = min.max(reserve.unwrap_or(0));
        self.state.with(|s| {
            let i = s.blocks.iter().rposition(|b| b.cap >= want)?;
            let b = s.blocks.swap_remove(i);
            s.bytes -= b.cap;
            Some(b)
        })
    }

    /// Keeps `block` (zero) if it fits the bounds; frees it otherwise.
    fn give(&self, block: Block) {
        let refused = if block.cap > self.limit {
            Some(block)
        } else {
            self.state.with(|s| {
                if s.blocks.len() >= POOL_MAX_BLOCKS
                    || s.bytes + block.cap > self.limit
                    || s.blocks.try_reserve(1).is_err()
                {
                    return Some(block);
                }
                s.bytes += block.cap;
                s.blocks.push(block);
                None
            })
        };
        if let Some(b) = refused {
            free_block(b);
        }
    }
}

impl Drop for MemoryPool {
    fn drop(&mut self) {
        self.state.with(|s| {
            for b in s.blocks.drain(..) {
                free_block(b);
            }
            s.bytes = 0;
        });
    }
}

/// Gives a block back to the allocator.
fn free_block(b: Block) {
    if let Some(layout) = layout(b.cap) {
        // SAFETY: pooled blocks were allocated with this layout, and the
        // pool gives each back once.
        unsafe { dealloc(b.ptr.as_ptr(), layout) };
    }
}

/// Chunk size for clearing a block before it is pooled: only chunks that
/// are not all zero are written, so pages the guest never wrote stay
/// untouched.
const CLEAR_CHUNK: usize = 4096;

/// Bytes looked at per step of [`all_zero_avx2`]: 32 loads of 32 bytes
/// into four accumulators (a step's loop overhead is three instructions).
#[cfg(all(feature = "std", target_arch = "x86_64"))]
const AVX2_STEP: usize = 1024;

/// Zeroes every [`CLEAR_CHUNK`] of `bytes` that is not all zero already.
/// The processor's features are asked once per call, not per chunk, and
/// with AVX2 the check runs in [`all_zero_avx2`]: a pooled one-page
/// memory is 64 KiB to look at whenever its process ends (benches/README.md,
/// "Spawn cost, session 9").
fn clear_written(bytes: &mut [u8]) {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2 (checked just above), the
        // only requirement of calling a function that enables it.
        unsafe { clear_written_avx2(bytes) };
        return;
    }
    for chunk in bytes.chunks_mut(CLEAR_CHUNK) {
        if !all_zero_words(chunk) {
            chunk.fill(0);
        }
    }
}

/// [`clear_written`] with AVX2.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
fn clear_written_avx2(bytes: &mut [u8]) {
    for chunk in bytes.chunks_mut(CLEAR_CHUNK) {
        if !all_zero_avx2(chunk) {
            chunk.fill(0);
        }
    }
}

/// Whether every byte of `chunk` is zero, with AVX2: an OR of its 32-byte
/// words, [`AVX2_STEP`] bytes per step (the loads folded into the ORs),
/// the tail by [`all_zero_words`].
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
fn all_zero_avx2(chunk: &[u8]) -> bool {
    use core::arch::x86_64::{
        __m256i, _mm256_loadu_si256, _mm256_or_si256, _mm256_setzero_si256, _mm256_testz_si256,
    };
    const WORDS: usize = AVX2_STEP / 32;
    let mut steps = chunk.chunks_exact(AVX2_STEP);
    let mut acc = [_mm256_setzero_si256(); 4];
    for step in &mut steps {
        let p = step.as_ptr().cast::<__m256i>();
        for w in 0..WORDS {
            // SAFETY: `step` holds AVX2_STEP bytes, so word `w`
            // (w < AVX2_STEP / 32) lies within it; the load is unaligned.
            let v = unsafe { _mm256_loadu_si256(p.add(w)) };
            acc[w % 4] = _mm256_or_si256(acc[w % 4], v);
        }
    }
    let all = _mm256_or_si256(
        _mm256_or_si256(acc[0], acc[1]),
        _mm256_or_si256(acc[2], acc[3]),
    );
    _mm256_testz_si256(all, all) == 1 && all_zero_words(steps.remainder())
}

/// Whether every byte of `chunk` is zero (copying on growth).
fn all_zero(chunk: &[u8]) -> bool {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2 (checked just above).
        return unsafe { all_zero_avx2(chunk) };
    }
    all_zero_words(chunk)
}

/// Whether every byte of `chunk` is zero: an OR of its 8-byte words into
/// eight accumulators, which vectorises and keeps several loads in flight
/// (`iter().any()`, with its early exit, does neither).
#[inline(always)]
fn all_zero_words(chunk: &[u8]) -> bool {
    let mut blocks = chunk.chunks_exact(64);
    let mut acc = [0u64; 8];
    for b in &mut blocks {
        for (i, a) in acc.iter_mut().enumerate() {
            let w = &b[i * 8..i * 8 + 8];
            *a |= u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        }
    }
    acc.iter().fold(0, |x, &a| x | a) == 0 && blocks.remainder().iter().all(|&b| b == 0)
}

impl LinearMemory {
    /// `len` zero bytes, in a block of at least `MIN_BLOCK` bytes (none
    /// for an empty memory), taken from `pool` when it holds one that fits.
    /// With `reserve`, the block is first tried at that size (untouched
    /// address space the memory can grow into without moving).
    pub(crate) fn new(
        len: usize,
        reserve: Option<usize>,
        pool: &MemoryPool,
    ) -> Result<Self, AllocFailed> {
        let mut m = LinearMemory {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
            touched: false,
        };
        if len > 0
            && let Some(b) = pool.take(len, reserve.filter(|r| *r > len.max(MIN_BLOCK)))
        {
            m.ptr = b.ptr;
            m.cap = b.cap;
        } else if let Some(r) = reserve.filter(|r| *r > len.max(MIN_BLOCK))
            && let Ok(block) = zeroed_block(r)
        {
            m.ptr = block;
            m.cap = r;
        } else if len > 0 {
            let cap = len.max(MIN_BLOCK);
            m.ptr = zeroed_block(cap)?;
            m.cap = cap;
        }
        m.len = len;
        Ok(m)
    }

    /// The addressable length in bytes.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Start of the bytes and how many of them a view may reach, for the
    /// interpreter's cached view: all of them once the memory is opened
    /// (touched), none before, so that a view cannot write an unopened
    /// memory; its first access steps out, and the interpreter then opens
    /// the memory ([`LinearMemory::open`]) and derives the view again.
    #[inline(always)]
    pub(crate) fn view_parts(&mut self) -> (*mut u8, usize) {
        (self.ptr.as_ptr(), if self.touched { self.len } else { 0 })
    }

    /// Opens the memory for a view: marks it touched (the pool will clear
    /// it) and returns its start and length.
    #[inline]
    pub(crate) fn open(&mut self) -> (*mut u8, usize) {
        self.touched = true;
        (self.ptr.as_ptr(), self.len)
    }

    /// Whether the memory may have been written (see the field).
    #[cfg(test)]
    pub(crate) fn touched(&self) -> bool {
        self.touched
    }

    /// Grows to `new_len` bytes (zero), keeping the contents. When the
    /// block is too small, a new one is tried at `reserve` bytes (if given),
    /// then with headroom (double the old block), then smaller down to
    /// exactly `new_len`, never above `max_cap`. On failure the memory is
    /// unchanged.
    pub(crate) fn grow(
        &mut self,
        new_len: usize,
        max_cap: usize,
        reserve: Option<usize>,
    ) -> Result<(), AllocFailed> {
        if new_len <= self.len {
            return Ok(());
        }
        if new_len <= self.cap {
            // The bytes in len..cap are zero (never addressable before).
            self.len = new_len;
            return Ok(());
        }
        let max_cap = max_cap.max(new_len);
        let doubled = self.cap.saturating_mul(2).max(MIN_BLOCK);
        let wanted = [
            reserve.unwrap_or(0),
            doubled,
            new_len.saturating_add(new_len / 4),
            new_len.saturating_add(new_len / 16),
            new_len,
        ];
        let mut last = 0;
        for want in wanted {
            let cap = want.clamp(new_len, max_cap);
            if cap == last || want == 0 {
                continue;
            }
            last = cap;
            if let Ok(block) = zeroed_block(cap) {
                self.move_to(block, cap);
                self.len = new_len;
                return Ok(());
            }
        }
        Err(AllocFailed)
    }

    /// Copies the contents into `block` (zeroed, `cap >= len`) and frees the
    /// old block.
    fn move_to(&mut self, block: NonNull<u8>, cap: usize) {
        debug_assert!(cap >= self.len);
        // A memory never opened is zero, as the new block is.
        if self.touched {
            let old: &[u8] = self;
            // SAFETY: `block` is a fresh allocation of `cap >= len` bytes,
            // disjoint from the old block.
            let new = unsafe { core::slice::from_raw_parts_mut(block.as_ptr(), self.len) };
            for (dst, src) in new.chunks_mut(COPY_CHUNK).zip(old.chunks(COPY_CHUNK)) {
                if !all_zero(src) {
                    dst.copy_from_slice(src);
                }
            }
        }
        self.free();
        self.ptr = block;
        self.cap = cap;
    }

    /// A table's worth of zero slots (`len` of them), allocated fallibly as
    /// zero pages like a memory's, so a large table of null references
    /// costs resident memory only where it is set.
    pub(crate) fn zeroed_slots(len: usize) -> Result<Vec<u64>, AllocFailed> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let layout = Layout::array::<u64>(len).map_err(|_| AllocFailed)?;
        // SAFETY: `layout` has a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) } as *mut u64;
        if ptr.is_null() {
            return Err(AllocFailed);
        }
        // SAFETY: `ptr` comes from the global allocator with the layout a
        // `Vec<u64>` of capacity `len` uses, and all `len` elements are
        // initialised (zero is a valid `u64`).
        Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
    }

    /// Hands the block to `pool`, cleared, or frees it when the pool does
    /// not keep it.
    pub(crate) fn release_to(mut self, pool: &MemoryPool) {
        if self.cap == 0 || self.cap > pool.limit {
            return; // dropped: freed
        }
        // A memory never opened is zero: nothing to look at.
        if self.touched {
            clear_written(&mut self);
        }
        let block = Block {
            ptr: self.ptr,
            cap: self.cap,
        };
        // The pool owns the block now (or frees it).
        self.cap = 0;
        self.len = 0;
        self.touched = false;
        self.ptr = NonNull::dangling();
        pool.give(block);
    }

    fn free(&mut self) {
        if self.cap > 0
            && let Some(layout) = layout(self.cap)
        {
            // SAFETY: `ptr` was allocated with this layout and is freed once
            // (callers replace or forget it afterwards).
            unsafe { dealloc(self.ptr.as_ptr(), layout) };
        }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        self.free();
    }
}

impl core::ops::Deref for LinearMemory {
    type Target = [u8];
    #[inline(always)]
    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` points to `cap >= len` initialised (zeroed or
        // written) bytes owned by `self`, or is dangling with len 0.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl core::ops::DerefMut for LinearMemory {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [u8] {
        // Whoever takes the bytes mutably may write them.
        self.touched = true;
        // SAFETY: as in `deref`, and `&mut self` gives exclusive access.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_keep_contents_and_new_bytes_are_zero() {
        let mut m = LinearMemory::new(65536, None, &MemoryPool::new(0)).unwrap();
        assert!(m.iter().all(|&b| b == 0));
        m[0] = 1;
        m[65535] = 2;
        m.grow(2 * 65536, 1 << 32, None).unwrap();
        assert_eq!(m.len(), 2 * 65536);
        assert_eq!((m[0], m[65535]), (1, 2));
        assert!(m[65536..].iter().all(|&b| b == 0));
        // Past the first block (192 KiB) and the doubled one.
        m.grow(40 * 65536, 1 << 32, None).unwrap();
        assert_eq!((m[0], m[65535]), (1, 2));
        assert!(m[1..65535].iter().all(|&b| b == 0));
        assert!(m[65536..].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_reserved_block_grows_in_place() {
        let mut m = LinearMemory::new(65536, Some(1 << 20), &MemoryPool::new(0)).unwrap();
        let base = m.as_ptr();
        m[9] = 9;
        m.grow(1 << 20, 1 << 32, None).unwrap();
        assert_eq!(m.as_ptr(), base, "no move within the reservation");
        assert_eq!(m[9], 9);
        let mut e = LinearMemory::new(0, Some(1 << 20), &MemoryPool::new(0)).unwrap();
        e.grow(65536, 1 << 32, None).unwrap();
        assert!(e.iter().all(|&b| b == 0));
    }

    #[test]
    fn an_impossible_block_is_an_error_and_leaves_the_memory() {
        let mut m = LinearMemory::new(65536, None, &MemoryPool::new(0)).unwrap();
        m[7] = 7;
        assert_eq!(m.grow(usize::MAX / 2, usize::MAX, None), Err(AllocFailed));
        assert_eq!(m.len(), 65536);
        assert_eq!(m[7], 7);
        assert!(LinearMemory::new(usize::MAX - 64, None, &MemoryPool::new(0)).is_err());
        assert!(LinearMemory::new(usize::MAX / 2, Some(usize::MAX), &MemoryPool::new(0)).is_err());
        // Whether the host gives 1 TiB or not, a failed block is not freed.
        drop(LinearMemory::new(1 << 40, None, &MemoryPool::new(0)));
        assert_eq!(
            LinearMemory::new(0, None, &MemoryPool::new(0))
                .unwrap()
                .len(),
            0
        );
        assert!(LinearMemory::zeroed_slots(usize::MAX / 4).is_err());
        assert_eq!(LinearMemory::zeroed_slots(3).unwrap(), vec![0, 0, 0]);
    }

    #[test]
    fn every_written_byte_is_seen_and_cleared() {
        // Lengths around the check's step (1 KiB) and chunk (4 KiB), a
        // written byte at each edge and in each tail.
        for len in [
            1,
            31,
            32,
            100,
            1023,
            1024,
            1025,
            4095,
            4096,
            5000,
            65536 + 37,
        ] {
            let mut bytes = vec![0u8; len];
            assert!(all_zero(&bytes));
            clear_written(&mut bytes);
            assert!(bytes.iter().all(|&b| b == 0));
            for at in [0, 1, 31, 32, 1023, 1024, 4095, 4096, 4097, 65535, len - 1] {
                if at >= len {
                    continue;
                }
                bytes[at] = 0x80;
                assert!(!all_zero(&bytes), "len {len}, byte {at}");
                assert_eq!(all_zero_words(&bytes), all_zero(&bytes));
                clear_written(&mut bytes);
                assert!(bytes.iter().all(|&b| b == 0), "len {len}, byte {at}");
            }
        }
    }

    #[test]
    fn a_view_reaches_a_memory_only_once_it_is_opened_or_written() {
        let pool = MemoryPool::new(0);
        let mut m = LinearMemory::new(65536, None, &pool).unwrap();
        assert!(!m.touched());
        assert_eq!(m.view_parts().1, 0, "an unopened memory's view is empty");
        assert_eq!(m.open().1, 65536);
        assert!(m.touched());
        assert_eq!(m.view_parts().1, 65536);
        let mut m = LinearMemory::new(65536, None, &pool).unwrap();
        let _: &[u8] = &m;
        assert!(!m.touched(), "reading does not open it");
        m[3] = 1;
        assert!(m.touched(), "writing through the slice marks it");
        // Past the block: the contents move to a new one, mark included.
        m.grow(4 * 65536, usize::MAX, None).unwrap();
        assert!(m.touched(), "growing keeps the mark");
        assert_eq!(m[3], 1);
        assert_eq!(m.view_parts().1, 4 * 65536);
    }

    #[test]
    fn a_pooled_block_comes_back_zeroed_and_the_pool_stays_bounded() {
        let pool = MemoryPool::new(2 * MIN_BLOCK);
        let mut a = LinearMemory::new(2 * 65536, None, &pool).unwrap();
        let base = a.as_ptr();
        a[5] = 0xAB;
        a[65536 + 4095] = 0xCD;
        a.release_to(&pool);
        assert_eq!(pool.bytes(), MIN_BLOCK);
        // The next memory that fits reuses the block, all zero.
        let mut b = LinearMemory::new(65536, None, &pool).unwrap();
        assert_eq!(b.as_ptr(), base);
        assert_eq!(pool.bytes(), 0);
        b.grow(3 * 65536, 1 << 32, None).unwrap();
        assert!(b.iter().all(|&x| x == 0), "a pooled block leaks nothing");
        // Too large for the pool: freed, not kept.
        b.grow(MIN_BLOCK * 4, 1 << 32, None).unwrap();
        b.release_to(&pool);
        assert_eq!(pool.bytes(), 0);
        // At most `limit` bytes: the third block of MIN_BLOCK is freed.
        let ms: Vec<_> = (0..3)
            .map(|_| LinearMemory::new(65536, None, &pool).unwrap())
            .collect();
        for m in ms {
            m.release_to(&pool);
        }
        assert_eq!(pool.bytes(), 2 * MIN_BLOCK);
        // A reservation larger than every pooled block is not served there.
        let r = LinearMemory::new(65536, Some(4 * MIN_BLOCK), &pool).unwrap();
        assert_eq!(pool.bytes(), 2 * MIN_BLOCK);
        drop(r);
        // A pool that keeps nothing frees at once.
        let none = MemoryPool::new(0);
        LinearMemory::new(65536, None, &none)
            .unwrap()
            .release_to(&none);
        assert_eq!(none.bytes(), 0);
    }
}
