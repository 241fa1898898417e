//! The handlers of the instructions that run entirely in threaded code.
//!
//! Most handlers were generated (once, by a script not kept) from the arms
//! of the general interpreter loop in `exec/mod.rs`, which still runs every
//! instruction when a handler steps out: the same body, with the loop's
//! macros replaced by the ones below, which name the handler's arguments
//! explicitly (`fp`, or all of them when they may step out). Handlers of
//! one shape are defined by a family macro (`bin_i32!`, `cmp_f64!`,
//! `load_op!`, `br_cmp!`, ...), one line each naming the instruction and
//! its operation; the irregular ones are written out: fuel, `br_table`,
//! globals, selects, NaN canonicalisation and the superinstructions. Calls
//! and returns are in `calls.rs`.
//!
//! Adding an instruction: its arm in `exec/mod.rs` (semantics, traps), a
//! handler here (a family macro's line, or written out; or none: `step`
//! runs it in the loop), and its entry in [`HANDLERS`] and
//! [`HANDLER_NAMES`] at the position of its variant in `isa::Instr` (a
//! unit test in `decode.rs` checks the order).
#![allow(non_snake_case, unused_braces, unreachable_code)]

use super::decode::decode;
use super::{Cont, Cx, Handler, calls, charge, decode, jump, next, step};
use crate::exec::cursor::Ip;
use crate::exec::frame_ptr::FramePtr;
use crate::exec::mem_view::MemView;
use crate::exec::numeric::*;
use crate::exec::simd;
#[cfg(not(feature = "std"))]
use crate::float::FloatMath;
use crate::isa::{FUEL_TARGET, Instr, Slot};

macro_rules! s {
    ($fp:ident, $slot:expr) => {
        $fp.get($slot)
    };
}
macro_rules! r32 {
    ($fp:ident, $slot:expr) => {
        ($fp.get($slot) as u32)
    };
}
macro_rules! w32 {
    ($fp:ident, $slot:expr, $v:expr) => {{
        let v: u32 = $v;
        $fp.set($slot, v as u64);
    }};
}
macro_rules! w64 {
    ($fp:ident, $slot:expr, $v:expr) => {{
        let v: u64 = $v;
        $fp.set($slot, v);
    }};
}
macro_rules! f32v {
    ($fp:ident, $slot:expr) => {
        f32::from_bits(r32!($fp, $slot))
    };
}
macro_rules! f64v {
    ($fp:ident, $slot:expr) => {
        f64::from_bits(s!($fp, $slot))
    };
}
macro_rules! ea {
    ($fp:ident, $addr:expr, $offset:expr) => {
        crate::exec::mem_view::ea(r32!($fp, $addr), u32::from($offset))
    };
}
macro_rules! idx {
    ($fp:ident, $base:expr, $index:expr) => {
        r32!($fp, $base).wrapping_add(r32!($fp, $index)) as usize
    };
}
macro_rules! scaled {
    ($fp:ident, $ops:expr, $scale:expr) => {
        r32!($fp, $ops.0 as Slot).wrapping_add(r32!($fp, $ops.1 as Slot).wrapping_mul($scale))
            as usize
    };
}
macro_rules! wrap {
    ($fp:ident, $addr:expr, $imm:expr) => {
        r32!($fp, $addr).wrapping_add($imm) as usize
    };
}
/// Steps out: the interpreter loop runs this instruction (and traps).
macro_rules! bail {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident) => {
        return step($ip, $fp, $mem, $cx)
    };
}
macro_rules! load_at {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident,
     $dst:expr, $ea:expr, $n:literal, |$b:ident| $conv:expr, $w:ident) => {{
        match $mem.load::<$n>($ea) {
            Some($b) => $w!($fp, $dst, $conv),
            None => bail!($ip, $fp, $mem, $cx),
        }
    }};
}
macro_rules! load {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident,
     $dst:expr, $addr:expr, $offset:expr, $n:literal, |$b:ident| $conv:expr, $w:ident) => {
        load_at!(
            $ip,
            $fp,
            $mem,
            $cx,
            $dst,
            ea!($fp, $addr, $offset),
            $n,
            |$b| $conv,
            $w
        )
    };
}
macro_rules! f64_load_op {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident,
     $dst:expr, $ops:expr, $offset:expr, $op:tt) => {
        load!(
            $ip, $fp, $mem, $cx,
            $dst,
            $ops.1 as Slot,
            $offset,
            8,
            |b| (f64v!($fp, $ops.0 as Slot) $op f64::from_le_bytes(b)).to_bits(),
            w64
        )
    };
}
macro_rules! store {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident,
     $addr:expr, $value:expr, $offset:expr, $bytes:expr) => {{
        let bytes = $bytes;
        if !$mem.store(ea!($fp, $addr, $offset), bytes) {
            bail!($ip, $fp, $mem, $cx);
        }
    }};
}
macro_rules! checked {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(_) => bail!($ip, $fp, $mem, $cx),
        }
    };
}

// ---- handler families ------------------------------------------------------
//
// Each macro below defines handlers of one shape: `decode!` of the
// instruction's operands, the operation (given as a closure-like `|a, b| e`,
// whose parameters are bound to the operands read from their slots), then
// `next`. `$rd` names the slot reader (`s`, `r32`, `f32v`, `f64v`) and `$w`
// the writer (`w32`, `w64`).

/// Defines the handler `$name`: decodes its operands `$f`, runs `$body`,
/// then the next instruction. The argument names are the caller's (macro
/// hygiene: `$body` uses them).
macro_rules! handler {
    ($ip:ident, $fp:ident, $mem:ident, $cx:ident;
     $name:ident { $($f:ident),* } $body:block) => {
        fn $name($ip: Ip, $fp: FramePtr, $mem: MemView, $cx: &mut Cx<'_>) -> Cont {
            decode!($ip, $name { $($f),* });
            $body
            next($ip, $fp, $mem, $cx)
        }
    };
}
/// `dst = e(src)`.
macro_rules! un {
    ($name:ident, $rd:ident -> $w:ident, |$a:ident| $e:expr) => {
        handler!(ip, fp, mem, cx; $name { dst, src } {
            let $a = $rd!(fp, src);
            $w!(fp, dst, $e);
        });
    };
}
macro_rules! un_i32 { ($n:ident, $($t:tt)*) => { un!($n, r32 -> w32, $($t)*); }; }
macro_rules! un_i64 { ($n:ident, $($t:tt)*) => { un!($n, s -> w64, $($t)*); }; }
macro_rules! un_f32 { ($n:ident, $($t:tt)*) => { un!($n, f32v -> w32, $($t)*); }; }
macro_rules! un_f64 { ($n:ident, $($t:tt)*) => { un!($n, f64v -> w64, $($t)*); }; }
/// `dst = f(src)?`: a conversion that steps out (and traps) on `Err`.
macro_rules! conv_checked {
    ($name:ident, $rd:ident -> $w:ident, $f:ident) => {
        handler!(ip, fp, mem, cx; $name { dst, src } {
            $w!(fp, dst, checked!(ip, fp, mem, cx, $f($rd!(fp, src))));
        });
    };
}
/// `dst = e(lhs, rhs)`, or `dst = e(lhs, imm)` with `imm` first.
macro_rules! bin {
    (imm $name:ident, $rd:ident -> $w:ident, |$a:ident, $b:ident| $e:expr) => {
        handler!(ip, fp, mem, cx; $name { dst, lhs, imm } {
            let ($a, $b) = ($rd!(fp, lhs), imm);
            $w!(fp, dst, $e);
        });
    };
    ($name:ident, $rd:ident -> $w:ident, |$a:ident, $b:ident| $e:expr) => {
        handler!(ip, fp, mem, cx; $name { dst, lhs, rhs } {
            let ($a, $b) = ($rd!(fp, lhs), $rd!(fp, rhs));
            $w!(fp, dst, $e);
        });
    };
}
macro_rules! bin_i32 { ($n:ident, $($t:tt)*) => { bin!($n, r32 -> w32, $($t)*); }; }
macro_rules! bin_i64 { ($n:ident, $($t:tt)*) => { bin!($n, s -> w64, $($t)*); }; }
macro_rules! bin_f32 { ($n:ident, $($t:tt)*) => { bin!($n, f32v -> w32, $($t)*); }; }
macro_rules! bin_f64 { ($n:ident, $($t:tt)*) => { bin!($n, f64v -> w64, $($t)*); }; }
macro_rules! cmp_i32 { ($n:ident, $($t:tt)*) => { bin!($n, r32 -> w32, $($t)*); }; }
macro_rules! cmp_i64 { ($n:ident, $($t:tt)*) => { bin!($n, s -> w32, $($t)*); }; }
macro_rules! cmp_f32 { ($n:ident, $($t:tt)*) => { bin!($n, f32v -> w32, $($t)*); }; }
macro_rules! cmp_f64 { ($n:ident, $($t:tt)*) => { bin!($n, f64v -> w32, $($t)*); }; }
macro_rules! imm_i32 { ($n:ident, $($t:tt)*) => { bin!(imm $n, r32 -> w32, $($t)*); }; }
macro_rules! imm_i64 { ($n:ident, $($t:tt)*) => { bin!(imm $n, s -> w64, $($t)*); }; }
macro_rules! cmp_imm_i32 { ($n:ident, $($t:tt)*) => { bin!(imm $n, r32 -> w32, $($t)*); }; }
macro_rules! cmp_imm_i64 { ($n:ident, $($t:tt)*) => { bin!(imm $n, s -> w32, $($t)*); }; }
/// `dst = e(lhs, rhs)` for division and remainder: steps out (the loop
/// traps) when `rhs` is 0, or when the optional overflow test holds.
macro_rules! div_rem {
    ($name:ident, $rd:ident $(as $t:ident)? -> $w:ident, |$a:ident, $b:ident| $e:expr
     $(, overflow if $ovf:expr)?) => {
        handler!(ip, fp, mem, cx; $name { dst, lhs, rhs } {
            let ($a, $b) = ($rd!(fp, lhs) $(as $t)?, $rd!(fp, rhs) $(as $t)?);
            if $b == 0 {
                bail!(ip, fp, mem, cx);
            }
            $(
                if $ovf {
                    bail!(ip, fp, mem, cx);
                }
            )?
            $w!(fp, dst, $e);
        });
    };
}
/// Branches to `target` if `e(cond)`, `e(lhs, rhs)` or `e(lhs, imm)`.
macro_rules! br_if {
    ($name:ident, $rd:ident, |$c:ident| $e:expr) => {
        handler!(ip, fp, mem, cx; $name { cond, target } {
            let $c = $rd!(fp, cond);
            if $e {
                return jump(ip, fp, mem, cx, target);
            }
        });
    };
}
macro_rules! br_cmp {
    ($name:ident, $rd:ident, |$a:ident, $b:ident| $e:expr) => {
        handler!(ip, fp, mem, cx; $name { lhs, rhs, target } {
            let ($a, $b) = ($rd!(fp, lhs), $rd!(fp, rhs));
            if $e {
                return jump(ip, fp, mem, cx, target);
            }
        });
    };
}
macro_rules! br_cmp_imm {
    ($name:ident, $rd:ident, |$a:ident, $b:ident| $e:expr) => {
        handler!(ip, fp, mem, cx; $name { lhs, imm, target } {
            let ($a, $b) = ($rd!(fp, lhs), imm);
            if $e {
                return jump(ip, fp, mem, cx, target);
            }
        });
    };
}
/// `dst = conv(mem[..])`, `$n` bytes, at `addr + offset` (`load_op`), at the
/// wrapping sums `base + index` (`load_idx`), `ops.0 + ops.1 * scale`
/// (`load_shl`) or `addr + imm` (`load_wrap`).
macro_rules! load_op {
    ($name:ident, $n:literal, $w:ident, |$b:ident| $conv:expr) => {
        handler!(ip, fp, mem, cx; $name { dst, addr, offset } {
            load!(ip, fp, mem, cx, dst, addr, offset, $n, |$b| $conv, $w);
        });
    };
}
macro_rules! load_via {
    ($name:ident { $x:ident, $y:ident } $at:ident, $n:literal, $w:ident, |$b:ident| $conv:expr) => {
        handler!(ip, fp, mem, cx; $name { dst, $x, $y } {
            load_at!(ip, fp, mem, cx, dst, $at!(fp, $x, $y), $n, |$b| $conv, $w);
        });
    };
}
macro_rules! load_idx { ($n:ident, $($t:tt)*) => { load_via!($n { base, index } idx, $($t)*); }; }
macro_rules! load_shl { ($n:ident, $($t:tt)*) => { load_via!($n { ops, scale } scaled, $($t)*); }; }
macro_rules! load_wrap { ($n:ident, $($t:tt)*) => { load_via!($n { addr, imm } wrap, $($t)*); }; }
/// `mem[addr + offset] = bytes(value)`, `= bytes(imm)`, or
/// `mem[base + index] = bytes(imm)` (wrapping sum).
macro_rules! store_op {
    ($name:ident, $rd:ident, |$v:ident| $bytes:expr) => {
        handler!(ip, fp, mem, cx; $name { addr, value, offset } {
            let $v = $rd!(fp, value);
            store!(ip, fp, mem, cx, addr, value, offset, $bytes);
        });
    };
}
macro_rules! store_imm {
    ($name:ident, |$v:ident| $bytes:expr) => {
        handler!(ip, fp, mem, cx; $name { addr, imm, offset } {
            let $v = imm;
            store!(ip, fp, mem, cx, addr, imm, offset, $bytes);
        });
    };
}
macro_rules! store_imm_idx {
    ($name:ident, |$v:ident| $bytes:expr) => {
        handler!(ip, fp, mem, cx; $name { base, index, imm } {
            let $v = imm;
            if !mem.store(idx!(fp, base, index), $bytes) {
                bail!(ip, fp, mem, cx);
            }
        });
    };
}
/// `dst = (ops.0 OP mem[ops.1 + offset])` on f64s.
macro_rules! f64_load_handler {
    ($name:ident, $op:tt) => {
        handler!(ip, fp, mem, cx; $name { dst, ops, offset } {
            f64_load_op!(ip, fp, mem, cx, dst, ops, offset, $op);
        });
    };
}

