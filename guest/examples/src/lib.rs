//! Helpers shared by the example programs: the pipeline's deterministic byte
//! stream, its byte transform and its checksum (so that producer,
//! transformer, consumer and the orchestrator that checks them agree),
//! argument parsing, and random bytes straight from WASI's `random_get`.

/// Buffer size for copying through pipes: 64 KiB, a pipe's capacity.
pub const BUF_SIZE: usize = 64 * 1024;

/// Bytes in a MiB.
pub const MIB: u64 = 1 << 20;

/// The `n`th command-line argument parsed as a number, or `default` if it
/// is absent. Exits with a usage message if it is not a number.
pub fn arg_or(n: usize, default: u64) -> u64 {
    match std::env::args().nth(n) {
        None => default,
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("argument {n} must be a number, got {s:?}");
            std::process::exit(2)
        }),
    }
}

/// Our stdout as a `File`: unbuffered, so each 64 KiB `write_all` goes to
/// the pipe as it is (std's `Stdout` is line buffered and splits writes at
/// newline bytes). Not closed when dropped.
pub fn raw_stdout() -> std::mem::ManuallyDrop<std::fs::File> {
    use std::os::fd::FromRawFd;
    // SAFETY: descriptor 1 is open for the whole run; ManuallyDrop keeps
    // this second owner from closing it.
    std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) })
}

/// A deterministic stream of pseudo-random bytes (xorshift64*, fixed seed):
/// the same bytes on every run and machine.
pub struct ByteStream {
    state: u64,
}

impl ByteStream {
    /// The stream from its beginning.
    pub fn new() -> ByteStream {
        ByteStream {
            state: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// Fills `buf` with the next `buf.len()` bytes; the length must be a
    /// multiple of 8 (the stream is made 8 bytes at a time).
    pub fn fill(&mut self, buf: &mut [u8]) {
        assert!(
            buf.len().is_multiple_of(8),
            "ByteStream::fill needs a multiple of 8 bytes"
        );
        for chunk in buf.chunks_exact_mut(8) {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            let word = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            chunk.copy_from_slice(&word.to_le_bytes());
        }
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        ByteStream::new()
    }
}

/// The transformer's map of one byte: xor with 0x5A, then rotate left by 3.
pub fn transform_byte(b: u8) -> u8 {
    (b ^ 0x5A).rotate_left(3)
}

/// Applies [`transform_byte`] to every byte of `buf`, 8 bytes at a time.
pub fn transform(buf: &mut [u8]) {
    let mut chunks = buf.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes((&*chunk).try_into().unwrap()) ^ 0x5A5A_5A5A_5A5A_5A5A;
        // Rotate each byte left by 3 without letting bits cross bytes.
        let w = ((w << 3) & 0xF8F8_F8F8_F8F8_F8F8) | ((w >> 5) & 0x0707_0707_0707_0707);
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    for b in chunks.into_remainder() {
        *b = transform_byte(*b);
    }
}

/// FNV-1a, 64 bits: the consumer's checksum.
pub struct Fnv1a64 {
    hash: u64,
    len: u64,
}

impl Fnv1a64 {
    /// An empty checksum.
    pub fn new() -> Fnv1a64 {
        Fnv1a64 {
            hash: 0xCBF2_9CE4_8422_2325,
            len: 0,
        }
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut h = self.hash;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        self.hash = h;
        self.len += bytes.len() as u64;
    }

    /// The checksum so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The number of bytes added so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte has been added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Fnv1a64 {
    fn default() -> Self {
        Fnv1a64::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_transform_matches_byte_transform() {
        let mut buf: Vec<u8> = (0..=255u8).chain(0..13).collect();
        let expected: Vec<u8> = buf.iter().map(|&b| transform_byte(b)).collect();
        transform(&mut buf);
        assert_eq!(buf, expected);
    }

    #[test]
    fn fnv_known_value() {
        let mut h = Fnv1a64::new();
        h.update(b"a");
        assert_eq!(h.hash(), 0xAF63_DC4C_8601_EC8C);
    }
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    /// `random_get(buf, len) -> errno`.
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> u16;
}

/// `n` random bytes from the host (WASI `random_get`), as hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // SAFETY: the host writes exactly `n` bytes into the buffer.
    let errno = unsafe { wasi_random_get(buf.as_mut_ptr(), n) };
    assert_eq!(errno, 0, "random_get failed");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Spends about `units` × 16 fuel computing (a stand-in for a program's own
/// work between two of its steps); returns a value that depends on every
/// iteration, so the loop is not optimised away.
pub fn busy(units: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..units {
        x = std::hint::black_box(x.rotate_left(7) ^ i);
    }
    x
}
