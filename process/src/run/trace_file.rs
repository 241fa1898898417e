//! The trace file's framing around the host-call records: the header (a
//! run's [`Plan`]) and the trailer (its outputs and how it ended). The call
//! records themselves are written by `wasiproc_wasi`'s `RecordingHost` and
//! read by its `ReplayHost`; the whole layout is in docs/trace-format.md.

use super::stdio::OutputDigest;
use super::{Grant, Plan};
use crate::schedule::{Point, Schedule};
use wasiproc_wasi::host::record::{
    Dec, Enc, FRAME_BATCH, FRAME_HEADER, FRAME_TRAILER, TraceError, fnv64, read_frames,
};

/// How a recorded run ended, as the trailer keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The root ended with this exit code (as a shell sees it); the trap
    /// text (with backtrace) if it trapped, else empty.
    Status(i32, String),
    /// The run failed (deadlock, a module that does not link, ...).
    Error(String),
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Status(code, trap) if trap.is_empty() => write!(f, "exit code {code}"),
            Ending::Status(code, trap) => {
                write!(
                    f,
                    "exit code {code} after {}",
                    trap.lines().next().unwrap_or("")
                )
            }
            Ending::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// The trailer: what the recorded run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trailer {
    /// Host calls recorded.
    pub calls: u64,
    /// Length and SHA-256 of the root's stdout (children writing to an
    /// inherited stdout included).
    pub stdout: OutputDigest,
    /// Length and SHA-256 of the root's stderr.
    pub stderr: OutputDigest,
    /// How the run ended.
    pub ending: Ending,
    /// Fuel consumed by the whole run.
    pub fuel: u64,
}

fn opt(e: &mut Enc, v: Option<u64>) {
    match v {
        None => e.u(0),
        Some(v) => e.u(1).u(v),
    };
}

fn enc_digest(e: &mut Enc, d: &OutputDigest) {
    e.u(d.len);
    e.0.extend_from_slice(&d.sha256);
}

fn dec_digest(d: &mut Dec<'_>) -> Result<OutputDigest, TraceError> {
    let len = d.u()?;
    let mut sha256 = [0u8; 32];
    sha256.copy_from_slice(d.raw(32)?);
    Ok(OutputDigest { len, sha256 })
}

fn dec_opt(d: &mut Dec<'_>) -> Result<Option<u64>, TraceError> {
    match d.u()? {
        0 => Ok(None),
        1 => Ok(Some(d.u()?)),
        _ => Err(TraceError("corrupt trace: bad optional value".into())),
    }
}

/// The header frame's payload.
pub(crate) fn encode_header(plan: &Plan) -> Vec<u8> {
    let mut e = Enc::default();
    e.str(env!("CARGO_PKG_VERSION"));
    e.str(&plan.root_name)
        .u(fnv64(&plan.root))
        .bytes(&plan.root);
    e.u(plan.modules.len() as u64);
    for (name, bytes) in &plan.modules {
        e.str(name).u(fnv64(bytes)).bytes(bytes);
    }
    e.u(plan.args.len() as u64);
    for a in &plan.args {
        e.str(a);
    }
    e.u(plan.env.len() as u64);
    for (k, v) in &plan.env {
        e.str(k).str(v);
    }
    e.u(plan.grants.len() as u64);
    for g in &plan.grants {
        e.str(&g.host).str(&g.guest).b(g.read_only);
    }
    e.u(plan.listeners.len() as u64);
    for l in &plan.listeners {
        e.str(l);
    }
    opt(&mut e, plan.fuel);
    opt(&mut e, plan.max_memory.map(|m| m as u64));
    e.u(plan.max_processes as u64)
        .u(plan.slice)
        .b(plan.deterministic)
        .u(plan.seed);
    // Since 0.1 with schedules; a header without it is FIFO.
    match &plan.schedule {
        Schedule::Fifo => e.u(0),
        Schedule::Random { seed } => e.u(1).u(*seed),
        Schedule::Pct {
            seed,
            depth,
            length,
        } => e.u(2).u(*seed).u(u64::from(*depth)).u(*length),
        Schedule::Points(points) => {
            e.u(3).u(points.len() as u64);
            for p in points {
                e.u(u64::from(p.pid)).u(p.fuel).u(u64::from(p.next));
            }
            &mut e
        }
    };
    e.0
}

