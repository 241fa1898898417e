//! The handlers of the instructions that run entirely in threaded code.
//!
//! Most handlers were generated (once, by a script not kept) from the arms
//! of the general interpreter loop in `exec/mod.rs`, which still runs every
//! instruction when a handler steps out: the same body, with the loop's
//! macros replaced by the ones below, which name the handler's arguments
//! explicitly (`fp`, or all of them when they may step out). The handlers
//! of fuel, `br_table`, globals and the superinstructions are written by
//! hand; calls and returns are in `calls.rs`.
//!
//! Adding an instruction: its arm in `exec/mod.rs` (semantics, traps), a
//! handler here in the same form (or none: `step` runs it in the loop),
//! and its entry in [`HANDLERS`] and [`HANDLER_NAMES`] at the position of
//! its variant in `isa::Instr` (a unit test in `decode.rs` checks the order).
#![allow(non_snake_case, unused_braces, unreachable_code)]

use super::decode::decode;
use super::{Cont, Cx, Handler, calls, jump, next, step};
use crate::exec::cursor::Ip;
use crate::exec::frame_ptr::FramePtr;
use crate::exec::mem_view::MemView;
use crate::exec::numeric::*;
use crate::isa::{Instr, Slot};

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
        (r32!($fp, $addr) as usize + $offset as usize)
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

// ---- hand-written --------------------------------------------------------

/// Start of a fuel region: pays from the budget, or steps out (the loop's
/// slow path commits, suspends or traps).
fn ConsumeFuel(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, ConsumeFuel { amount });
    let amount = amount as u64;
    if amount > cx.budget {
        return step(ip, fp, mem, cx);
    }
    cx.budget -= amount;
    next(ip, fp, mem, cx)
}

fn BrTable(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrTable { index, len });
    let entry = ip.next().skip(r32!(fp, index).min(len) as usize);
    // Every entry is a `Br`: take it here instead of dispatching it.
    match entry.get() {
        Instr::Br { target } => jump(fp, mem, cx, target),
        _ => step(entry, fp, mem, cx),
    }
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
    match mem.load::<1>(r32!(fp, b.1 as Slot) as usize + imms.1 as usize) {
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
        return jump(fp, mem, cx, target);
    }
    next(ip.next(), fp, mem, cx)
}

fn I32AddImmBrI32Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32AddImmBrI32Ne { a, ops, target });
    let sum = r32!(fp, a.1 as Slot).wrapping_add(ops.0 as i16 as u32);
    w32!(fp, a.0 as Slot, sum);
    if sum != r32!(fp, ops.1 as Slot) {
        return jump(fp, mem, cx, target);
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
    {
        return jump(fp, mem, cx, target);
    }
    next(ip, fp, mem, cx)
}

