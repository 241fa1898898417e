//! A fast hasher for the scheduler's maps, whose keys the host chooses or
//! the embedder registers (pids, wake keys, module names): SipHash's
//! resistance to chosen keys buys nothing there, and a spawn looked up
//! several of them (measured with callgrind: a few hundred instructions a
//! spawn). Multiply-rotate over 8-byte words, as rustc's own hasher does.
//! Nothing iterates these maps, so the order their hashes give never shows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// See the module documentation.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

/// An odd constant with its bits spread (from the golden ratio).
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // The length first: a zero-padded last word does not tell "abc"
        // from "abc\0".
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(t: &T) -> u64 {
        BuildHasherDefault::<FxHasher>::default().hash_one(t)
    }

    #[test]
    fn equal_keys_hash_alike_and_near_keys_apart() {
        assert_eq!(hash(&"child.wasm"), hash(&String::from("child.wasm")));
        assert_ne!(hash(&"child.wasm"), hash(&"child.wasn"));
        assert_ne!(hash(&1u32), hash(&2u32));
        // Strings that differ only past the first word, or in length.
        assert_ne!(hash(&"abcdefgh1"), hash(&"abcdefgh2"));
        assert_ne!(hash(&"abc"), hash(&"abc\0"));
        let mut m: FxHashMap<u64, u32> = FxHashMap::default();
        for i in 0..1000 {
            m.insert(i * 4096, i as u32);
        }
        assert!((0..1000).all(|i| m[&(i * 4096)] == i as u32));
    }
}
