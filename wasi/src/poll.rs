//! `poll_oneoff`: wait for clock deadlines and descriptor readiness.
//!
//! When no subscription is ready the call reports "blocked" on the earliest
//! deadline and/or the descriptors it waits for. The absolute deadlines
//! computed on the first attempt are kept in the context, keyed by the
//! subscription bytes, so the retried call (same arguments) measures against
//! the same deadlines and finishes once they have passed.

use crate::blocked::{BlockedOn, Interest};
use crate::ctx::{FUEL_PER_SUBSCRIPTION, Pending, WasiCtx};
use crate::errno::{Errno, WasiError, WasiResult};
use crate::memory::GuestMemory;
use crate::table::Descriptor;
use crate::types::{EVENT_SIZE, SUBSCRIPTION_SIZE, clockid};

/// State of a `poll_oneoff` call that reported "blocked".
#[derive(Debug, Clone)]
pub(crate) struct PendingPoll {
    subs: Vec<u8>,
    deadlines: Vec<Option<u64>>,
}

const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCK_ABSTIME: u16 = 1;

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn deadlines(ctx: &mut WasiCtx, subs: &[u8]) -> WasiResult<Vec<Option<u64>>> {
    let now = ctx.host.monotonic_now();
    let mut out = Vec::new();
    out.try_reserve_exact(subs.len() / SUBSCRIPTION_SIZE as usize)
        .map_err(|_| WasiError::from(Errno::Nomem))?;
    for s in subs.chunks(SUBSCRIPTION_SIZE as usize) {
        out.push(match s[8] {
            EVENTTYPE_CLOCK => {
                let id = u32_at(s, 16);
                let timeout = u64_at(s, 24);
                let abs = u16::from_le_bytes([s[40], s[41]]) & SUBCLOCK_ABSTIME != 0;
                Some(match (id, abs) {
                    (clockid::MONOTONIC, true) => timeout,
                    (clockid::MONOTONIC | clockid::REALTIME, false) => now.saturating_add(timeout),
                    (clockid::REALTIME, true) => {
                        let wall = ctx.host.wall_clock()?;
                        now.saturating_add(timeout.saturating_sub(wall))
                    }
                    _ => return Err(Errno::Inval.into()),
                })
            }
            EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => None,
            _ => return Err(Errno::Inval.into()),
        });
    }
    Ok(out)
}

/// Waits for any of `nsubscriptions` subscriptions at `in_ptr`, writes the
/// events that are ready at `out_ptr` and their number at `nevents`.
pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    in_ptr: u32,
    out_ptr: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> WasiResult<()> {
    if nsubscriptions == 0 {
        return Err(Errno::Inval.into());
    }
    let size = nsubscriptions
        .checked_mul(SUBSCRIPTION_SIZE)
        .ok_or(WasiError::MemoryOutOfBounds)?;
    mem.slice(in_ptr, size)?;
    let out_size = nsubscriptions
        .checked_mul(EVENT_SIZE)
        .ok_or(WasiError::MemoryOutOfBounds)?;
    mem.slice(out_ptr, out_size)?;
    // The host's work is proportional to the number of subscriptions: it
    // is paid for before any of it is done (each attempt of a blocked call).
    ctx.charge(nsubscriptions as u64 * FUEL_PER_SUBSCRIPTION)?;
    // Copied (fallibly) once paid for: a blocked call keeps them to
    // recognise its next attempt.
    let in_bytes = mem.slice(in_ptr, size)?;
    let mut subs = Vec::new();
    subs.try_reserve_exact(in_bytes.len())
        .map_err(|_| WasiError::from(Errno::Nomem))?;
    subs.extend_from_slice(in_bytes);
    let deadlines = match ctx.pending.take().map(|p| *p) {
        Some(Pending::Poll(p)) if p.subs == subs => p.deadlines,
        _ => deadlines(ctx, &subs)?,
    };
    let now = ctx.host.monotonic_now();
    // At most one event and one condition per subscription, reserved
    // fallibly up front.
    let mut events: Vec<[u8; EVENT_SIZE as usize]> = Vec::new();
    let mut waits = Vec::new();
    events
        .try_reserve_exact(deadlines.len())
        .and_then(|()| waits.try_reserve_exact(deadlines.len()))
        .map_err(|_| WasiError::from(Errno::Nomem))?;
    for (s, deadline) in subs.chunks(SUBSCRIPTION_SIZE as usize).zip(&deadlines) {
        let userdata = u64_at(s, 0);
        let tag = s[8];
        let mut ready = |nbytes: u64, flags: u16| {
            let mut e = [0u8; EVENT_SIZE as usize];
            e[0..8].copy_from_slice(&userdata.to_le_bytes());
            e[10] = tag;
            e[16..24].copy_from_slice(&nbytes.to_le_bytes());
            e[24..26].copy_from_slice(&flags.to_le_bytes());
            events.push(e);
        };
        if let Some(deadline) = *deadline {
            if now >= deadline {
                ready(0, 0);
            } else {
                waits.push(BlockedOn::Timer { deadline });
            }
            continue;
        }
        let fd = u32_at(s, 16);
        let read = tag == EVENTTYPE_FD_READ;
        match ctx.fds.get_mut(fd)? {
            Descriptor::File(f) => {
                let (h, pos) = (f.handle, f.pos);
                let nbytes = if read {
                    ctx.host.filestat(h)?.size.saturating_sub(pos)
                } else {
                    0
                };
                // An empty remainder is reported as "hang up", as wasmtime does.
                ready(nbytes, if read && nbytes == 0 { 1 } else { 0 });
            }
            Descriptor::HostStdin if read => {
                if ctx.host.stdin_ready() {
                    ready(1, 0);
                } else {
                    waits.push(BlockedOn::Stdin);
                }
            }
            Descriptor::Input(st) if read => {
                if st.ready() {
                    ready(1, 0);
                } else {
                    waits.push(BlockedOn::Fd {
                        fd,
                        interest: Interest::Read,
                    });
                }
            }
            Descriptor::Output(st) if !read => {
                if st.ready() {
                    ready(1, 0);
                } else {
                    waits.push(BlockedOn::Fd {
                        fd,
                        interest: Interest::Write,
                    });
                }
            }
            Descriptor::Socket(sock) => {
                let (handle, listener) = (sock.handle, sock.listener);
                let interest = if read {
                    Interest::Read
                } else {
                    Interest::Write
                };
                if !read && listener {
                    // A listener never takes data.
                    return Err(Errno::Badf.into());
                }
                if ctx.host.sock_ready(handle, interest) {
                    ready(1, 0);
                } else {
                    waits.push(BlockedOn::Socket {
                        fd,
                        handle: handle.0,
                        interest,
                    });
                }
            }
            _ => return Err(Errno::Badf.into()),
        }
    }
    if events.is_empty() {
        ctx.pending = Some(Box::new(Pending::Poll(PendingPoll { subs, deadlines })));
        let on = if waits.len() == 1 {
            waits.pop().expect("one condition")
        } else {
            BlockedOn::Any(waits)
        };
        return Err(WasiError::Blocked(on));
    }
    for (i, e) in events.iter().enumerate() {
        mem.write_bytes(out_ptr + i as u32 * EVENT_SIZE, e)?;
    }
    mem.write_u32(nevents, events.len() as u32)
}