fn dec_schedule(d: &mut Dec<'_>) -> Result<Schedule, TraceError> {
    let bad = || TraceError("corrupt trace: bad schedule".into());
    Ok(match d.u()? {
        0 => Schedule::Fifo,
        1 => Schedule::Random { seed: d.u()? },
        2 => {
            let seed = d.u()?;
            let depth = u32::try_from(d.u()?)
                .ok()
                .filter(|d| (1..=crate::schedule::MAX_DEPTH).contains(d))
                .ok_or_else(bad)?;
            Schedule::Pct {
                seed,
                depth,
                length: d.u()?,
            }
        }
        3 => {
            let n = d.u()?;
            let mut points = Vec::new();
            for _ in 0..n {
                let pid = u32::try_from(d.u()?).map_err(|_| bad())?;
                let fuel = d.u()?;
                let next = u32::try_from(d.u()?).map_err(|_| bad())?;
                points.push(Point { pid, fuel, next });
            }
            Schedule::Points(points)
        }
        _ => return Err(bad()),
    })
}

fn module(d: &mut Dec<'_>) -> Result<(String, Vec<u8>), TraceError> {
    let name = d.str()?;
    let hash = d.u()?;
    let bytes = d.bytes()?.to_vec();
    if fnv64(&bytes) != hash {
        return Err(TraceError(format!(
            "corrupt trace: module {name} does not match its recorded hash {hash:016x}"
        )));
    }
    Ok((name, bytes))
}

/// Decodes a header frame's payload; returns the recording wasiproc's
/// version too.
pub(crate) fn decode_header(payload: &[u8]) -> Result<(String, Plan), TraceError> {
    let mut d = Dec::new(payload);
    let version = d.str()?;
    let (root_name, root) = module(&mut d)?;
    let mut modules = Vec::new();
    for _ in 0..d.u()? {
        modules.push(module(&mut d)?);
    }
    let mut args = Vec::new();
    for _ in 0..d.u()? {
        args.push(d.str()?);
    }
    let mut env = Vec::new();
    for _ in 0..d.u()? {
        env.push((d.str()?, d.str()?));
    }
    let mut grants = Vec::new();
    for _ in 0..d.u()? {
        grants.push(Grant {
            host: d.str()?,
            guest: d.str()?,
            read_only: d.b()?,
        });
    }
    let mut listeners = Vec::new();
    for _ in 0..d.u()? {
        listeners.push(d.str()?);
    }
    let too_big = || TraceError("corrupt trace: limit out of range".into());
    let fuel = dec_opt(&mut d)?;
    let max_memory = dec_opt(&mut d)?
        .map(|m| usize::try_from(m).map_err(|_| too_big()))
        .transpose()?;
    let max_processes = usize::try_from(d.u()?).map_err(|_| too_big())?;
    let plan = Plan {
        root_name,
        root,
        modules,
        args,
        env,
        grants,
        listeners,
        fuel,
        max_memory,
        max_processes,
        slice: d.u()?,
        deterministic: d.b()?,
        seed: d.u()?,
        schedule: Schedule::Fifo,
    };
    let mut plan = plan;
    if !d.is_empty() {
        plan.schedule = dec_schedule(&mut d)?;
    }
    if !d.is_empty() {
        return Err(TraceError(
            "corrupt trace: extra bytes in the header".into(),
        ));
    }
    Ok((version, plan))
}

/// The trailer's payload after the record count (which the recorder writes).
pub(crate) fn encode_trailer_rest(t: &Trailer) -> Vec<u8> {
    let mut e = Enc::default();
    enc_digest(&mut e, &t.stdout);
    enc_digest(&mut e, &t.stderr);
    match &t.ending {
        Ending::Status(code, trap) => e.u(0).u(u64::from(*code as u32)).str(trap),
        Ending::Error(msg) => e.u(1).str(msg),
    };
    e.u(t.fuel);
    e.0
}