// ---- hand-written --------------------------------------------------------

/// Start of a fuel region: pays from the budget, or steps out (the loop's
/// slow path commits, suspends or traps).
fn ConsumeFuel(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, ConsumeFuel { amount });
    charge(ip, fp, mem, cx, amount)
}

fn BrTable(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrTable { index, len });
    let entry = ip.next().skip(r32!(fp, index).min(len) as usize);
    take_entry(entry, fp, mem, cx)
}

/// Takes the `br_table` entry at `entry` here instead of dispatching it:
/// its target is read without testing its tag.
#[inline(always)]
fn take_entry(entry: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let Instr::Br { target } = entry.get() else {
        debug_assert!(false, "a br_table entry is not a Br");
        // SAFETY: every entry of a `br_table` is a `Br`: translation
        // checks it on every body and refuses one that fails
        // (`isa::Instr::br_tables_hold`), and a body never changes after.
        unsafe { core::hint::unreachable_unchecked() }
    };
    jump(entry, fp, mem, cx, target)
}

fn GlobalGet(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, GlobalGet { dst, global });
    // Validation guarantees the indexes; a step out keeps panics out of here.
    let Some(g) = cx
        .global_map
        .get(global as usize)
        .and_then(|&g| cx.globals.get(g as usize))
    else {
        return step(ip, fp, mem, cx);
    };
    w64!(fp, dst, g.value);
    next(ip, fp, mem, cx)
}

fn GlobalSet(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, GlobalSet { src, global });
    let Some(&g) = cx.global_map.get(global as usize) else {
        return step(ip, fp, mem, cx);
    };
    let Some(g) = cx.globals.get_mut(g as usize) else {
        return step(ip, fp, mem, cx);
    };
    g.value = s!(fp, src);
    next(ip, fp, mem, cx)
}

// ---- generated from the interpreter loop's arms ----------------------------

// ---- superinstructions (isa: both parts, then after the second) -------------

fn I32AddImm2(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    // Decoded part by part: the second part's operands are read after the
    // first part's store, which keeps fewer registers live (no spills).
    {
        decode!(ip, I32AddImm2 { a, imms, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot).wrapping_add(imms.0 as i16 as u32)
        );
    }
    decode!(ip, I32AddImm2 { b, imms, .. });
    w32!(
        fp,
        b.0 as Slot,
        r32!(fp, b.1 as Slot).wrapping_add(imms.1 as i16 as u32)
    );
    next(ip.next(), fp, mem, cx)
}

fn I32AddImmLoad8U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32AddImmLoad8U { a, imms, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot).wrapping_add(imms.0 as i16 as u32)
        );
    }
    decode!(ip, I32AddImmLoad8U { b, imms, .. });
    match mem.load::<1>(ea!(fp, b.1 as Slot, imms.1)) {
        Some(v) => w32!(fp, b.0 as Slot, v[0] as u32),
        // The load traps: stop at it, the addition done.
        None => return step(ip.next(), fp, mem, cx),
    }
    next(ip.next(), fp, mem, cx)
}

fn I32AddBrI32LeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32AddBrI32LeU { a, ops, target });
    let sum = r32!(fp, a.1 as Slot).wrapping_add(r32!(fp, ops.0 as Slot));
    w32!(fp, a.0 as Slot, sum);
    if sum <= r32!(fp, ops.1 as Slot) {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32AddImmBrI32Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32AddImmBrI32Ne { a, ops, target });
    let sum = r32!(fp, a.1 as Slot).wrapping_add(ops.0 as i16 as u32);
    w32!(fp, a.0 as Slot, sum);
    if sum != r32!(fp, ops.1 as Slot) {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32RotlImmXor(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32RotlImmXor { a, ops, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot).rotate_left(ops.1 as u32)
        );
    }
    decode!(ip, I32RotlImmXor { b, ops, .. });
    w32!(
        fp,
        b.0 as Slot,
        r32!(fp, b.1 as Slot) ^ r32!(fp, ops.0 as Slot)
    );
    next(ip.next(), fp, mem, cx)
}

fn Br(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Br { target });
    jump(ip, fp, mem, cx, target)
}

br_if!(BrIfEqz, r32, |c| c == 0);
br_if!(BrIfNez, r32, |c| c != 0);
un_i64!(Copy, |a| a);

fn Copy2(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Copy2 { dst, src, second });
    {
        {
            w64!(fp, dst, s!(fp, src));
            w64!(fp, second.0 as Slot, s!(fp, second.1 as Slot));
        }
    }
    next(ip, fp, mem, cx)
}

fn Const64(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Const64 { dst, value });
    {
        w64!(fp, dst, value)
    }
    next(ip, fp, mem, cx)
}

fn Select(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Select { dst, rhs, cond });
    {
        {
            if r32!(fp, cond) == 0 {
                w64!(fp, dst, s!(fp, rhs));
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn SelectZero(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, SelectZero { dst, rhs, cond });
    {
        {
            let v = if r32!(fp, cond) != 0 { 0 } else { s!(fp, rhs) };
            w64!(fp, dst, v)
        }
    }
    next(ip, fp, mem, cx)
}

fn SelectTo(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, SelectTo { dst, lhs, ops });
    let v = if r32!(fp, ops.1 as Slot) != 0 {
        s!(fp, lhs)
    } else {
        s!(fp, ops.0 as Slot)
    };
    w64!(fp, dst, v);
    next(ip, fp, mem, cx)
}

fn SelectImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, SelectImm { dst, ops, imm });
    let v = if r32!(fp, ops.1 as Slot) != 0 {
        imm as u64
    } else {
        s!(fp, ops.0 as Slot)
    };
    w64!(fp, dst, v);
    next(ip, fp, mem, cx)
}

