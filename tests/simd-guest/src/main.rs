//! Array kernels written twice: with `core::arch::wasm32` SIMD intrinsics
//! when built with `-C target-feature=+simd128`, in plain scalar Rust
//! otherwise (the same lane-wise arithmetic, so the same results); plus
//! loops LLVM auto-vectorises in the SIMD build. Prints each kernel's
//! result and a checksum of all of them.

use std::fmt::Write;

/// A deterministic pseudo-random sequence (xorshift32).
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// FNV-1a over bytes.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= b as u64;
        *hash = hash.wrapping_mul(0x100_0000_01b3);
    }
}

/// Sum of f32s in four lane-wise partial sums, combined as (0 + 1) + (2 + 3).
#[cfg(target_feature = "simd128")]
fn sum4(xs: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let mut acc = f32x4_splat(0.0);
    for c in xs.chunks_exact(4) {
        acc = f32x4_add(acc, f32x4(c[0], c[1], c[2], c[3]));
    }
    (f32x4_extract_lane::<0>(acc) + f32x4_extract_lane::<1>(acc))
        + (f32x4_extract_lane::<2>(acc) + f32x4_extract_lane::<3>(acc))
}

#[cfg(not(target_feature = "simd128"))]
fn sum4(xs: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    for c in xs.chunks_exact(4) {
        for i in 0..4 {
            acc[i] += c[i];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// ASCII upper-casing, 16 bytes at a time.
#[cfg(target_feature = "simd128")]
fn upper(bytes: &mut [u8]) {
    use core::arch::wasm32::*;
    for c in bytes.chunks_exact_mut(16) {
        let v = u8x16(
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12],
            c[13], c[14], c[15],
        );
        let lower = v128_and(u8x16_ge(v, u8x16_splat(b'a')), u8x16_le(v, u8x16_splat(b'z')));
        let r = v128_bitselect(u8x16_sub(v, u8x16_splat(32)), v, lower);
        for (i, out) in c.iter_mut().enumerate() {
            *out = lane_u8(r, i);
        }
    }
}

#[cfg(target_feature = "simd128")]
fn lane_u8(v: core::arch::wasm32::v128, i: usize) -> u8 {
    let mut bytes = [0u8; 16];
    // SAFETY: a v128 is 16 bytes; `bytes` has room for them.
    unsafe { core::ptr::write_unaligned(bytes.as_mut_ptr() as *mut core::arch::wasm32::v128, v) };
    bytes[i]
}

#[cfg(not(target_feature = "simd128"))]
fn upper(bytes: &mut [u8]) {
    for c in bytes.chunks_exact_mut(16) {
        for b in c {
            if b.is_ascii_lowercase() {
                *b -= 32;
            }
        }
    }
}

/// `i32x4.dot_i16x8_s` over two i16 arrays, lanes summed with wrapping.
#[cfg(target_feature = "simd128")]
fn dot16(a: &[i16], b: &[i16]) -> i32 {
    use core::arch::wasm32::*;
    let mut acc = i32x4_splat(0);
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let vx = i16x8(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        let vy = i16x8(y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7]);
        acc = i32x4_add(acc, i32x4_dot_i16x8(vx, vy));
    }
    i32x4_extract_lane::<0>(acc)
        .wrapping_add(i32x4_extract_lane::<1>(acc))
        .wrapping_add(i32x4_extract_lane::<2>(acc))
        .wrapping_add(i32x4_extract_lane::<3>(acc))
}

#[cfg(not(target_feature = "simd128"))]
fn dot16(a: &[i16], b: &[i16]) -> i32 {
    let mut acc = [0i32; 4];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for l in 0..4 {
            let p = (x[2 * l] as i32 * y[2 * l] as i32)
                .wrapping_add(x[2 * l + 1] as i32 * y[2 * l + 1] as i32);
            acc[l] = acc[l].wrapping_add(p);
        }
    }
    acc[0]
        .wrapping_add(acc[1])
        .wrapping_add(acc[2])
        .wrapping_add(acc[3])
}