/// Decodes a trailer frame's payload.
pub(crate) fn decode_trailer(payload: &[u8]) -> Result<Trailer, TraceError> {
    let mut d = Dec::new(payload);
    let calls = d.u()?;
    let stdout = dec_digest(&mut d)?;
    let stderr = dec_digest(&mut d)?;
    let ending = match d.u()? {
        0 => Ending::Status(d.u32()? as i32, d.str()?),
        1 => Ending::Error(d.str()?),
        _ => return Err(TraceError("corrupt trace: bad ending".into())),
    };
    let fuel = d.u()?;
    if !d.is_empty() {
        return Err(TraceError(
            "corrupt trace: extra bytes in the trailer".into(),
        ));
    }
    Ok(Trailer {
        calls,
        stdout,
        stderr,
        ending,
        fuel,
    })
}

/// A trace taken apart: its plan, its trailer, and its batch frames'
/// payloads (borrowed from the file's bytes).
pub(crate) struct Parsed<'a> {
    pub plan: Plan,
    pub trailer: Trailer,
    pub batches: Vec<&'a [u8]>,
}

/// Checks the framing of a whole trace and decodes its header and trailer.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<'_>, TraceError> {
    let frames = read_frames(bytes)?;
    let (Some((FRAME_HEADER, header)), Some((FRAME_TRAILER, trailer))) =
        (frames.first(), frames.last())
    else {
        return Err(TraceError(
            "corrupt trace: it does not start with a header and end with a trailer".into(),
        ));
    };
    let mut batches = Vec::new();
    for (kind, payload) in &frames[1..frames.len() - 1] {
        if *kind != FRAME_BATCH {
            return Err(TraceError(format!(
                "corrupt trace: unexpected frame kind {kind} between the header and the trailer"
            )));
        }
        batches.push(*payload);
    }
    let (_version, plan) = decode_header(header)?;
    let trailer = decode_trailer(trailer)?;
    Ok(Parsed {
        plan,
        trailer,
        batches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_trailer_round_trip() {
        let plan = Plan {
            root_name: "a.wasm".into(),
            root: vec![0, 97, 115, 109],
            modules: vec![("b.wasm".into(), vec![1, 2, 3])],
            args: vec!["x".into(), "y z".into()],
            env: vec![("K".into(), "V".into())],
            grants: vec![Grant {
                host: "/tmp".into(),
                guest: "/t".into(),
                read_only: true,
            }],
            listeners: vec!["127.0.0.1:8080".into(), "[::1]:0".into()],
            fuel: Some(5),
            max_memory: None,
            max_processes: 7,
            slice: 100,
            deterministic: true,
            seed: 9,
            schedule: Schedule::Fifo,
        };
        let (_, back) = decode_header(&encode_header(&plan)).unwrap();
        assert_eq!(back, plan);
        for schedule in [
            Schedule::Random { seed: 3 },
            Schedule::Pct {
                seed: 4,
                depth: 3,
                length: 1000,
            },
            Schedule::Points(vec![
                Point {
                    pid: 2,
                    fuel: 5,
                    next: 1,
                },
                Point {
                    pid: 1,
                    fuel: 9,
                    next: 3,
                },
            ]),
        ] {
            let plan = Plan {
                schedule,
                ..plan.clone()
            };
            let (_, back) = decode_header(&encode_header(&plan)).unwrap();
            assert_eq!(back, plan);
        }
        // A depth beyond what a schedule may have is a corrupt trace (it
        // would size the change points' allocation).
        let deep = Plan {
            schedule: Schedule::Pct {
                seed: 1,
                depth: 5_000,
                length: 10,
            },
            ..plan.clone()
        };
        assert!(decode_header(&encode_header(&deep)).is_err());
        // A header written before schedules existed reads as FIFO.
        let mut old = encode_header(&plan);
        assert_eq!(old.pop(), Some(0));
        assert_eq!(decode_header(&old).unwrap().1, plan);
        let t = Trailer {
            calls: 3,
            stdout: OutputDigest::of(b"out"),
            stderr: OutputDigest {
                len: 5 << 32,
                sha256: [7; 32],
            },
            ending: Ending::Status(-1, "trap".into()),
            fuel: 77,
        };
        let mut payload = Enc::default();
        payload.u(3);
        payload.0.extend_from_slice(&encode_trailer_rest(&t));
        assert_eq!(decode_trailer(&payload.0).unwrap(), t);
    }
}