load_op!(I32Load, 4, w32, |b| u32::from_le_bytes(b));
load_op!(I64Load, 8, w64, |b| u64::from_le_bytes(b));
load_op!(F32Load, 4, w32, |b| u32::from_le_bytes(b));
load_op!(F64Load, 8, w64, |b| u64::from_le_bytes(b));
load_op!(I32Load8S, 1, w32, |b| b[0] as i8 as i32 as u32);
load_op!(I32Load8U, 1, w32, |b| b[0] as u32);
load_op!(I32Load16S, 2, w32, |b| i16::from_le_bytes(b) as i32 as u32);
load_op!(I32Load16U, 2, w32, |b| u16::from_le_bytes(b) as u32);
load_op!(I64Load8S, 1, w64, |b| b[0] as i8 as i64 as u64);
load_op!(I64Load8U, 1, w64, |b| b[0] as u64);
load_op!(I64Load16S, 2, w64, |b| i16::from_le_bytes(b) as i64 as u64);
load_op!(I64Load16U, 2, w64, |b| u16::from_le_bytes(b) as u64);
load_op!(I64Load32S, 4, w64, |b| i32::from_le_bytes(b) as i64 as u64);
load_op!(I64Load32U, 4, w64, |b| u32::from_le_bytes(b) as u64);
store_op!(I32Store, r32, |v| v.to_le_bytes());
store_op!(I64Store, s, |v| v.to_le_bytes());
store_op!(F32Store, r32, |v| v.to_le_bytes());
store_op!(F64Store, s, |v| v.to_le_bytes());
store_op!(I32Store8, s, |v| [v as u8]);
store_op!(I32Store16, s, |v| (v as u16).to_le_bytes());
store_op!(I64Store8, s, |v| [v as u8]);
store_op!(I64Store16, s, |v| (v as u16).to_le_bytes());
store_op!(I64Store32, s, |v| (v as u32).to_le_bytes());
load_idx!(I32LoadIdx, 4, w32, |b| u32::from_le_bytes(b));
load_idx!(I64LoadIdx, 8, w64, |b| u64::from_le_bytes(b));
load_idx!(F32LoadIdx, 4, w32, |b| u32::from_le_bytes(b));
load_idx!(F64LoadIdx, 8, w64, |b| u64::from_le_bytes(b));
load_idx!(I32Load8SIdx, 1, w32, |b| b[0] as i8 as i32 as u32);
load_idx!(I32Load8UIdx, 1, w32, |b| b[0] as u32);
load_idx!(I32Load16UIdx, 2, w32, |b| u16::from_le_bytes(b) as u32);
load_shl!(I32LoadIdxShl, 4, w32, |b| u32::from_le_bytes(b));
load_shl!(I64LoadIdxShl, 8, w64, |b| u64::from_le_bytes(b));
load_shl!(F64LoadIdxShl, 8, w64, |b| u64::from_le_bytes(b));
load_wrap!(I32LoadWrap, 4, w32, |b| u32::from_le_bytes(b));
load_wrap!(I64LoadWrap, 8, w64, |b| u64::from_le_bytes(b));
load_wrap!(F32LoadWrap, 4, w32, |b| u32::from_le_bytes(b));
load_wrap!(F64LoadWrap, 8, w64, |b| u64::from_le_bytes(b));
load_wrap!(I32Load8UWrap, 1, w32, |b| b[0] as u32);
store_imm!(I32StoreImm, |v| v.to_le_bytes());
store_imm!(I32Store8Imm, |v| [v as u8]);
store_imm!(I32Store16Imm, |v| (v as u16).to_le_bytes());
store_imm!(I64StoreImm, |v| (v as i64).to_le_bytes());
store_imm_idx!(I32StoreImmIdx, |v| v.to_le_bytes());
store_imm_idx!(I32Store8ImmIdx, |v| [v as u8]);
store_imm_idx!(I64StoreImmIdx, |v| (v as i64).to_le_bytes());
un_i32!(I32Eqz, |a| (a == 0) as u32);
cmp_i32!(I32Eq, |a, b| (a == b) as u32);
cmp_i32!(I32Ne, |a, b| (a != b) as u32);
cmp_i32!(I32LtS, |a, b| ((a as i32) < b as i32) as u32);
cmp_i32!(I32LtU, |a, b| (a < b) as u32);
cmp_i32!(I32GtS, |a, b| (a as i32 > b as i32) as u32);
cmp_i32!(I32GtU, |a, b| (a > b) as u32);
cmp_i32!(I32LeS, |a, b| (a as i32 <= b as i32) as u32);
cmp_i32!(I32LeU, |a, b| (a <= b) as u32);
cmp_i32!(I32GeS, |a, b| (a as i32 >= b as i32) as u32);
cmp_i32!(I32GeU, |a, b| (a >= b) as u32);
un_i32!(I32Clz, |a| a.leading_zeros());
un_i32!(I32Ctz, |a| a.trailing_zeros());
un_i32!(I32Popcnt, |a| a.count_ones());
bin_i32!(I32Add, |a, b| a.wrapping_add(b));
bin_i32!(I32Sub, |a, b| a.wrapping_sub(b));
bin_i32!(I32Mul, |a, b| a.wrapping_mul(b));
div_rem!(I32DivS, r32 as i32 -> w32, |a, b| (a / b) as u32, overflow if a == i32::MIN && b == -1);
div_rem!(I32DivU, r32 -> w32, |a, b| a / b);
div_rem!(I32RemS, r32 as i32 -> w32, |a, b| a.wrapping_rem(b) as u32);
div_rem!(I32RemU, r32 -> w32, |a, b| a % b);
bin_i32!(I32And, |a, b| a & b);
bin_i32!(I32Or, |a, b| a | b);
bin_i32!(I32Xor, |a, b| a ^ b);
bin_i32!(I32Shl, |a, b| a.wrapping_shl(b));
bin_i32!(I32ShrS, |a, b| (a as i32).wrapping_shr(b) as u32);
bin_i32!(I32ShrU, |a, b| a.wrapping_shr(b));
bin_i32!(I32Rotl, |a, b| a.rotate_left(b % 32));
bin_i32!(I32Rotr, |a, b| a.rotate_right(b % 32));
imm_i32!(I32AddImm, |a, b| a.wrapping_add(b));
un!(I64Eqz, s -> w32, |a| (a == 0) as u32);
cmp_i64!(I64Eq, |a, b| (a == b) as u32);
cmp_i64!(I64Ne, |a, b| (a != b) as u32);
cmp_i64!(I64LtS, |a, b| ((a as i64) < b as i64) as u32);
cmp_i64!(I64LtU, |a, b| (a < b) as u32);
cmp_i64!(I64GtS, |a, b| (a as i64 > b as i64) as u32);
cmp_i64!(I64GtU, |a, b| (a > b) as u32);
cmp_i64!(I64LeS, |a, b| (a as i64 <= b as i64) as u32);
cmp_i64!(I64LeU, |a, b| (a <= b) as u32);
cmp_i64!(I64GeS, |a, b| (a as i64 >= b as i64) as u32);
cmp_i64!(I64GeU, |a, b| (a >= b) as u32);
un_i64!(I64Clz, |a| a.leading_zeros() as u64);
un_i64!(I64Ctz, |a| a.trailing_zeros() as u64);
un_i64!(I64Popcnt, |a| a.count_ones() as u64);
bin_i64!(I64Add, |a, b| a.wrapping_add(b));
bin_i64!(I64Sub, |a, b| a.wrapping_sub(b));
bin_i64!(I64Mul, |a, b| a.wrapping_mul(b));
div_rem!(I64DivS, s as i64 -> w64, |a, b| (a / b) as u64, overflow if a == i64::MIN && b == -1);
div_rem!(I64DivU, s -> w64, |a, b| a / b);
div_rem!(I64RemS, s as i64 -> w64, |a, b| a.wrapping_rem(b) as u64);
div_rem!(I64RemU, s -> w64, |a, b| a % b);
bin_i64!(I64And, |a, b| a & b);
bin_i64!(I64Or, |a, b| a | b);
bin_i64!(I64Xor, |a, b| a ^ b);
bin_i64!(I64Shl, |a, b| a.wrapping_shl(b as u32));
bin_i64!(I64ShrS, |a, b| (a as i64).wrapping_shr(b as u32) as u64);
bin_i64!(I64ShrU, |a, b| a.wrapping_shr(b as u32));
bin_i64!(I64Rotl, |a, b| a.rotate_left((b % 64) as u32));
bin_i64!(I64Rotr, |a, b| a.rotate_right((b % 64) as u32));
cmp_f32!(F32Eq, |a, b| (a == b) as u32);
cmp_f32!(F32Ne, |a, b| (a != b) as u32);
cmp_f32!(F32Lt, |a, b| (a < b) as u32);
cmp_f32!(F32Gt, |a, b| (a > b) as u32);
cmp_f32!(F32Le, |a, b| (a <= b) as u32);
cmp_f32!(F32Ge, |a, b| (a >= b) as u32);
un!(F32Abs, r32 -> w32, |a| a & 0x7fff_ffff);
un!(F32Neg, r32 -> w32, |a| a ^ 0x8000_0000);
un_f32!(F32Ceil, |a| quiet32(a.ceil()).to_bits());
un_f32!(F32Floor, |a| quiet32(a.floor()).to_bits());
un_f32!(F32Trunc, |a| quiet32(a.trunc()).to_bits());
un_f32!(F32Nearest, |a| quiet32(a.round_ties_even()).to_bits());
un_f32!(F32Sqrt, |a| a.sqrt().to_bits());
bin_f32!(F32Add, |a, b| (a + b).to_bits());
bin_f32!(F32Sub, |a, b| (a - b).to_bits());
bin_f32!(F32Mul, |a, b| (a * b).to_bits());
bin_f32!(F32Div, |a, b| (a / b).to_bits());
bin_f32!(F32Min, |a, b| f32_min(a, b).to_bits());
bin_f32!(F32Max, |a, b| f32_max(a, b).to_bits());
bin!(F32Copysign, r32 -> w32, |a, b| (a & 0x7fff_ffff) | (b & 0x8000_0000));
cmp_f64!(F64Eq, |a, b| (a == b) as u32);
cmp_f64!(F64Ne, |a, b| (a != b) as u32);
cmp_f64!(F64Lt, |a, b| (a < b) as u32);
cmp_f64!(F64Gt, |a, b| (a > b) as u32);
cmp_f64!(F64Le, |a, b| (a <= b) as u32);
cmp_f64!(F64Ge, |a, b| (a >= b) as u32);
un!(F64Abs, s -> w64, |a| a & 0x7fff_ffff_ffff_ffff);
un!(F64Neg, s -> w64, |a| a ^ 0x8000_0000_0000_0000);
un_f64!(F64Ceil, |a| quiet64(a.ceil()).to_bits());
un_f64!(F64Floor, |a| quiet64(a.floor()).to_bits());
un_f64!(F64Trunc, |a| quiet64(a.trunc()).to_bits());
un_f64!(F64Nearest, |a| quiet64(a.round_ties_even()).to_bits());
un_f64!(F64Sqrt, |a| a.sqrt().to_bits());
bin_f64!(F64Add, |a, b| (a + b).to_bits());
bin_f64!(F64Sub, |a, b| (a - b).to_bits());
bin_f64!(F64Mul, |a, b| (a * b).to_bits());
bin_f64!(F64Div, |a, b| (a / b).to_bits());
bin_f64!(F64Min, |a, b| f64_min(a, b).to_bits());
bin_f64!(F64Max, |a, b| f64_max(a, b).to_bits());
bin!(F64Copysign, s -> w64, |a, b| (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000));
f64_load_handler!(F64AddLoad, +);
f64_load_handler!(F64SubLoad, -);
f64_load_handler!(F64MulLoad, *);
un!(I32WrapI64, s -> w32, |a| a as u32);
conv_checked!(I32TruncF32S, f32v -> w32, i32_trunc_f32_s);
conv_checked!(I32TruncF32U, f32v -> w32, i32_trunc_f32_u);
conv_checked!(I32TruncF64S, f64v -> w32, i32_trunc_f64_s);
conv_checked!(I32TruncF64U, f64v -> w32, i32_trunc_f64_u);
un!(I64ExtendI32S, r32 -> w64, |a| a as i32 as i64 as u64);
un!(I64ExtendI32U, r32 -> w64, |a| a as u64);
conv_checked!(I64TruncF32S, f32v -> w64, i64_trunc_f32_s);
conv_checked!(I64TruncF32U, f32v -> w64, i64_trunc_f32_u);
conv_checked!(I64TruncF64S, f64v -> w64, i64_trunc_f64_s);
conv_checked!(I64TruncF64U, f64v -> w64, i64_trunc_f64_u);
un!(F32ConvertI32S, r32 -> w32, |a| (a as i32 as f32).to_bits());
un!(F32ConvertI32U, r32 -> w32, |a| (a as f32).to_bits());
un!(F32ConvertI64S, s -> w32, |a| (a as i64 as f32).to_bits());
un!(F32ConvertI64U, s -> w32, |a| (a as f32).to_bits());
un!(F32DemoteF64, f64v -> w32, |a| (a as f32).to_bits());
un!(F64ConvertI32S, r32 -> w64, |a| (a as i32 as f64).to_bits());
un!(F64ConvertI32U, r32 -> w64, |a| (a as f64).to_bits());
un!(F64ConvertI64S, s -> w64, |a| (a as i64 as f64).to_bits());
un!(F64ConvertI64U, s -> w64, |a| (a as f64).to_bits());
un!(F64PromoteF32, f32v -> w64, |a| (a as f64).to_bits());
un_i32!(I32Extend8S, |a| a as i8 as i32 as u32);
un_i32!(I32Extend16S, |a| a as i16 as i32 as u32);
un_i64!(I64Extend8S, |a| a as i8 as i64 as u64);
un_i64!(I64Extend16S, |a| a as i16 as i64 as u64);
un_i64!(I64Extend32S, |a| a as i32 as i64 as u64);
un!(I32TruncSatF32S, f32v -> w32, |a| a as i32 as u32);
un!(I32TruncSatF32U, f32v -> w32, |a| a as u32);
un!(I32TruncSatF64S, f64v -> w32, |a| a as i32 as u32);
un!(I32TruncSatF64U, f64v -> w32, |a| a as u32);
un!(I64TruncSatF32S, f32v -> w64, |a| a as i64 as u64);
un!(I64TruncSatF32U, f32v -> w64, |a| a as u64);
un!(I64TruncSatF64S, f64v -> w64, |a| a as i64 as u64);
un!(I64TruncSatF64U, f64v -> w64, |a| a as u64);
imm_i32!(I32MulImm, |a, b| a.wrapping_mul(b));
imm_i32!(I32AndImm, |a, b| a & b);
imm_i32!(I32OrImm, |a, b| a | b);
imm_i32!(I32XorImm, |a, b| a ^ b);
imm_i32!(I32ShlImm, |a, b| a.wrapping_shl(b));
imm_i32!(I32ShrSImm, |a, b| (a as i32).wrapping_shr(b) as u32);
imm_i32!(I32ShrUImm, |a, b| a.wrapping_shr(b));
imm_i32!(I32RotlImm, |a, b| a.rotate_left(b));
cmp_imm_i32!(I32EqImm, |a, b| (a == b) as u32);
cmp_imm_i32!(I32NeImm, |a, b| (a != b) as u32);
cmp_imm_i32!(I32LtSImm, |a, b| ((a as i32) < b as i32) as u32);
cmp_imm_i32!(I32LtUImm, |a, b| (a < b) as u32);
cmp_imm_i32!(I32GtSImm, |a, b| ((a as i32) > b as i32) as u32);
cmp_imm_i32!(I32GtUImm, |a, b| (a > b) as u32);
cmp_imm_i32!(I32LeSImm, |a, b| ((a as i32) <= b as i32) as u32);
cmp_imm_i32!(I32LeUImm, |a, b| (a <= b) as u32);
cmp_imm_i32!(I32GeSImm, |a, b| ((a as i32) >= b as i32) as u32);
cmp_imm_i32!(I32GeUImm, |a, b| (a >= b) as u32);
imm_i64!(I64AddImm, |a, b| a.wrapping_add(b as i64 as u64));
imm_i64!(I64MulImm, |a, b| a.wrapping_mul(b as i64 as u64));
imm_i64!(I64AndImm, |a, b| a & b as i64 as u64);
imm_i64!(I64OrImm, |a, b| a | b as i64 as u64);
imm_i64!(I64XorImm, |a, b| a ^ b as i64 as u64);
imm_i64!(I64ShlImm, |a, b| a.wrapping_shl(b as u32));
imm_i64!(I64ShrSImm, |a, b| (a as i64).wrapping_shr(b as u32) as u64);
imm_i64!(I64ShrUImm, |a, b| a.wrapping_shr(b as u32));
imm_i64!(I64RotlImm, |a, b| a.rotate_left(b as u32));
cmp_imm_i64!(I64EqImm, |a, b| (a == (b as i64 as u64)) as u32);
cmp_imm_i64!(I64NeImm, |a, b| (a != (b as i64 as u64)) as u32);
cmp_imm_i64!(I64LtSImm, |a, b| ((a as i64) < (b as i64 as u64) as i64)
    as u32);