/// Per-lane square roots and saturating adds, then a byte shuffle
/// (reversal), of f64 and u8 data.
#[cfg(target_feature = "simd128")]
fn mixed(xs: &[f64], bytes: &[u8]) -> (f64, u64) {
    use core::arch::wasm32::*;
    let mut s = f64x2_splat(0.0);
    for c in xs.chunks_exact(2) {
        s = f64x2_add(s, f64x2_sqrt(f64x2(c[0], c[1])));
    }
    let mut h = 0u64;
    for c in bytes.chunks_exact(16) {
        let v = u8x16(
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12],
            c[13], c[14], c[15],
        );
        let sat = u8x16_add_sat(v, u8x16_splat(100));
        let rev = i8x16_shuffle::<15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0>(sat, sat);
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = lane_u8(rev, i);
        }
        fnv(&mut h, &out);
    }
    (f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s), h)
}

#[cfg(not(target_feature = "simd128"))]
fn mixed(xs: &[f64], bytes: &[u8]) -> (f64, u64) {
    let mut s = [0.0f64; 2];
    for c in xs.chunks_exact(2) {
        s[0] += c[0].sqrt();
        s[1] += c[1].sqrt();
    }
    let mut h = 0u64;
    for c in bytes.chunks_exact(16) {
        let mut out = [0u8; 16];
        for i in 0..16 {
            out[i] = c[15 - i].saturating_add(100);
        }
        fnv(&mut h, &out);
    }
    (s[0] + s[1], h)
}

/// Loops LLVM vectorises on its own in the SIMD build: integer
/// element-wise arithmetic, a wrapping sum, a maximum.
#[inline(never)]
fn auto(a: &[u32], b: &[u32], out: &mut [u32]) -> (u32, u32) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x.wrapping_mul(3).wrapping_add(y ^ 0x5a5a) >> 1;
    }
    let sum = out.iter().fold(0u32, |s, x| s.wrapping_add(*x));
    let max = out.iter().copied().max().unwrap_or(0);
    (sum, max)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4096);
    let n = n / 16 * 16;
    let mut rng = Rng(0x1234_5678);
    let floats: Vec<f32> = (0..n).map(|_| (rng.next() % 10_000) as f32 / 7.0).collect();
    let doubles: Vec<f64> = (0..n).map(|_| (rng.next() % 1_000_000) as f64).collect();
    let a16: Vec<i16> = (0..n).map(|_| rng.next() as i16).collect();
    let b16: Vec<i16> = (0..n).map(|_| rng.next() as i16).collect();
    let mut text: Vec<u8> = (0..n).map(|_| b' ' + (rng.next() % 95) as u8).collect();
    let a32: Vec<u32> = (0..n).map(|_| rng.next()).collect();
    let b32: Vec<u32> = (0..n).map(|_| rng.next()).collect();
    let mut out32 = vec![0u32; n];

    let mut report = String::new();
    let s = sum4(&floats);
    writeln!(report, "sum4 {s} ({:#010x})", s.to_bits()).unwrap();
    let d = dot16(&a16, &b16);
    writeln!(report, "dot16 {d}").unwrap();
    let (roots, shuffled) = mixed(&doubles, &text);
    writeln!(report, "sqrt-sum {roots} ({:#018x})", roots.to_bits()).unwrap();
    writeln!(report, "shuffle-hash {shuffled:#018x}").unwrap();
    upper(&mut text);
    writeln!(report, "upper {}", String::from_utf8_lossy(&text[..48])).unwrap();
    let (sum, max) = auto(&a32, &b32, &mut out32);
    writeln!(report, "auto {sum} {max}").unwrap();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    fnv(&mut h, report.as_bytes());
    fnv(&mut h, &text);
    print!("{report}");
    println!("checksum {h:#018x}");
}
