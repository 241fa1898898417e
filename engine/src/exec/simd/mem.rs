//! SIMD loads and stores (`isa::Instr::SimdMem0` of memory 0,
//! `isa::Instr::SimdMem` of any memory): the extending, splatting,
//! zero-filling and lane forms, and `v128.load` and `v128.store` of
//! memories other than a plain memory 0.

use super::{from_i16s, from_i32s, from_i64s, from_u16s, from_u32s, from_u64s, get, set};
use super::{i8s, i16s, i32s, int, u8s};
use crate::error::TrapKind;
use crate::exec::frame_ptr::FramePtr;
use crate::isa::{SimdOp, Slot};
use crate::store::MemoryEntity;

/// The bytes an access reads or writes.
fn width(op: SimdOp) -> usize {
    use SimdOp as S;
    match op {
        S::V128Load8Splat | S::V128Load8Lane | S::V128Store8Lane => 1,
        S::V128Load16Splat | S::V128Load16Lane | S::V128Store16Lane => 2,
        S::V128Load32Splat | S::V128Load32Zero | S::V128Load32Lane | S::V128Store32Lane => 4,
        S::V128Load64Splat
        | S::V128Load64Zero
        | S::V128Load64Lane
        | S::V128Store64Lane
        | S::V128Load8x8S
        | S::V128Load8x8U
        | S::V128Load16x4S
        | S::V128Load16x4U
        | S::V128Load32x2S
        | S::V128Load32x2U => 8,
        _ => 16,
    }
}

/// The v128 a load of shape `load` makes of the bytes it read (the low
/// `width(op)` bytes of `raw`).
fn loaded(op: SimdOp, raw: u128) -> u128 {
    use SimdOp as S;
    let x = raw as u64;
    match op {
        S::V128Load8x8S => {
            let a = i8s(raw);
            from_i16s(core::array::from_fn(|i| a[i] as i16))
        }
        S::V128Load8x8U => {
            let a = u8s(raw);
            from_u16s(core::array::from_fn(|i| a[i] as u16))
        }
        S::V128Load16x4S => {
            let a = i16s(raw);
            from_i32s(core::array::from_fn(|i| a[i] as i32))
        }
        S::V128Load16x4U => {
            let a = super::u16s(raw);
            from_u32s(core::array::from_fn(|i| a[i] as u32))
        }
        S::V128Load32x2S => {
            let a = i32s(raw);
            from_i64s([a[0] as i64, a[1] as i64])
        }
        S::V128Load32x2U => {
            let a = super::u32s(raw);
            from_u64s([a[0] as u64, a[1] as u64])
        }
        S::V128Load8Splat => int::splat8(x as u8),
        S::V128Load16Splat => int::splat16(x as u16),
        S::V128Load32Splat => int::splat32(x as u32),
        S::V128Load64Splat => int::splat64(x),
        // `load32_zero`, `load64_zero`, `v128.load`: the bytes as they are.
        _ => raw,
    }
}

/// Runs a `SimdMem` access of `m` with operands from `base` (see
/// `isa::Instr::SimdMem`).
pub(in crate::exec) fn access(
    m: &mut MemoryEntity,
    fp: FramePtr,
    base: Slot,
    offset: u64,
    op: SimdOp,
    lane: u8,
) -> Result<(), TrapKind> {
    let range = super::super::access_range(m, fp.get(base), offset, width(op))?;
    apply(&mut m.data[range], fp, base, op, lane);
    Ok(())
}

/// Runs a `SimdMem0` access of memory 0 (a 32-bit memory of 64 KiB pages,
/// `data`) with operands from `base`; false (nothing done) when it is out
/// of bounds.
#[inline(never)]
pub(in crate::exec) fn access_plain(
    data: &mut [u8],
    fp: FramePtr,
    base: Slot,
    offset: u32,
    op: SimdOp,
    lane: u8,
) -> bool {
    let ea = crate::exec::mem_view::ea(fp.get(base) as u32, offset);
    let Some(end) = ea.checked_add(width(op)) else {
        return false;
    };
    match data.get_mut(ea..end) {
        Some(bytes) => {
            apply(bytes, fp, base, op, lane);
            true
        }
        None => false,
    }
}

/// Performs access `op` on `bytes` (the accessed bytes, already bounds
/// checked), with the vector operand and result at `base + 1` and `base`.
fn apply(bytes: &mut [u8], fp: FramePtr, base: Slot, op: SimdOp, lane: u8) {
    use SimdOp as S;
    let w = bytes.len();
    let lane_bits = |v: u128| -> [u8; 16] {
        let bytes = v.to_le_bytes();
        let mut out = [0u8; 16];
        out[..w].copy_from_slice(&bytes[lane as usize * w..(lane as usize + 1) * w]);
        out
    };
    match op {
        S::V128Store => {
            bytes.copy_from_slice(&get(fp, base + 1).to_le_bytes());
        }
        S::V128Store8Lane | S::V128Store16Lane | S::V128Store32Lane | S::V128Store64Lane => {
            let lane_bytes = lane_bits(get(fp, base + 1));
            bytes.copy_from_slice(&lane_bytes[..w]);
        }
        S::V128Load8Lane | S::V128Load16Lane | S::V128Load32Lane | S::V128Load64Lane => {
            let mut v = get(fp, base + 1).to_le_bytes();
            let at = lane as usize * w;
            v[at..at + w].copy_from_slice(bytes);
            set(fp, base, u128::from_le_bytes(v));
        }
        _ => {
            let mut v = [0u8; 16];
            v[..w].copy_from_slice(bytes);
            set(fp, base, loaded(op, u128::from_le_bytes(v)));
        }
    }
}