cmp_imm_i64!(I64LtUImm, |a, b| (a < (b as i64 as u64)) as u32);
cmp_imm_i64!(I64GtSImm, |a, b| ((a as i64) > (b as i64 as u64) as i64)
    as u32);
cmp_imm_i64!(I64GtUImm, |a, b| (a > (b as i64 as u64)) as u32);
cmp_imm_i64!(I64LeSImm, |a, b| ((a as i64) <= (b as i64 as u64) as i64)
    as u32);
cmp_imm_i64!(I64LeUImm, |a, b| (a <= (b as i64 as u64)) as u32);
cmp_imm_i64!(I64GeSImm, |a, b| ((a as i64) >= (b as i64 as u64) as i64)
    as u32);
cmp_imm_i64!(I64GeUImm, |a, b| (a >= (b as i64 as u64)) as u32);
br_cmp!(BrI32Eq, r32, |a, b| a == b);
br_cmp!(BrI32Ne, r32, |a, b| a != b);
br_cmp!(BrI32LtS, r32, |a, b| (a as i32) < b as i32);
br_cmp!(BrI32LtU, r32, |a, b| a < b);
br_cmp!(BrI32GtS, r32, |a, b| (a as i32) > b as i32);
br_cmp!(BrI32GtU, r32, |a, b| a > b);
br_cmp!(BrI32LeS, r32, |a, b| (a as i32) <= b as i32);
br_cmp!(BrI32LeU, r32, |a, b| a <= b);
br_cmp!(BrI32GeS, r32, |a, b| (a as i32) >= b as i32);
br_cmp!(BrI32GeU, r32, |a, b| a >= b);
br_cmp_imm!(BrI32EqImm, r32, |a, b| a == b);
br_cmp_imm!(BrI32NeImm, r32, |a, b| a != b);
br_cmp_imm!(BrI32LtSImm, r32, |a, b| (a as i32) < b as i32);
br_cmp_imm!(BrI32LtUImm, r32, |a, b| a < b);
br_cmp_imm!(BrI32GtSImm, r32, |a, b| (a as i32) > b as i32);
br_cmp_imm!(BrI32GtUImm, r32, |a, b| a > b);
br_cmp_imm!(BrI32LeSImm, r32, |a, b| (a as i32) <= b as i32);
br_cmp_imm!(BrI32LeUImm, r32, |a, b| a <= b);
br_cmp_imm!(BrI32GeSImm, r32, |a, b| (a as i32) >= b as i32);
br_cmp_imm!(BrI32GeUImm, r32, |a, b| a >= b);
br_cmp!(BrI64Eq, s, |a, b| a == b);
br_cmp!(BrI64Ne, s, |a, b| a != b);
br_cmp!(BrI64LtS, s, |a, b| (a as i64) < b as i64);
br_cmp!(BrI64LtU, s, |a, b| a < b);
br_cmp!(BrI64GtS, s, |a, b| (a as i64) > b as i64);
br_cmp!(BrI64GtU, s, |a, b| a > b);
br_cmp!(BrI64LeS, s, |a, b| (a as i64) <= b as i64);
br_cmp!(BrI64LeU, s, |a, b| a <= b);
br_cmp!(BrI64GeS, s, |a, b| (a as i64) >= b as i64);
br_cmp!(BrI64GeU, s, |a, b| a >= b);
br_cmp_imm!(BrI64EqImm, s, |a, b| a == (b as i64 as u64));
br_cmp_imm!(BrI64NeImm, s, |a, b| a != (b as i64 as u64));
br_cmp_imm!(BrI64LtSImm, s, |a, b| (a as i64) < (b as i64 as u64) as i64);
br_cmp_imm!(BrI64LtUImm, s, |a, b| a < (b as i64 as u64));
br_cmp_imm!(BrI64GtSImm, s, |a, b| (a as i64) > (b as i64 as u64) as i64);
br_cmp_imm!(BrI64GtUImm, s, |a, b| a > (b as i64 as u64));
br_cmp_imm!(BrI64LeSImm, s, |a, b| (a as i64)
    <= (b as i64 as u64) as i64);