fn BrIfEqz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrIfEqz { cond, target });
    {
        {
            if r32!(fp, cond) == 0 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrIfNez(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrIfNez { cond, target });
    {
        {
            if r32!(fp, cond) != 0 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn Copy(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, Copy { dst, src });
    {
        w64!(fp, dst, s!(fp, src))
    }
    next(ip, fp, mem, cx)
}

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

fn I32Load(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64Load(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F32Load(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Load { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F64Load(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Load { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Load8S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8S { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                1,
                |b| b[0] as i8 as i32 as u32,
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Load8U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8U { dst, addr, offset });
    {
        { load!(ip, fp, mem, cx, dst, addr, offset, 1, |b| b[0] as u32, w32) }
    }
    next(ip, fp, mem, cx)
}

fn I32Load16S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load16S { dst, addr, offset });
    {
        load!(
            ip,
            fp,
            mem,
            cx,
            dst,
            addr,
            offset,
            2,
            |b| i16::from_le_bytes(b) as i32 as u32,
            w32
        )
    }
    next(ip, fp, mem, cx)
}

fn I32Load16U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load16U { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                2,
                |b| u16::from_le_bytes(b) as u32,
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64Load8S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load8S { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                1,
                |b| b[0] as i8 as i64 as u64,
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64Load8U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load8U { dst, addr, offset });
    {
        { load!(ip, fp, mem, cx, dst, addr, offset, 1, |b| b[0] as u64, w64) }
    }
    next(ip, fp, mem, cx)
}

fn I64Load16S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load16S { dst, addr, offset });
    {
        load!(
            ip,
            fp,
            mem,
            cx,
            dst,
            addr,
            offset,
            2,
            |b| i16::from_le_bytes(b) as i64 as u64,
            w64
        )
    }
    next(ip, fp, mem, cx)
}

fn I64Load16U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load16U { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                2,
                |b| u16::from_le_bytes(b) as u64,
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64Load32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load32S { dst, addr, offset });
    {
        load!(
            ip,
            fp,
            mem,
            cx,
            dst,
            addr,
            offset,
            4,
            |b| i32::from_le_bytes(b) as i64 as u64,
            w64
        )
    }
    next(ip, fp, mem, cx)
}

fn I64Load32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Load32U { dst, addr, offset });
    {
        {
            load!(
                ip,
                fp,
                mem,
                cx,
                dst,
                addr,
                offset,
                4,
                |b| u32::from_le_bytes(b) as u64,
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Store(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I32Store {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            r32!(fp, value).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn I64Store(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I64Store {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            s!(fp, value).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn F32Store(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        F32Store {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            r32!(fp, value).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn F64Store(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        F64Store {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            s!(fp, value).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn I32Store8(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I32Store8 {
            addr,
            value,
            offset,
        }
    );
    {
        store!(ip, fp, mem, cx, addr, value, offset, [s!(fp, value) as u8])
    }
    next(ip, fp, mem, cx)
}

fn I32Store16(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I32Store16 {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            (s!(fp, value) as u16).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn I64Store8(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I64Store8 {
            addr,
            value,
            offset,
        }
    );
    {
        store!(ip, fp, mem, cx, addr, value, offset, [s!(fp, value) as u8])
    }
    next(ip, fp, mem, cx)
}

fn I64Store16(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I64Store16 {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            (s!(fp, value) as u16).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn I64Store32(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(
        ip,
        I64Store32 {
            addr,
            value,
            offset,
        }
    );
    {
        store!(
            ip,
            fp,
            mem,
            cx,
            addr,
            value,
            offset,
            (s!(fp, value) as u32).to_le_bytes()
        )
    }
    next(ip, fp, mem, cx)
}

fn I32LoadIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LoadIdx { dst, base, index });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                idx!(fp, base, index),
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64LoadIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LoadIdx { dst, base, index });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                idx!(fp, base, index),
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F32LoadIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32LoadIdx { dst, base, index });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                idx!(fp, base, index),
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F64LoadIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64LoadIdx { dst, base, index });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                idx!(fp, base, index),
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Load8SIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8SIdx { dst, base, index });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                idx!(fp, base, index),
                1,
                |b| b[0] as i8 as i32 as u32,
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Load8UIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8UIdx { dst, base, index });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                idx!(fp, base, index),
                1,
                |b| b[0] as u32,
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Load16UIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load16UIdx { dst, base, index });
    {
        load_at!(
            ip,
            fp,
            mem,
            cx,
            dst,
            idx!(fp, base, index),
            2,
            |b| u16::from_le_bytes(b) as u32,
            w32
        )
    }
    next(ip, fp, mem, cx)
}

fn I32LoadIdxShl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LoadIdxShl { dst, ops, scale });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                scaled!(fp, ops, scale),
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64LoadIdxShl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LoadIdxShl { dst, ops, scale });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                scaled!(fp, ops, scale),
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F64LoadIdxShl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64LoadIdxShl { dst, ops, scale });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                scaled!(fp, ops, scale),
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32LoadWrap(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LoadWrap { dst, addr, imm });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                wrap!(fp, addr, imm),
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64LoadWrap(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LoadWrap { dst, addr, imm });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                wrap!(fp, addr, imm),
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F32LoadWrap(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32LoadWrap { dst, addr, imm });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                wrap!(fp, addr, imm),
                4,
                |b| u32::from_le_bytes(b),
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F64LoadWrap(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64LoadWrap { dst, addr, imm });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                wrap!(fp, addr, imm),
                8,
                |b| u64::from_le_bytes(b),
                w64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Load8UWrap(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8UWrap { dst, addr, imm });
    {
        {
            load_at!(
                ip,
                fp,
                mem,
                cx,
                dst,
                wrap!(fp, addr, imm),
                1,
                |b| b[0] as u32,
                w32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32StoreImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32StoreImm { addr, imm, offset });
    {
        { store!(ip, fp, mem, cx, addr, imm, offset, imm.to_le_bytes()) }
    }
    next(ip, fp, mem, cx)
}

fn I32Store8Imm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Store8Imm { addr, imm, offset });
    {
        store!(ip, fp, mem, cx, addr, imm, offset, [imm as u8])
    }
    next(ip, fp, mem, cx)
}

fn I32Store16Imm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Store16Imm { addr, imm, offset });
    {
        {
            store!(
                ip,
                fp,
                mem,
                cx,
                addr,
                imm,
                offset,
                (imm as u16).to_le_bytes()
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64StoreImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64StoreImm { addr, imm, offset });
    {
        {
            store!(
                ip,
                fp,
                mem,
                cx,
                addr,
                imm,
                offset,
                (imm as i64).to_le_bytes()
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32StoreImmIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32StoreImmIdx { base, index, imm });
    {
        {
            if !mem.store(idx!(fp, base, index), imm.to_le_bytes()) {
                bail!(ip, fp, mem, cx);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Store8ImmIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Store8ImmIdx { base, index, imm });
    {
        {
            if !mem.store(idx!(fp, base, index), [imm as u8]) {
                bail!(ip, fp, mem, cx);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn I64StoreImmIdx(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64StoreImmIdx { base, index, imm });
    {
        {
            if !mem.store(idx!(fp, base, index), (imm as i64).to_le_bytes()) {
                bail!(ip, fp, mem, cx);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn I32Eqz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Eqz { dst, src });
    {
        w32!(fp, dst, (r32!(fp, src) == 0) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32Eq(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Eq { dst, lhs, rhs });
    {
        w32!(fp, dst, (r32!(fp, lhs) == r32!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Ne { dst, lhs, rhs });
    {
        w32!(fp, dst, (r32!(fp, lhs) != r32!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32LtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LtS { dst, lhs, rhs });
    {
        {
            w32!(
                fp,
                dst,
                ((r32!(fp, lhs) as i32) < r32!(fp, rhs) as i32) as u32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32LtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LtU { dst, lhs, rhs });
    {
        w32!(fp, dst, (r32!(fp, lhs) < r32!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32GtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GtS { dst, lhs, rhs });
    {
        {
            w32!(
                fp,
                dst,
                (r32!(fp, lhs) as i32 > r32!(fp, rhs) as i32) as u32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32GtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GtU { dst, lhs, rhs });
    {
        w32!(fp, dst, (r32!(fp, lhs) > r32!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32LeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LeS { dst, lhs, rhs });
    {
        {
            w32!(
                fp,
                dst,
                (r32!(fp, lhs) as i32 <= r32!(fp, rhs) as i32) as u32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32LeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LeU { dst, lhs, rhs });
    {
        w32!(fp, dst, (r32!(fp, lhs) <= r32!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32GeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GeS { dst, lhs, rhs });
    {
        {
            w32!(
                fp,
                dst,
                (r32!(fp, lhs) as i32 >= r32!(fp, rhs) as i32) as u32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32GeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GeU { dst, lhs, rhs });
    {
        w32!(fp, dst, (r32!(fp, lhs) >= r32!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32Clz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Clz { dst, src });
    {
        w32!(fp, dst, r32!(fp, src).leading_zeros())
    }
    next(ip, fp, mem, cx)
}

fn I32Ctz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Ctz { dst, src });
    {
        w32!(fp, dst, r32!(fp, src).trailing_zeros())
    }
    next(ip, fp, mem, cx)
}

fn I32Popcnt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Popcnt { dst, src });
    {
        w32!(fp, dst, r32!(fp, src).count_ones())
    }
    next(ip, fp, mem, cx)
}

fn I32Add(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Add { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_add(r32!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I32Sub(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Sub { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_sub(r32!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I32Mul(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Mul { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_mul(r32!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I32DivS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32DivS { dst, lhs, rhs });
    {
        {
            let (a, b) = (r32!(fp, lhs) as i32, r32!(fp, rhs) as i32);
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            if a == i32::MIN && b == -1 {
                bail!(ip, fp, mem, cx);
            }
            w32!(fp, dst, (a / b) as u32)
        }
    }
    next(ip, fp, mem, cx)
}

fn I32DivU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32DivU { dst, lhs, rhs });
    {
        {
            let (a, b) = (r32!(fp, lhs), r32!(fp, rhs));
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            w32!(fp, dst, a / b)
        }
    }
    next(ip, fp, mem, cx)
}

fn I32RemS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32RemS { dst, lhs, rhs });
    {
        {
            let (a, b) = (r32!(fp, lhs) as i32, r32!(fp, rhs) as i32);
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            w32!(fp, dst, a.wrapping_rem(b) as u32)
        }
    }
    next(ip, fp, mem, cx)
}

fn I32RemU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32RemU { dst, lhs, rhs });
    {
        {
            let (a, b) = (r32!(fp, lhs), r32!(fp, rhs));
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            w32!(fp, dst, a % b)
        }
    }
    next(ip, fp, mem, cx)
}

fn I32And(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32And { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs) & r32!(fp, rhs))
    }
    next(ip, fp, mem, cx)
}

fn I32Or(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Or { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs) | r32!(fp, rhs))
    }
    next(ip, fp, mem, cx)
}

fn I32Xor(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Xor { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs) ^ r32!(fp, rhs))
    }
    next(ip, fp, mem, cx)
}

fn I32Shl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Shl { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_shl(r32!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I32ShrS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32ShrS { dst, lhs, rhs });
    {
        {
            w32!(
                fp,
                dst,
                (r32!(fp, lhs) as i32).wrapping_shr(r32!(fp, rhs)) as u32
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32ShrU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32ShrU { dst, lhs, rhs });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_shr(r32!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I32Rotl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Rotl { dst, lhs, rhs });
    {
        { w32!(fp, dst, r32!(fp, lhs).rotate_left(r32!(fp, rhs) % 32)) }
    }
    next(ip, fp, mem, cx)
}

fn I32Rotr(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Rotr { dst, lhs, rhs });
    {
        { w32!(fp, dst, r32!(fp, lhs).rotate_right(r32!(fp, rhs) % 32)) }
    }
    next(ip, fp, mem, cx)
}

fn I32AddImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32AddImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_add(imm))
    }
    next(ip, fp, mem, cx)
}

fn I64Eqz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Eqz { dst, src });
    {
        w32!(fp, dst, (s!(fp, src) == 0) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64Eq(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Eq { dst, lhs, rhs });
    {
        w32!(fp, dst, (s!(fp, lhs) == s!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Ne { dst, lhs, rhs });
    {
        w32!(fp, dst, (s!(fp, lhs) != s!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64LtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LtS { dst, lhs, rhs });
    {
        { w32!(fp, dst, ((s!(fp, lhs) as i64) < s!(fp, rhs) as i64) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64LtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LtU { dst, lhs, rhs });
    {
        w32!(fp, dst, (s!(fp, lhs) < s!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64GtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GtS { dst, lhs, rhs });
    {
        { w32!(fp, dst, (s!(fp, lhs) as i64 > s!(fp, rhs) as i64) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64GtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GtU { dst, lhs, rhs });
    {
        w32!(fp, dst, (s!(fp, lhs) > s!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64LeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LeS { dst, lhs, rhs });
    {
        { w32!(fp, dst, (s!(fp, lhs) as i64 <= s!(fp, rhs) as i64) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64LeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LeU { dst, lhs, rhs });
    {
        w32!(fp, dst, (s!(fp, lhs) <= s!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64GeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GeS { dst, lhs, rhs });
    {
        { w32!(fp, dst, (s!(fp, lhs) as i64 >= s!(fp, rhs) as i64) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64GeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GeU { dst, lhs, rhs });
    {
        w32!(fp, dst, (s!(fp, lhs) >= s!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64Clz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Clz { dst, src });
    {
        w64!(fp, dst, s!(fp, src).leading_zeros() as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64Ctz(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Ctz { dst, src });
    {
        w64!(fp, dst, s!(fp, src).trailing_zeros() as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64Popcnt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Popcnt { dst, src });
    {
        w64!(fp, dst, s!(fp, src).count_ones() as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64Add(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Add { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_add(s!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I64Sub(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Sub { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_sub(s!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I64Mul(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Mul { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_mul(s!(fp, rhs)))
    }
    next(ip, fp, mem, cx)
}

fn I64DivS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64DivS { dst, lhs, rhs });
    {
        {
            let (a, b) = (s!(fp, lhs) as i64, s!(fp, rhs) as i64);
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            if a == i64::MIN && b == -1 {
                bail!(ip, fp, mem, cx);
            }
            w64!(fp, dst, (a / b) as u64)
        }
    }
    next(ip, fp, mem, cx)
}

fn I64DivU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64DivU { dst, lhs, rhs });
    {
        {
            let (a, b) = (s!(fp, lhs), s!(fp, rhs));
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            w64!(fp, dst, a / b)
        }
    }
    next(ip, fp, mem, cx)
}

fn I64RemS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64RemS { dst, lhs, rhs });
    {
        {
            let (a, b) = (s!(fp, lhs) as i64, s!(fp, rhs) as i64);
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            w64!(fp, dst, a.wrapping_rem(b) as u64)
        }
    }
    next(ip, fp, mem, cx)
}

fn I64RemU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64RemU { dst, lhs, rhs });
    {
        {
            let (a, b) = (s!(fp, lhs), s!(fp, rhs));
            if b == 0 {
                bail!(ip, fp, mem, cx);
            }
            w64!(fp, dst, a % b)
        }
    }
    next(ip, fp, mem, cx)
}

fn I64And(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64And { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs) & s!(fp, rhs))
    }
    next(ip, fp, mem, cx)
}

fn I64Or(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Or { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs) | s!(fp, rhs))
    }
    next(ip, fp, mem, cx)
}

fn I64Xor(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Xor { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs) ^ s!(fp, rhs))
    }
    next(ip, fp, mem, cx)
}

fn I64Shl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Shl { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_shl(s!(fp, rhs) as u32))
    }
    next(ip, fp, mem, cx)
}

fn I64ShrS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ShrS { dst, lhs, rhs });
    {
        {
            w64!(
                fp,
                dst,
                (s!(fp, lhs) as i64).wrapping_shr(s!(fp, rhs) as u32) as u64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64ShrU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ShrU { dst, lhs, rhs });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_shr(s!(fp, rhs) as u32))
    }
    next(ip, fp, mem, cx)
}

fn I64Rotl(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Rotl { dst, lhs, rhs });
    {
        { w64!(fp, dst, s!(fp, lhs).rotate_left((s!(fp, rhs) % 64) as u32)) }
    }
    next(ip, fp, mem, cx)
}

fn I64Rotr(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Rotr { dst, lhs, rhs });
    {
        { w64!(fp, dst, s!(fp, lhs).rotate_right((s!(fp, rhs) % 64) as u32)) }
    }
    next(ip, fp, mem, cx)
}

fn F32Eq(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Eq { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) == f32v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F32Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Ne { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) != f32v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F32Lt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Lt { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) < f32v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F32Gt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Gt { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) > f32v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F32Le(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Le { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) <= f32v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F32Ge(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Ge { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) >= f32v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F32Abs(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Abs { dst, src });
    {
        w32!(fp, dst, r32!(fp, src) & 0x7fff_ffff)
    }
    next(ip, fp, mem, cx)
}

fn F32Neg(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Neg { dst, src });
    {
        w32!(fp, dst, r32!(fp, src) ^ 0x8000_0000)
    }
    next(ip, fp, mem, cx)
}

fn F32Ceil(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Ceil { dst, src });
    {
        w32!(fp, dst, quiet32(f32v!(fp, src).ceil()).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Floor(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Floor { dst, src });
    {
        w32!(fp, dst, quiet32(f32v!(fp, src).floor()).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Trunc(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Trunc { dst, src });
    {
        w32!(fp, dst, quiet32(f32v!(fp, src).trunc()).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Nearest(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Nearest { dst, src });
    {
        { w32!(fp, dst, quiet32(f32v!(fp, src).round_ties_even()).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F32Sqrt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Sqrt { dst, src });
    {
        w32!(fp, dst, f32v!(fp, src).sqrt().to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Add(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Add { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) + f32v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Sub(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Sub { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) - f32v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Mul(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Mul { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) * f32v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Div(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Div { dst, lhs, rhs });
    {
        w32!(fp, dst, (f32v!(fp, lhs) / f32v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32Min(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Min { dst, lhs, rhs });
    {
        { w32!(fp, dst, f32_min(f32v!(fp, lhs), f32v!(fp, rhs)).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F32Max(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Max { dst, lhs, rhs });
    {
        { w32!(fp, dst, f32_max(f32v!(fp, lhs), f32v!(fp, rhs)).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F32Copysign(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32Copysign { dst, lhs, rhs });
    {
        {
            w32!(
                fp,
                dst,
                (r32!(fp, lhs) & 0x7fff_ffff) | (r32!(fp, rhs) & 0x8000_0000)
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F64Eq(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Eq { dst, lhs, rhs });
    {
        w32!(fp, dst, (f64v!(fp, lhs) == f64v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F64Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Ne { dst, lhs, rhs });
    {
        w32!(fp, dst, (f64v!(fp, lhs) != f64v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F64Lt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Lt { dst, lhs, rhs });
    {
        w32!(fp, dst, (f64v!(fp, lhs) < f64v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F64Gt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Gt { dst, lhs, rhs });
    {
        w32!(fp, dst, (f64v!(fp, lhs) > f64v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F64Le(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Le { dst, lhs, rhs });
    {
        w32!(fp, dst, (f64v!(fp, lhs) <= f64v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F64Ge(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Ge { dst, lhs, rhs });
    {
        w32!(fp, dst, (f64v!(fp, lhs) >= f64v!(fp, rhs)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn F64Abs(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Abs { dst, src });
    {
        w64!(fp, dst, s!(fp, src) & 0x7fff_ffff_ffff_ffff)
    }
    next(ip, fp, mem, cx)
}

fn F64Neg(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Neg { dst, src });
    {
        w64!(fp, dst, s!(fp, src) ^ 0x8000_0000_0000_0000)
    }
    next(ip, fp, mem, cx)
}

fn F64Ceil(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Ceil { dst, src });
    {
        w64!(fp, dst, quiet64(f64v!(fp, src).ceil()).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Floor(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Floor { dst, src });
    {
        w64!(fp, dst, quiet64(f64v!(fp, src).floor()).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Trunc(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Trunc { dst, src });
    {
        w64!(fp, dst, quiet64(f64v!(fp, src).trunc()).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Nearest(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Nearest { dst, src });
    {
        { w64!(fp, dst, quiet64(f64v!(fp, src).round_ties_even()).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F64Sqrt(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Sqrt { dst, src });
    {
        w64!(fp, dst, f64v!(fp, src).sqrt().to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Add(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Add { dst, lhs, rhs });
    {
        w64!(fp, dst, (f64v!(fp, lhs) + f64v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Sub(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Sub { dst, lhs, rhs });
    {
        w64!(fp, dst, (f64v!(fp, lhs) - f64v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Mul(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Mul { dst, lhs, rhs });
    {
        w64!(fp, dst, (f64v!(fp, lhs) * f64v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Div(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Div { dst, lhs, rhs });
    {
        w64!(fp, dst, (f64v!(fp, lhs) / f64v!(fp, rhs)).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64Min(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Min { dst, lhs, rhs });
    {
        { w64!(fp, dst, f64_min(f64v!(fp, lhs), f64v!(fp, rhs)).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F64Max(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Max { dst, lhs, rhs });
    {
        { w64!(fp, dst, f64_max(f64v!(fp, lhs), f64v!(fp, rhs)).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F64Copysign(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64Copysign { dst, lhs, rhs });
    {
        w64!(
            fp,
            dst,
            (s!(fp, lhs) & 0x7fff_ffff_ffff_ffff) | (s!(fp, rhs) & 0x8000_0000_0000_0000)
        )
    }
    next(ip, fp, mem, cx)
}

fn F64AddLoad(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64AddLoad { dst, ops, offset });
    {
        f64_load_op!(ip, fp, mem, cx, dst, ops, offset, +)
    }
    next(ip, fp, mem, cx)
}

fn F64SubLoad(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64SubLoad { dst, ops, offset });
    {
        f64_load_op!(ip, fp, mem, cx, dst, ops, offset, -)
    }
    next(ip, fp, mem, cx)
}

fn F64MulLoad(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64MulLoad { dst, ops, offset });
    {
        f64_load_op!(ip, fp, mem, cx, dst, ops, offset, *)
    }
    next(ip, fp, mem, cx)
}

fn I32WrapI64(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32WrapI64 { dst, src });
    {
        w32!(fp, dst, s!(fp, src) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32TruncF32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncF32S { dst, src });
    {
        {
            w32!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i32_trunc_f32_s(f32v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32TruncF32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncF32U { dst, src });
    {
        {
            w32!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i32_trunc_f32_u(f32v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32TruncF64S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncF64S { dst, src });
    {
        {
            w32!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i32_trunc_f64_s(f64v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I32TruncF64U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncF64U { dst, src });
    {
        {
            w32!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i32_trunc_f64_u(f64v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64ExtendI32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ExtendI32S { dst, src });
    {
        w64!(fp, dst, r32!(fp, src) as i32 as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64ExtendI32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ExtendI32U { dst, src });
    {
        w64!(fp, dst, r32!(fp, src) as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64TruncF32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncF32S { dst, src });
    {
        {
            w64!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i64_trunc_f32_s(f32v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64TruncF32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncF32U { dst, src });
    {
        {
            w64!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i64_trunc_f32_u(f32v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64TruncF64S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncF64S { dst, src });
    {
        {
            w64!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i64_trunc_f64_s(f64v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64TruncF64U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncF64U { dst, src });
    {
        {
            w64!(
                fp,
                dst,
                checked!(ip, fp, mem, cx, i64_trunc_f64_u(f64v!(fp, src)))
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn F32ConvertI32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32ConvertI32S { dst, src });
    {
        { w32!(fp, dst, (r32!(fp, src) as i32 as f32).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F32ConvertI32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32ConvertI32U { dst, src });
    {
        w32!(fp, dst, (r32!(fp, src) as f32).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32ConvertI64S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32ConvertI64S { dst, src });
    {
        w32!(fp, dst, (s!(fp, src) as i64 as f32).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32ConvertI64U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32ConvertI64U { dst, src });
    {
        w32!(fp, dst, (s!(fp, src) as f32).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F32DemoteF64(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F32DemoteF64 { dst, src });
    {
        w32!(fp, dst, (f64v!(fp, src) as f32).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64ConvertI32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64ConvertI32S { dst, src });
    {
        { w64!(fp, dst, (r32!(fp, src) as i32 as f64).to_bits()) }
    }
    next(ip, fp, mem, cx)
}

fn F64ConvertI32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64ConvertI32U { dst, src });
    {
        w64!(fp, dst, (r32!(fp, src) as f64).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64ConvertI64S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64ConvertI64S { dst, src });
    {
        w64!(fp, dst, (s!(fp, src) as i64 as f64).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64ConvertI64U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64ConvertI64U { dst, src });
    {
        w64!(fp, dst, (s!(fp, src) as f64).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn F64PromoteF32(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, F64PromoteF32 { dst, src });
    {
        w64!(fp, dst, (f32v!(fp, src) as f64).to_bits())
    }
    next(ip, fp, mem, cx)
}

fn I32Extend8S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Extend8S { dst, src });
    {
        w32!(fp, dst, r32!(fp, src) as i8 as i32 as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32Extend16S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Extend16S { dst, src });
    {
        w32!(fp, dst, r32!(fp, src) as i16 as i32 as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64Extend8S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Extend8S { dst, src });
    {
        w64!(fp, dst, s!(fp, src) as i8 as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64Extend16S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Extend16S { dst, src });
    {
        w64!(fp, dst, s!(fp, src) as i16 as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64Extend32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64Extend32S { dst, src });
    {
        w64!(fp, dst, s!(fp, src) as i32 as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I32TruncSatF32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncSatF32S { dst, src });
    {
        w32!(fp, dst, f32v!(fp, src) as i32 as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32TruncSatF32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncSatF32U { dst, src });
    {
        w32!(fp, dst, f32v!(fp, src) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32TruncSatF64S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncSatF64S { dst, src });
    {
        w32!(fp, dst, f64v!(fp, src) as i32 as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32TruncSatF64U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32TruncSatF64U { dst, src });
    {
        w32!(fp, dst, f64v!(fp, src) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64TruncSatF32S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncSatF32S { dst, src });
    {
        w64!(fp, dst, f32v!(fp, src) as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64TruncSatF32U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncSatF32U { dst, src });
    {
        w64!(fp, dst, f32v!(fp, src) as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64TruncSatF64S(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncSatF64S { dst, src });
    {
        w64!(fp, dst, f64v!(fp, src) as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64TruncSatF64U(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64TruncSatF64U { dst, src });
    {
        w64!(fp, dst, f64v!(fp, src) as u64)
    }
    next(ip, fp, mem, cx)
}

fn I32MulImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32MulImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_mul(imm))
    }
    next(ip, fp, mem, cx)
}

fn I32AndImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32AndImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs) & imm)
    }
    next(ip, fp, mem, cx)
}

fn I32OrImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32OrImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs) | imm)
    }
    next(ip, fp, mem, cx)
}

fn I32XorImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32XorImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs) ^ imm)
    }
    next(ip, fp, mem, cx)
}

fn I32ShlImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32ShlImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_shl(imm))
    }
    next(ip, fp, mem, cx)
}

fn I32ShrSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32ShrSImm { dst, lhs, imm });
    {
        { w32!(fp, dst, (r32!(fp, lhs) as i32).wrapping_shr(imm) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I32ShrUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32ShrUImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs).wrapping_shr(imm))
    }
    next(ip, fp, mem, cx)
}

fn I32RotlImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32RotlImm { dst, lhs, imm });
    {
        w32!(fp, dst, r32!(fp, lhs).rotate_left(imm))
    }
    next(ip, fp, mem, cx)
}

fn I32EqImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32EqImm { dst, lhs, imm });
    {
        w32!(fp, dst, ((r32!(fp, lhs)) == (imm)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32NeImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32NeImm { dst, lhs, imm });
    {
        w32!(fp, dst, ((r32!(fp, lhs)) != (imm)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32LtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LtSImm { dst, lhs, imm });
    {
        { w32!(fp, dst, (((r32!(fp, lhs)) as i32) < (imm) as i32) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I32LtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LtUImm { dst, lhs, imm });
    {
        w32!(fp, dst, ((r32!(fp, lhs)) < (imm)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32GtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GtSImm { dst, lhs, imm });
    {
        { w32!(fp, dst, (((r32!(fp, lhs)) as i32) > (imm) as i32) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I32GtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GtUImm { dst, lhs, imm });
    {
        w32!(fp, dst, ((r32!(fp, lhs)) > (imm)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32LeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LeSImm { dst, lhs, imm });
    {
        { w32!(fp, dst, (((r32!(fp, lhs)) as i32) <= (imm) as i32) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I32LeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32LeUImm { dst, lhs, imm });
    {
        w32!(fp, dst, ((r32!(fp, lhs)) <= (imm)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I32GeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GeSImm { dst, lhs, imm });
    {
        { w32!(fp, dst, (((r32!(fp, lhs)) as i32) >= (imm) as i32) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I32GeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32GeUImm { dst, lhs, imm });
    {
        w32!(fp, dst, ((r32!(fp, lhs)) >= (imm)) as u32)
    }
    next(ip, fp, mem, cx)
}

fn I64AddImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64AddImm { dst, lhs, imm });
    {
        { w64!(fp, dst, s!(fp, lhs).wrapping_add(imm as i64 as u64)) }
    }
    next(ip, fp, mem, cx)
}

fn I64MulImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64MulImm { dst, lhs, imm });
    {
        { w64!(fp, dst, s!(fp, lhs).wrapping_mul(imm as i64 as u64)) }
    }
    next(ip, fp, mem, cx)
}

fn I64AndImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64AndImm { dst, lhs, imm });
    {
        w64!(fp, dst, s!(fp, lhs) & imm as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64OrImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64OrImm { dst, lhs, imm });
    {
        w64!(fp, dst, s!(fp, lhs) | imm as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64XorImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64XorImm { dst, lhs, imm });
    {
        w64!(fp, dst, s!(fp, lhs) ^ imm as i64 as u64)
    }
    next(ip, fp, mem, cx)
}

fn I64ShlImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ShlImm { dst, lhs, imm });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_shl(imm as u32))
    }
    next(ip, fp, mem, cx)
}

fn I64ShrSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ShrSImm { dst, lhs, imm });
    {
        {
            w64!(
                fp,
                dst,
                (s!(fp, lhs) as i64).wrapping_shr(imm as u32) as u64
            )
        }
    }
    next(ip, fp, mem, cx)
}

fn I64ShrUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64ShrUImm { dst, lhs, imm });
    {
        w64!(fp, dst, s!(fp, lhs).wrapping_shr(imm as u32))
    }
    next(ip, fp, mem, cx)
}

fn I64RotlImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64RotlImm { dst, lhs, imm });
    {
        w64!(fp, dst, s!(fp, lhs).rotate_left(imm as u32))
    }
    next(ip, fp, mem, cx)
}

fn I64EqImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64EqImm { dst, lhs, imm });
    {
        { w32!(fp, dst, ((s!(fp, lhs)) == (imm as i64 as u64)) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64NeImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64NeImm { dst, lhs, imm });
    {
        { w32!(fp, dst, ((s!(fp, lhs)) != (imm as i64 as u64)) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64LtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LtSImm { dst, lhs, imm });
    {
        w32!(
            fp,
            dst,
            (((s!(fp, lhs)) as i64) < (imm as i64 as u64) as i64) as u32
        )
    }
    next(ip, fp, mem, cx)
}

fn I64LtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LtUImm { dst, lhs, imm });
    {
        { w32!(fp, dst, ((s!(fp, lhs)) < (imm as i64 as u64)) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64GtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GtSImm { dst, lhs, imm });
    {
        w32!(
            fp,
            dst,
            (((s!(fp, lhs)) as i64) > (imm as i64 as u64) as i64) as u32
        )
    }
    next(ip, fp, mem, cx)
}

fn I64GtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GtUImm { dst, lhs, imm });
    {
        { w32!(fp, dst, ((s!(fp, lhs)) > (imm as i64 as u64)) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64LeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LeSImm { dst, lhs, imm });
    {
        w32!(
            fp,
            dst,
            (((s!(fp, lhs)) as i64) <= (imm as i64 as u64) as i64) as u32
        )
    }
    next(ip, fp, mem, cx)
}

fn I64LeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64LeUImm { dst, lhs, imm });
    {
        { w32!(fp, dst, ((s!(fp, lhs)) <= (imm as i64 as u64)) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn I64GeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GeSImm { dst, lhs, imm });
    {
        w32!(
            fp,
            dst,
            (((s!(fp, lhs)) as i64) >= (imm as i64 as u64) as i64) as u32
        )
    }
    next(ip, fp, mem, cx)
}

fn I64GeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I64GeUImm { dst, lhs, imm });
    {
        { w32!(fp, dst, ((s!(fp, lhs)) >= (imm as i64 as u64)) as u32) }
    }
    next(ip, fp, mem, cx)
}

fn BrI32Eq(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32Eq { lhs, rhs, target });
    {
        {
            if (r32!(fp, lhs)) == (r32!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32Ne { lhs, rhs, target });
    {
        {
            if (r32!(fp, lhs)) != (r32!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LtS { lhs, rhs, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) < (r32!(fp, rhs)) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LtU { lhs, rhs, target });
    {
        {
            if (r32!(fp, lhs)) < (r32!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GtS { lhs, rhs, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) > (r32!(fp, rhs)) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GtU { lhs, rhs, target });
    {
        {
            if (r32!(fp, lhs)) > (r32!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LeS { lhs, rhs, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) <= (r32!(fp, rhs)) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LeU { lhs, rhs, target });
    {
        {
            if (r32!(fp, lhs)) <= (r32!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GeS { lhs, rhs, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) >= (r32!(fp, rhs)) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GeU { lhs, rhs, target });
    {
        {
            if (r32!(fp, lhs)) >= (r32!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32EqImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32EqImm { lhs, imm, target });
    {
        {
            if (r32!(fp, lhs)) == (imm) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32NeImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32NeImm { lhs, imm, target });
    {
        {
            if (r32!(fp, lhs)) != (imm) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LtSImm { lhs, imm, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) < (imm) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LtUImm { lhs, imm, target });
    {
        {
            if (r32!(fp, lhs)) < (imm) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GtSImm { lhs, imm, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) > (imm) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GtUImm { lhs, imm, target });
    {
        {
            if (r32!(fp, lhs)) > (imm) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LeSImm { lhs, imm, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) <= (imm) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32LeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32LeUImm { lhs, imm, target });
    {
        {
            if (r32!(fp, lhs)) <= (imm) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GeSImm { lhs, imm, target });
    {
        {
            if ((r32!(fp, lhs)) as i32) >= (imm) as i32 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI32GeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI32GeUImm { lhs, imm, target });
    {
        {
            if (r32!(fp, lhs)) >= (imm) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64Eq(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64Eq { lhs, rhs, target });
    {
        {
            if (s!(fp, lhs)) == (s!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64Ne(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64Ne { lhs, rhs, target });
    {
        {
            if (s!(fp, lhs)) != (s!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LtS { lhs, rhs, target });
    {
        {
            if ((s!(fp, lhs)) as i64) < (s!(fp, rhs)) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LtU { lhs, rhs, target });
    {
        {
            if (s!(fp, lhs)) < (s!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GtS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GtS { lhs, rhs, target });
    {
        {
            if ((s!(fp, lhs)) as i64) > (s!(fp, rhs)) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GtU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GtU { lhs, rhs, target });
    {
        {
            if (s!(fp, lhs)) > (s!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LeS { lhs, rhs, target });
    {
        {
            if ((s!(fp, lhs)) as i64) <= (s!(fp, rhs)) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LeU { lhs, rhs, target });
    {
        {
            if (s!(fp, lhs)) <= (s!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GeS(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GeS { lhs, rhs, target });
    {
        {
            if ((s!(fp, lhs)) as i64) >= (s!(fp, rhs)) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GeU(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GeU { lhs, rhs, target });
    {
        {
            if (s!(fp, lhs)) >= (s!(fp, rhs)) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64EqImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64EqImm { lhs, imm, target });
    {
        {
            if (s!(fp, lhs)) == (imm as i64 as u64) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64NeImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64NeImm { lhs, imm, target });
    {
        {
            if (s!(fp, lhs)) != (imm as i64 as u64) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LtSImm { lhs, imm, target });
    {
        {
            if ((s!(fp, lhs)) as i64) < (imm as i64 as u64) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LtUImm { lhs, imm, target });
    {
        {
            if (s!(fp, lhs)) < (imm as i64 as u64) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GtSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GtSImm { lhs, imm, target });
    {
        {
            if ((s!(fp, lhs)) as i64) > (imm as i64 as u64) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GtUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GtUImm { lhs, imm, target });
    {
        {
            if (s!(fp, lhs)) > (imm as i64 as u64) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LeSImm { lhs, imm, target });
    {
        {
            if ((s!(fp, lhs)) as i64) <= (imm as i64 as u64) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64LeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64LeUImm { lhs, imm, target });
    {
        {
            if (s!(fp, lhs)) <= (imm as i64 as u64) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GeSImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GeSImm { lhs, imm, target });
    {
        {
            if ((s!(fp, lhs)) as i64) >= (imm as i64 as u64) as i64 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrI64GeUImm(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrI64GeUImm { lhs, imm, target });
    {
        {
            if (s!(fp, lhs)) >= (imm as i64 as u64) {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrIfEqz64(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrIfEqz64 { cond, target });
    {
        {
            if s!(fp, cond) == 0 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

fn BrIfNez64(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, BrIfNez64 { cond, target });
    {
        {
            if s!(fp, cond) != 0 {
                return jump(fp, mem, cx, target);
            }
        }
    }
    next(ip, fp, mem, cx)
}

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

fn I32Load8UBrTable(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, I32Load8UBrTable { ops, offset, len });
    let Some([byte]) = mem.load::<1>(r32!(fp, ops.1 as Slot) as usize + offset as usize) else {
        // The load traps: nothing done yet.
        return step(ip, fp, mem, cx);
    };
    w32!(fp, ops.0 as Slot, byte as u32);
    // The `BrTable` is the next instruction, its entries after it.
    let entry = ip.next().next().skip((byte as u32).min(len) as usize);
    match entry.get() {
        Instr::Br { target } => jump(fp, mem, cx, target),
        _ => step(entry, fp, mem, cx),
    }
}

/// The handler of every instruction, indexed by its tag (declaration order
/// of `isa::Instr`; `step` for the instructions the interpreter loop runs).
pub(super) static HANDLERS: [Handler; 301] = [
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
];

/// The variant each entry of [`HANDLERS`] is for (checked by a unit test;
/// used by the profile).
pub(crate) static HANDLER_NAMES: [&str; 301] = [
    "Unreachable",
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
];