br_cmp_imm!(BrI64LeUImm, s, |a, b| a <= (b as i64 as u64));
br_cmp_imm!(BrI64GeSImm, s, |a, b| (a as i64)
    >= (b as i64 as u64) as i64);
br_cmp_imm!(BrI64GeUImm, s, |a, b| a >= (b as i64 as u64));
br_if!(BrIfEqz64, s, |c| c == 0);
br_if!(BrIfNez64, s, |c| c != 0);

fn CanonNan32(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, CanonNan32 { slot });
    {
        {
            if f32v!(fp, slot).is_nan() {
                w32!(fp, slot, CANON_NAN32);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn CanonNan64(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, CanonNan64 { slot });
    {
        {
            if f64v!(fp, slot).is_nan() {
                w64!(fp, slot, CANON_NAN64);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn CopyI32AddImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, CopyI32AddImm { a, .. });
        w64!(fp, a.0 as Slot, s!(fp, a.1 as Slot));
    }
    decode!(ip, CopyI32AddImm { b, imm, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot).wrapping_add(imm));
    next(ip.next(), fp, mem, cx)
}

fn I32Store8ImmIdxAddBrI32LeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I32Store8ImmIdxAddBrI32LeU {
            imm,
            idx,
            ops,
            target
        }
    );
    // A loop of exactly this triple (its back edge targets the triple, or
    // the `ConsumeFuel` just before it: sieve's marking loop) iterates here
    // without a dispatch per iteration, paying the loop header's fuel as
    // `jump` would; any other target, and a budget that cannot pay, go
    // through `jump`. `None`: the target is elsewhere.
    // (Targets are distances from `ip`: 0 is the triple itself, and
    // `FUEL_TARGET` alone the triple after the `ConsumeFuel` before it.)
    let self_fuel = if target == FUEL_TARGET {
        Some(decode::fuel_amount(ip.prev()) as u64)
    } else if target == 0 {
        Some(0)
    } else {
        None
    };
    loop {
        if !mem.store(idx!(fp, idx.0 as Slot, idx.1 as Slot), [imm]) {
            // The store traps: nothing done yet in this iteration.
            return step(ip, fp, mem, cx);
        }
        let index = r32!(fp, idx.1 as Slot).wrapping_add(r32!(fp, ops.0 as Slot));
        w32!(fp, idx.1 as Slot, index);
        if index > r32!(fp, ops.1 as Slot) {
            return next(ip.next().next(), fp, mem, cx);
        }
        match self_fuel {
            Some(amount) if cx.budget >= amount => cx.budget -= amount,
            _ => return jump(ip, fp, mem, cx, target),
        }
    }
}

fn I32ShlImmAdd(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let shifted = {
        decode!(ip, I32ShlImmAdd { a, imm, .. });
        let v = r32!(fp, a.1 as Slot).wrapping_shl(imm);
        w32!(fp, a.0 as Slot, v);
        v
    };
    // The fusion rule makes the shift's result an operand of the addition:
    // it is taken from the register (one load fewer); `b.1` is read after
    // the write (it may be the same slot).
    decode!(ip, I32ShlImmAdd { b, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot).wrapping_add(shifted));
    next(ip.next(), fp, mem, cx)
}

fn I32ShrUImmAndImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32ShrUImmAndImm { a, imms, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot).wrapping_shr(imms.0 as u32)
        );
    }
    decode!(ip, I32ShrUImmAndImm { b, imms, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot) & imms.1 as u32);
    next(ip.next(), fp, mem, cx)
}

fn I64StoreBr(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I64StoreBr { ops, offset, .. });
        let bytes = s!(fp, ops.1 as Slot).to_le_bytes();
        if !mem.store(ea!(fp, ops.0 as Slot, offset), bytes) {
            // The store traps: nothing done yet.
            return step(ip, fp, mem, cx);
        }
    }
    decode!(ip, I64StoreBr { target, .. });
    jump(ip, fp, mem, cx, target)
}

/// Two additions in a row (`a` = (dst, lhs) + `rhs.0`, then `b` = (dst,
/// lhs) + `rhs.1`), at one width: `I32Add2` and `I64Add2`.
macro_rules! add2 {
    ($name:ident, $r:ident, $w:ident) => {
        fn $name(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
            {
                decode!(ip, $name { a, rhs, .. });
                $w!(
                    fp,
                    a.0 as Slot,
                    $r!(fp, a.1 as Slot).wrapping_add($r!(fp, rhs.0 as Slot))
                );
            }
            decode!(ip, $name { b, rhs, .. });
            $w!(
                fp,
                b.0 as Slot,
                $r!(fp, b.1 as Slot).wrapping_add($r!(fp, rhs.1 as Slot))
            );
            next(ip.next(), fp, mem, cx)
        }
    };
}
add2!(I32Add2, r32, w32);
add2!(I64Add2, s, w64);

fn I32MulAdd(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let product = {
        decode!(ip, I32MulAdd { a, rhs, .. });
        let v = r32!(fp, a.1 as Slot).wrapping_mul(r32!(fp, rhs));
        w32!(fp, a.0 as Slot, v);
        v
    };
    // As in `I32ShlImmAdd`: the product comes from the register.
    decode!(ip, I32MulAdd { b, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot).wrapping_add(product));
    next(ip.next(), fp, mem, cx)
}

fn I32AddAddImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32AddAddImm { a, ops, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot).wrapping_add(r32!(fp, ops.0 as Slot))
        );
    }
    decode!(ip, I32AddAddImm { b, ops, .. });
    w32!(
        fp,
        b.0 as Slot,
        r32!(fp, b.1 as Slot).wrapping_add(ops.1 as i16 as u32)
    );
    next(ip.next(), fp, mem, cx)
}

fn I32AddImmBrI32NeImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32AddImmBrI32NeImm { a, imms, target });
    let sum = r32!(fp, a.1 as Slot).wrapping_add(imms.0 as i16 as u32);
    w32!(fp, a.0 as Slot, sum);
    if sum != imms.1 as i16 as u32 {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn CopyBrIfNez(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, CopyBrIfNez { a, .. });
        w64!(fp, a.0 as Slot, s!(fp, a.1 as Slot));
    }
    decode!(ip, CopyBrIfNez { cond, target, .. });
    if r32!(fp, cond) != 0 {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn CopyBrIfEqz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, CopyBrIfEqz { a, .. });
        w64!(fp, a.0 as Slot, s!(fp, a.1 as Slot));
    }
    decode!(ip, CopyBrIfEqz { cond, target, .. });
    if r32!(fp, cond) == 0 {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32LoadBrIfNez(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I32LoadBrIfNez {
            ops,
            offset,
            target
        }
    );
    let Some(b) = mem.load::<4>(ea!(fp, ops.1 as Slot, offset)) else {
        // The load traps: nothing done yet.
        return step(ip, fp, mem, cx);
    };
    let v = u32::from_le_bytes(b);
    w32!(fp, ops.0 as Slot, v);
    if v != 0 {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32XorAndImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32XorAndImm { a, ops, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot) ^ r32!(fp, ops.0 as Slot)
        );
    }
    decode!(ip, I32XorAndImm { b, ops, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot) & ops.1 as u32);
    next(ip.next(), fp, mem, cx)
}

fn I32LoadStore(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32LoadStore { a, offsets, .. });
        let Some(b) = mem.load::<4>(ea!(fp, a.1 as Slot, offsets.0)) else {
            // The load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        w32!(fp, a.0 as Slot, u32::from_le_bytes(b));
    }
    decode!(ip, I32LoadStore { b, offsets, .. });
    let bytes = r32!(fp, b.1 as Slot).to_le_bytes();
    if !mem.store(ea!(fp, b.0 as Slot, offsets.1), bytes) {
        // The store traps: stop at it, the load done.
        return step(ip.next(), fp, mem, cx);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32LoadAddImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32LoadAddImm { a, ops, .. });
        let Some(b) = mem.load::<4>(ea!(fp, a.1 as Slot, ops.0)) else {
            // The load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        w32!(fp, a.0 as Slot, u32::from_le_bytes(b));
    }
    decode!(ip, I32LoadAddImm { b, ops, .. });
    w32!(
        fp,
        b.0 as Slot,
        r32!(fp, b.1 as Slot).wrapping_add(ops.1 as i16 as u32)
    );
    next(ip.next(), fp, mem, cx)
}

fn I32AddImmAndImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32AddImmAndImm { a, imms, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot).wrapping_add(imms.0 as i16 as u32)
        );
    }
    decode!(ip, I32AddImmAndImm { b, imms, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot) & imms.1 as u32);
    next(ip.next(), fp, mem, cx)
}

fn I32Load8UBrTable(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8UBrTable { ops, offset, len });
    let Some([byte]) = mem.load::<1>(ea!(fp, ops.1 as Slot, offset)) else {
        // The load traps: nothing done yet.
        return step(ip, fp, mem, cx);
    };
    w32!(fp, ops.0 as Slot, byte as u32);
    // The `BrTable` is the next instruction, its entries after it.
    let entry = ip.next().next().skip((byte as u32).min(len) as usize);
    take_entry(entry, fp, mem, cx)
}

fn I32EqzAdd(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let zero = {
        decode!(ip, I32EqzAdd { a, .. });
        let zero = (r32!(fp, a.1 as Slot) == 0) as u32;
        w32!(fp, a.0 as Slot, zero);
        zero
    };
    decode!(ip, I32EqzAdd { b, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot).wrapping_add(zero));
    next(ip.next(), fp, mem, cx)
}

fn I32Load8USelectZero(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let byte = {
        decode!(ip, I32Load8USelectZero { a, offset, .. });
        let Some([byte]) = mem.load::<1>(ea!(fp, a.1 as Slot, offset)) else {
            // The load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        w32!(fp, a.0 as Slot, byte as u32);
        byte
    };
    decode!(ip, I32Load8USelectZero { b, .. });
    let v = if byte != 0 { 0 } else { s!(fp, b.1 as Slot) };
    w64!(fp, b.0 as Slot, v);
    next(ip.next(), fp, mem, cx)
}

fn I32LoadLoad8U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32LoadLoad8U { a, offsets, .. });
        let Some(b) = mem.load::<4>(ea!(fp, a.1 as Slot, offsets.0)) else {
            // The first load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        w32!(fp, a.0 as Slot, u32::from_le_bytes(b));
    }
    decode!(ip, I32LoadLoad8U { b, offsets, .. });
    match mem.load::<1>(ea!(fp, b.1 as Slot, offsets.1)) {
        Some([byte]) => w32!(fp, b.0 as Slot, byte as u32),
        // The second load traps: stop at it, the first done.
        None => return step(ip.next(), fp, mem, cx),
    }
    next(ip.next(), fp, mem, cx)
}

fn CopyBrI32NeImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, CopyBrI32NeImm { a, .. });
        w64!(fp, a.0 as Slot, s!(fp, a.1 as Slot));
    }
    decode!(ip, CopyBrI32NeImm { ops, target, .. });
    if r32!(fp, ops.0 as Slot) != ops.1 as i16 as u32 {
        return jump(ip, fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32XorImmShrUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32XorImmShrUImm { a, imms, .. });
        w32!(
            fp,
            a.0 as Slot,
            r32!(fp, a.1 as Slot) ^ imms.0 as i16 as u32
        );
    }
    decode!(ip, I32XorImmShrUImm { b, imms, .. });
    w32!(
        fp,
        b.0 as Slot,
        r32!(fp, b.1 as Slot).wrapping_shr(imms.1 as u32)
    );
    next(ip.next(), fp, mem, cx)
}

fn I32Load16UAndImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, I32Load16UAndImm { a, ops, .. });
        let Some(b) = mem.load::<2>(ea!(fp, a.1 as Slot, ops.0)) else {
            // The load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        w32!(fp, a.0 as Slot, u16::from_le_bytes(b) as u32);
    }
    decode!(ip, I32Load16UAndImm { b, ops, .. });
    w32!(fp, b.0 as Slot, r32!(fp, b.1 as Slot) & ops.1 as u32);
    next(ip.next(), fp, mem, cx)
}

fn Const64Copy(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    {
        decode!(ip, Const64Copy { dst, value, .. });
        w64!(fp, dst as Slot, value as i64 as u64);
    }
    decode!(ip, Const64Copy { b, .. });
    w64!(fp, b.0 as Slot, s!(fp, b.1 as Slot));
    next(ip.next(), fp, mem, cx)
}

/// `base = lhs + imm; x = mem[addr + offset]` (`N` bytes, zero-extended):
/// the first two parts of the session 9 triples and quadruples, with
/// `base` and `x` returned in registers; `None` when the load traps (the
/// addition done).
#[inline(always)]
fn add_imm_load<const N: usize>(
    fp: FramePtr,
    mem: MemView,
    a: crate::isa::Pair16,
    b: crate::isa::Pair16,
    imm: u16,
    offset: u32,
) -> Option<(u32, u32)> {
    let base = r32!(fp, a.1 as Slot).wrapping_add(imm as i16 as u32);
    w32!(fp, a.0 as Slot, base);
    let bytes = mem.load::<N>(crate::exec::mem_view::ea(r32!(fp, b.1 as Slot), offset))?;
    let mut word = [0u8; 4];
    word[..N].copy_from_slice(&bytes);
    let x = u32::from_le_bytes(word);
    w32!(fp, b.0 as Slot, x);
    Some((base, x))
}

/// `base + 32 + (x << shift)` of a `N`-byte `x` (the quadruples).
macro_rules! add_imm_load_shl_add {
    ($name:ident, $n:literal) => {
        fn $name(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
            let (base, x) = {
                decode!(ip, $name { a, b, imms, .. });
                match add_imm_load::<$n>(fp, mem, a, b, imms.0, u32::from(imms.1 & 0xff)) {
                    Some(parts) => parts,
                    None => return step(ip.next(), fp, mem, cx),
                }
            };
            // `base` and `x` are distinct slots (the fusion rule): both
            // values are still those of their slots, used from registers.
            decode!(ip, $name { dst, b, imms, .. });
            let shifted = x.wrapping_shl(u32::from(imms.1 >> 8));
            w32!(fp, b.0 as Slot, shifted);
            w32!(fp, dst as Slot, base.wrapping_add(shifted));
            next(ip.next().next().next(), fp, mem, cx)
        }
    };
}
add_imm_load_shl_add!(I32AddImmLoad8UShlAdd, 1);
add_imm_load_shl_add!(I32AddImmLoadShlAdd, 4);

fn I32AddImmLoad8ULoadIdx8(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let (base, byte) = {
        decode!(ip, I32AddImmLoad8ULoadIdx8 { a, b, imms, .. });
        match add_imm_load::<1>(fp, mem, a, b, imms.0, u32::from(imms.1)) {
            Some(parts) => parts,
            None => return step(ip.next(), fp, mem, cx),
        }
    };
    let Some(v) = mem.load::<8>(base.wrapping_add(byte.wrapping_mul(8)) as usize) else {
        // The second load traps: stop at it, the first two parts done.
        return step(ip.next().next(), fp, mem, cx);
    };
    decode!(ip, I32AddImmLoad8ULoadIdx8 { dst, .. });
    w64!(fp, dst as Slot, u64::from_le_bytes(v));
    next(ip.next().next(), fp, mem, cx)
}

fn F64MulLoadAddStore(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let product = {
        decode!(
            ip,
            F64MulLoadAddStore {
                dst,
                ops,
                offsets,
                ..
            }
        );
        let Some(b) = mem.load::<8>(ea!(fp, ops.1 as Slot, offsets.0)) else {
            // The first load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        let v = f64v!(fp, ops.0 as Slot) * f64::from_le_bytes(b);
        w64!(fp, dst as Slot, v.to_bits());
        v
    };
    // `dst` and `addr` are distinct slots (the fusion rule): the address
    // is the slot's, the product the register's.
    decode!(
        ip,
        F64MulLoadAddStore {
            dst,
            addr,
            offsets,
            ..
        }
    );
    let at = ea!(fp, addr as Slot, offsets.1);
    accumulate(ip.next(), fp, mem, cx, product, dst, at)
}

/// The `F64AddLoad` at `add` (of `product`, the f64 at `at`, into `dst`)
/// and the `F64Store` after it of the sum at `at`, then the instruction
/// after the store: the shared end of `F64MulLoadAddStore` and
/// `F64LoadWrapMulAddStore`.
#[inline(always)]
fn accumulate(
    add: Ip,
    fp: FramePtr,
    mem: MemView,
    cx: &mut Cx<'_>,
    product: f64,
    dst: u16,
    at: usize,
) -> Cont {
    let Some(b) = mem.load::<8>(at) else {
        return step(add, fp, mem, cx);
    };
    let sum = (product + f64::from_le_bytes(b)).to_bits();
    w64!(fp, dst as Slot, sum);
    // (In bounds: the load just read the same 8 bytes.)
    if !mem.store(at, sum.to_le_bytes()) {
        return step(add.next(), fp, mem, cx);
    }
    next(add.next(), fp, mem, cx)
}

fn F64LoadWrapMulAddStore(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let product = {
        decode!(
            ip,
            F64LoadWrapMulAddStore {
                dst,
                tmp,
                ops,
                imms,
                ..
            }
        );
        let Some(b) = mem.load::<8>(wrap!(fp, ops.1 as Slot, u32::from(imms.0))) else {
            // The first load traps: nothing done yet.
            return step(ip, fp, mem, cx);
        };
        w64!(fp, tmp as Slot, u64::from_le_bytes(b));
        // `ops.0` is read after `tmp` is written (they may be one slot).
        let v = f64v!(fp, ops.0 as Slot) * f64::from_le_bytes(b);
        w64!(fp, dst as Slot, v.to_bits());
        v
    };
    // The address is read after both writes, as the unfused code reads it.
    decode!(
        ip,
        F64LoadWrapMulAddStore {
            dst,
            addr,
            imms,
            ..
        }
    );
    let at = ea!(fp, addr as Slot, imms.1);
    accumulate(ip.next().next(), fp, mem, cx, product, dst, at)
}

// ---- SIMD (semantics in exec/simd; none steps out but the memory accesses) ----

fn Simd1(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Simd1 { dst, src, op, lane });
    simd::run1(fp, op, lane, dst, src);
    next(ip, fp, mem, cx)
}

fn Simd2(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Simd2 { dst, ops, op, lane });
    simd::run2(fp, op, lane, dst, ops.0 as Slot, ops.1 as Slot);
    next(ip, fp, mem, cx)
}

fn SimdBase(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, SimdBase { base, op, lane });
    simd::run_base(fp, op, lane, base);
    next(ip, fp, mem, cx)
}

fn V128Load(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, V128Load { dst, addr, offset });
    match mem.load::<16>(ea!(fp, addr, offset)) {
        Some(b) => simd::set(fp, dst, u128::from_le_bytes(b)),
        None => bail!(ip, fp, mem, cx),
    }
    next(ip, fp, mem, cx)
}

fn V128Store(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        V128Store {
            addr,
            value,
            offset
        }
    );
    store!(
        ip,
        fp,
        mem,
        cx,
        addr,
        value,
        offset,
        simd::get(fp, value).to_le_bytes()
    );
    next(ip, fp, mem, cx)
}

fn SimdMem0(ip: Ip, fp: FramePtr, mut mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        SimdMem0 {
            base,
            offset,
            op,
            lane
        }
    );
    if !simd::mem::access_plain(mem.bytes_mut(), fp, base, offset, op, lane) {
        // Out of bounds: nothing done; the loop traps.
        bail!(ip, fp, mem, cx);
    }
    next(ip, fp, mem, cx)
}

/// The handler of every instruction, indexed by its tag (declaration order
/// of `isa::Instr`; `step` for the instructions the interpreter loop runs).
pub(super) static HANDLERS: [Handler; 361] = [
    step,
    step,
    ConsumeFuel,
    Br,
    BrIfEqz,
    BrIfNez,
    BrTable,
    calls::Return,
    Copy,
    Copy2,
    Const64,
    Select,
    SelectZero,
    SelectTo,
    SelectImm,
    calls::CallInternal,
    step,
    step,
    GlobalGet,
    GlobalSet,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    I32Load,
    I64Load,
    F32Load,
    F64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
    I32Store,
    I64Store,
    F32Store,
    F64Store,
    I32Store8,
    I32Store16,
    I64Store8,
    I64Store16,
    I64Store32,
    I32LoadIdx,
    I64LoadIdx,
    F32LoadIdx,
    F64LoadIdx,
    I32Load8SIdx,
    I32Load8UIdx,
    I32Load16UIdx,
    I32LoadIdxShl,
    I64LoadIdxShl,
    F64LoadIdxShl,
    I32LoadWrap,
    I64LoadWrap,
    F32LoadWrap,
    F64LoadWrap,
    I32Load8UWrap,
    I32StoreImm,
    I32Store8Imm,
    I32Store16Imm,
    I64StoreImm,
    I32StoreImmIdx,
    I32Store8ImmIdx,
    I64StoreImmIdx,
    I32Eqz,
    I32Eq,
    I32Ne,
    I32LtS,
    I32LtU,
    I32GtS,
    I32GtU,
    I32LeS,
    I32LeU,
    I32GeS,
    I32GeU,
    I32Clz,
    I32Ctz,
    I32Popcnt,
    I32Add,
    I32Sub,
    I32Mul,
    I32DivS,
    I32DivU,
    I32RemS,
    I32RemU,
    I32And,
    I32Or,
    I32Xor,
    I32Shl,
    I32ShrS,
    I32ShrU,
    I32Rotl,
    I32Rotr,
    I32AddImm,
    I64Eqz,
    I64Eq,
    I64Ne,
    I64LtS,
    I64LtU,
    I64GtS,
    I64GtU,
    I64LeS,
    I64LeU,
    I64GeS,
    I64GeU,
    I64Clz,
    I64Ctz,
    I64Popcnt,
    I64Add,
    I64Sub,
    I64Mul,
    I64DivS,
    I64DivU,
    I64RemS,
    I64RemU,
    I64And,
    I64Or,
    I64Xor,
    I64Shl,
    I64ShrS,
    I64ShrU,
    I64Rotl,
    I64Rotr,
    F32Eq,
    F32Ne,
    F32Lt,
    F32Gt,
    F32Le,
    F32Ge,
    F32Abs,
    F32Neg,
    F32Ceil,
    F32Floor,
    F32Trunc,
    F32Nearest,
    F32Sqrt,
    F32Add,
    F32Sub,
    F32Mul,
    F32Div,
    F32Min,
    F32Max,
    F32Copysign,
    F64Eq,
    F64Ne,
    F64Lt,
    F64Gt,
    F64Le,
    F64Ge,
    F64Abs,
    F64Neg,
    F64Ceil,
    F64Floor,
    F64Trunc,
    F64Nearest,
    F64Sqrt,
    F64Add,
    F64Sub,
    F64Mul,
    F64Div,
    F64Min,
    F64Max,
    F64Copysign,
    F64AddLoad,
    F64SubLoad,
    F64MulLoad,
    I32WrapI64,
    I32TruncF32S,
    I32TruncF32U,
    I32TruncF64S,
    I32TruncF64U,
    I64ExtendI32S,
    I64ExtendI32U,
    I64TruncF32S,
    I64TruncF32U,
    I64TruncF64S,
    I64TruncF64U,
    F32ConvertI32S,
    F32ConvertI32U,
    F32ConvertI64S,
    F32ConvertI64U,
    F32DemoteF64,
    F64ConvertI32S,
    F64ConvertI32U,
    F64ConvertI64S,
    F64ConvertI64U,
    F64PromoteF32,
    I32Extend8S,
    I32Extend16S,
    I64Extend8S,
    I64Extend16S,
    I64Extend32S,
    I32TruncSatF32S,
    I32TruncSatF32U,
    I32TruncSatF64S,
    I32TruncSatF64U,
    I64TruncSatF32S,
    I64TruncSatF32U,
    I64TruncSatF64S,
    I64TruncSatF64U,
    I32MulImm,
    I32AndImm,
    I32OrImm,
    I32XorImm,
    I32ShlImm,
    I32ShrSImm,
    I32ShrUImm,
    I32RotlImm,
    I32EqImm,
    I32NeImm,
    I32LtSImm,
    I32LtUImm,
    I32GtSImm,
    I32GtUImm,
    I32LeSImm,
    I32LeUImm,
    I32GeSImm,
    I32GeUImm,
    I64AddImm,
    I64MulImm,
    I64AndImm,
    I64OrImm,
    I64XorImm,
    I64ShlImm,
    I64ShrSImm,
    I64ShrUImm,
    I64RotlImm,
    I64EqImm,
    I64NeImm,
    I64LtSImm,
    I64LtUImm,
    I64GtSImm,
    I64GtUImm,
    I64LeSImm,
    I64LeUImm,
    I64GeSImm,
    I64GeUImm,
    BrI32Eq,
    BrI32Ne,
    BrI32LtS,
    BrI32LtU,
    BrI32GtS,
    BrI32GtU,
    BrI32LeS,
    BrI32LeU,
    BrI32GeS,
    BrI32GeU,
    BrI32EqImm,
    BrI32NeImm,
    BrI32LtSImm,
    BrI32LtUImm,
    BrI32GtSImm,
    BrI32GtUImm,
    BrI32LeSImm,
    BrI32LeUImm,
    BrI32GeSImm,
    BrI32GeUImm,
    BrI64Eq,
    BrI64Ne,
    BrI64LtS,
    BrI64LtU,
    BrI64GtS,
    BrI64GtU,
    BrI64LeS,
    BrI64LeU,
    BrI64GeS,
    BrI64GeU,
    BrI64EqImm,
    BrI64NeImm,
    BrI64LtSImm,
    BrI64LtUImm,
    BrI64GtSImm,
    BrI64GtUImm,
    BrI64LeSImm,
    BrI64LeUImm,
    BrI64GeSImm,
    BrI64GeUImm,
    BrIfEqz64,
    BrIfNez64,
    CanonNan32,
    CanonNan64,
    I32AddImm2,
    I32AddImmLoad8U,
    I32AddBrI32LeU,
    I32AddImmBrI32Ne,
    I32RotlImmXor,
    CopyI32AddImm,
    I32Load8UBrTable,
    I32Store8ImmIdxAddBrI32LeU,
    I32ShlImmAdd,
    I32ShrUImmAndImm,
    I64StoreBr,
    I32Add2,
    I32MulAdd,
    I32AddAddImm,
    I32AddImmBrI32NeImm,
    CopyBrIfNez,
    CopyBrIfEqz,
    I32LoadBrIfNez,
    I32XorAndImm,
    I32LoadStore,
    I32LoadAddImm,
    I32AddImmAndImm,
    I32EqzAdd,
    I64Add2,
    I32Load8USelectZero,
    I32LoadLoad8U,
    CopyBrI32NeImm,
    I32XorImmShrUImm,
    I32Load16UAndImm,
    Const64Copy,
    I32AddImmLoad8UShlAdd,
    I32AddImmLoadShlAdd,
    I32AddImmLoad8ULoadIdx8,
    F64MulLoadAddStore,
    F64LoadWrapMulAddStore,
    calls::ReturnCallInternal,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    step,
    Simd1,
    Simd2,
    SimdBase,
    V128Load,
    V128Store,
    step,
    step,
    step,
    SimdMem0,
    // exception handling
    step,
    step,
];

/// The variant each entry of [`HANDLERS`] is for (checked by a unit test;
/// used by the profile).
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) static HANDLER_NAMES: [&str; 361] = [
    "Unreachable",
    "Untranslated",
    "ConsumeFuel",
    "Br",
    "BrIfEqz",
    "BrIfNez",
    "BrTable",
    "Return",
    "Copy",
    "Copy2",
    "Const64",
    "Select",
    "SelectZero",
    "SelectTo",
    "SelectImm",
    "CallInternal",
    "CallImported",
    "CallIndirect",
    "GlobalGet",
    "GlobalSet",
    "RefFunc",
    "TableGet",
    "TableSet",
    "TableSize",
    "TableGrow",
    "TableFill",
    "TableCopy",
    "TableInit",
    "ElemDrop",
    "MemorySize",
    "MemoryGrow",
    "MemoryFill",
    "MemoryCopy",
    "MemoryInit",
    "DataDrop",
    "I32Load",
    "I64Load",
    "F32Load",
    "F64Load",
    "I32Load8S",
    "I32Load8U",
    "I32Load16S",
    "I32Load16U",
    "I64Load8S",
    "I64Load8U",
    "I64Load16S",
    "I64Load16U",
    "I64Load32S",
    "I64Load32U",
    "I32Store",
    "I64Store",
    "F32Store",
    "F64Store",
    "I32Store8",
    "I32Store16",
    "I64Store8",
    "I64Store16",
    "I64Store32",
    "I32LoadIdx",
    "I64LoadIdx",
    "F32LoadIdx",
    "F64LoadIdx",
    "I32Load8SIdx",
    "I32Load8UIdx",
    "I32Load16UIdx",
    "I32LoadIdxShl",
    "I64LoadIdxShl",
    "F64LoadIdxShl",
    "I32LoadWrap",
    "I64LoadWrap",
    "F32LoadWrap",
    "F64LoadWrap",
    "I32Load8UWrap",
    "I32StoreImm",
    "I32Store8Imm",
    "I32Store16Imm",
    "I64StoreImm",
    "I32StoreImmIdx",
    "I32Store8ImmIdx",
    "I64StoreImmIdx",
    "I32Eqz",
    "I32Eq",
    "I32Ne",
    "I32LtS",
    "I32LtU",
    "I32GtS",
    "I32GtU",
    "I32LeS",
    "I32LeU",
    "I32GeS",
    "I32GeU",
    "I32Clz",
    "I32Ctz",
    "I32Popcnt",
    "I32Add",
    "I32Sub",
    "I32Mul",
    "I32DivS",
    "I32DivU",
    "I32RemS",
    "I32RemU",
    "I32And",
    "I32Or",
    "I32Xor",
    "I32Shl",
    "I32ShrS",
    "I32ShrU",
    "I32Rotl",
    "I32Rotr",
    "I32AddImm",
    "I64Eqz",
    "I64Eq",
    "I64Ne",
    "I64LtS",
    "I64LtU",
    "I64GtS",
    "I64GtU",
    "I64LeS",
    "I64LeU",
    "I64GeS",
    "I64GeU",
    "I64Clz",
    "I64Ctz",
    "I64Popcnt",
    "I64Add",
    "I64Sub",
    "I64Mul",
    "I64DivS",
    "I64DivU",
    "I64RemS",
    "I64RemU",
    "I64And",
    "I64Or",
    "I64Xor",
    "I64Shl",
    "I64ShrS",
    "I64ShrU",
    "I64Rotl",
    "I64Rotr",
    "F32Eq",
    "F32Ne",
    "F32Lt",
    "F32Gt",
    "F32Le",
    "F32Ge",
    "F32Abs",
    "F32Neg",
    "F32Ceil",
    "F32Floor",
    "F32Trunc",
    "F32Nearest",
    "F32Sqrt",
    "F32Add",
    "F32Sub",
    "F32Mul",
    "F32Div",
    "F32Min",
    "F32Max",
    "F32Copysign",
    "F64Eq",
    "F64Ne",
    "F64Lt",
    "F64Gt",
    "F64Le",
    "F64Ge",
    "F64Abs",
    "F64Neg",
    "F64Ceil",
    "F64Floor",
    "F64Trunc",
    "F64Nearest",
    "F64Sqrt",
    "F64Add",
    "F64Sub",
    "F64Mul",
    "F64Div",
    "F64Min",
    "F64Max",
    "F64Copysign",
    "F64AddLoad",
    "F64SubLoad",
    "F64MulLoad",
    "I32WrapI64",
    "I32TruncF32S",
    "I32TruncF32U",
    "I32TruncF64S",
    "I32TruncF64U",
    "I64ExtendI32S",
    "I64ExtendI32U",
    "I64TruncF32S",
    "I64TruncF32U",
    "I64TruncF64S",
    "I64TruncF64U",
    "F32ConvertI32S",
    "F32ConvertI32U",
    "F32ConvertI64S",
    "F32ConvertI64U",
    "F32DemoteF64",
    "F64ConvertI32S",
    "F64ConvertI32U",
    "F64ConvertI64S",
    "F64ConvertI64U",
    "F64PromoteF32",
    "I32Extend8S",
    "I32Extend16S",
    "I64Extend8S",
    "I64Extend16S",
    "I64Extend32S",
    "I32TruncSatF32S",
    "I32TruncSatF32U",
    "I32TruncSatF64S",
    "I32TruncSatF64U",
    "I64TruncSatF32S",
    "I64TruncSatF32U",
    "I64TruncSatF64S",
    "I64TruncSatF64U",
    "I32MulImm",
    "I32AndImm",
    "I32OrImm",
    "I32XorImm",
    "I32ShlImm",
    "I32ShrSImm",
    "I32ShrUImm",
    "I32RotlImm",
    "I32EqImm",
    "I32NeImm",
    "I32LtSImm",
    "I32LtUImm",
    "I32GtSImm",
    "I32GtUImm",
    "I32LeSImm",
    "I32LeUImm",
    "I32GeSImm",
    "I32GeUImm",
    "I64AddImm",
    "I64MulImm",
    "I64AndImm",
    "I64OrImm",
    "I64XorImm",
    "I64ShlImm",
    "I64ShrSImm",
    "I64ShrUImm",
    "I64RotlImm",
    "I64EqImm",
    "I64NeImm",
    "I64LtSImm",
    "I64LtUImm",
    "I64GtSImm",
    "I64GtUImm",
    "I64LeSImm",
    "I64LeUImm",
    "I64GeSImm",
    "I64GeUImm",
    "BrI32Eq",
    "BrI32Ne",
    "BrI32LtS",
    "BrI32LtU",
    "BrI32GtS",
    "BrI32GtU",
    "BrI32LeS",
    "BrI32LeU",
    "BrI32GeS",
    "BrI32GeU",
    "BrI32EqImm",
    "BrI32NeImm",
    "BrI32LtSImm",
    "BrI32LtUImm",
    "BrI32GtSImm",
    "BrI32GtUImm",
    "BrI32LeSImm",
    "BrI32LeUImm",
    "BrI32GeSImm",
    "BrI32GeUImm",
    "BrI64Eq",
    "BrI64Ne",
    "BrI64LtS",
    "BrI64LtU",
    "BrI64GtS",
    "BrI64GtU",
    "BrI64LeS",
    "BrI64LeU",
    "BrI64GeS",
    "BrI64GeU",
    "BrI64EqImm",
    "BrI64NeImm",
    "BrI64LtSImm",
    "BrI64LtUImm",
    "BrI64GtSImm",
    "BrI64GtUImm",
    "BrI64LeSImm",
    "BrI64LeUImm",
    "BrI64GeSImm",
    "BrI64GeUImm",
    "BrIfEqz64",
    "BrIfNez64",
    "CanonNan32",
    "CanonNan64",
    "I32AddImm2",
    "I32AddImmLoad8U",
    "I32AddBrI32LeU",
    "I32AddImmBrI32Ne",
    "I32RotlImmXor",
    "CopyI32AddImm",
    "I32Load8UBrTable",
    "I32Store8ImmIdxAddBrI32LeU",
    "I32ShlImmAdd",
    "I32ShrUImmAndImm",
    "I64StoreBr",
    "I32Add2",
    "I32MulAdd",
    "I32AddAddImm",
    "I32AddImmBrI32NeImm",
    "CopyBrIfNez",
    "CopyBrIfEqz",
    "I32LoadBrIfNez",
    "I32XorAndImm",
    "I32LoadStore",
    "I32LoadAddImm",
    "I32AddImmAndImm",
    "I32EqzAdd",
    "I64Add2",
    "I32Load8USelectZero",
    "I32LoadLoad8U",
    "CopyBrI32NeImm",
    "I32XorImmShrUImm",
    "I32Load16UAndImm",
    "Const64Copy",
    "I32AddImmLoad8UShlAdd",
    "I32AddImmLoadShlAdd",
    "I32AddImmLoad8ULoadIdx8",
    "F64MulLoadAddStore",
    "F64LoadWrapMulAddStore",
    "ReturnCallInternal",
    "ReturnCallImported",
    "ReturnCallIndirect",
    "MemLoad",
    "MemStore",
    "MemOffset",
    "MemorySizeN",
    "MemoryGrowN",
    "MemoryFillN",
    "MemoryCopyN",
    "MemoryInitN",
    "I64Add128",
    "I64Sub128",
    "I64MulWideS",
    "I64MulWideU",
    "CallRef",
    "ReturnCallRef",
    "RefAsNonNull",
    "Simd1",
    "Simd2",
    "SimdBase",
    "V128Load",
    "V128Store",
    "SimdMem",
    "GlobalGetV128",
    "GlobalSetV128",
    "SimdMem0",
    "Throw",
    "ThrowRef",
];
