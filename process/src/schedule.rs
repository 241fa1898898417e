//! Schedule policies: which runnable process runs next and for how much
//! fuel. A policy is an input of the run (docs/determinism.md): the same
//! schedule gives the same interleaving on every run and machine.
//!
//! - [`Schedule::Fifo`] (the default): a FIFO run queue, every slice the
//!   run's slice length.
//! - [`Schedule::Random`]: at every slice boundary the next process is drawn
//!   uniformly from the runnable ones and the slice length log-uniformly
//!   from 1 to twice the run's slice, both from a seeded generator.
//! - [`Schedule::Pct`]: probabilistic concurrency testing (Burckhardt et
//!   al., ASPLOS 2010): every process gets a random priority when it is
//!   first seen, the highest-priority runnable process runs, and at
//!   `depth - 1` fuel positions drawn over `length` (the run's estimated
//!   fuel) the running process drops below every other.
//! - [`Schedule::Points`]: an explicit list of preemption points, what a
//!   minimised failing schedule is: the running process continues until
//!   it blocks or ends (then the first in the FIFO queue runs), except that
//!   where a point's process reaches the point's fuel, the point's next
//!   process runs.

use crate::pid::Pid;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;

/// A preemption point of [`Schedule::Points`]: when process `pid` has
/// consumed `fuel` (its own fuel, so that a point stays where it is when
/// others are removed), it stops there and process `next` runs (if
/// runnable). A point also applies where `pid` blocks or ends at exactly
/// that fuel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    /// The process that stops.
    pub pid: u32,
    /// Its own fuel there.
    pub fuel: u64,
    /// The process to run next.
    pub next: u32,
}

/// How the scheduler picks the next process and its slice (module docs).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Schedule {
    /// FIFO run queue, fixed slices (the default).
    #[default]
    Fifo,
    /// Random picks and slice lengths from a seeded generator.
    Random {
        /// The generator's seed.
        seed: u64,
    },
    /// PCT: random priorities with `depth - 1` change points.
    Pct {
        /// The generator's seed.
        seed: u64,
        /// The bug depth looked for (at least 1).
        depth: u32,
        /// The fuel over which change points are drawn (the run's
        /// estimated length).
        length: u64,
    },
    /// Run-to-block with explicit preemption points.
    Points(Vec<Point>),
}

/// The deepest PCT schedule (`depth - 1` change points are drawn).
pub const MAX_DEPTH: u32 = 1_000;

/// The fuel over which PCT draws its change points when none is given.
pub const PCT_DEFAULT_LENGTH: u64 = 1_000_000;

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Fifo => f.write_str("fifo"),
            Schedule::Random { seed } => write!(f, "random:{seed}"),
            Schedule::Pct {
                seed,
                depth,
                length,
            } => write!(f, "pct:{seed}:{depth}:{length}"),
            Schedule::Points(points) => {
                f.write_str("points:")?;
                for (i, p) in points.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}@{}>{}", p.pid, p.fuel, p.next)?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for Schedule {
    type Err = String;

    /// `fifo`, `random:SEED`, `pct:SEED:DEPTH[:LENGTH]` or
    /// `points:PID@FUEL>NEXT,...` (as [`Schedule`]'s `Display` writes them).
    fn from_str(s: &str) -> Result<Schedule, String> {
        let num = |what: &str, v: &str| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("schedule {s:?}: {what} must be a number, got {v:?}"))
        };
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["fifo"] => Ok(Schedule::Fifo),
            ["random", seed] => Ok(Schedule::Random {
                seed: num("the seed", seed)?,
            }),
            ["pct", seed, depth, rest @ ..] if rest.len() <= 1 => {
                let depth = num("the depth", depth)?;
                if depth == 0 || depth > u64::from(MAX_DEPTH) {
                    return Err(format!("schedule {s:?}: the depth must be 1 to 1000"));
                }
                let length = match rest {
                    [l] => num("the length", l)?.max(1),
                    _ => PCT_DEFAULT_LENGTH,
                };
                Ok(Schedule::Pct {
                    seed: num("the seed", seed)?,
                    depth: depth as u32,
                    length,
                })
            }
            ["points", list] => {
                let mut points = Vec::new();
                let bad = || format!("schedule {s:?}: a point is PID@FUEL>NEXT");
                let pid = |v: &str| -> Result<u32, String> {
                    u32::try_from(num("a pid", v)?)
                        .map_err(|_| format!("schedule {s:?}: pid {v} out of range"))
                };
                for item in list.split(',').filter(|i| !i.is_empty()) {
                    let (who, rest) = item.split_once('@').ok_or_else(bad)?;
                    let (fuel, next) = rest.split_once('>').ok_or_else(bad)?;
                    points.push(Point {
                        pid: pid(who)?,
                        fuel: num("a fuel position", fuel)?,
                        next: pid(next)?,
                    });
                }
                Ok(Schedule::Points(points))
            }
            _ => Err(format!(
                "unknown schedule {s:?} (fifo, random:SEED, pct:SEED:DEPTH[:LENGTH], \
                 points:PID@FUEL>NEXT,...)"
            )),
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and written out here
/// so that a seed's schedule never depends on a crate's version.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by Lemire's multiply-shift (its
    /// bias, below 2^-32 for the sizes used here, does not matter).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// The scheduler's state for a policy other than FIFO.
pub(crate) struct Policy {
    kind: Kind,
    /// The process that ran the last slice.
    last: Option<Pid>,
    /// Whether the last slice was cut by this policy's slice length (rather
    /// than by a block, an exit or a request).
    cut: bool,
    /// Fuel each process has consumed (for [`Point`]s).
    own: HashMap<Pid, u64>,
    /// The preemption points of this run, when asked for
    /// ([`crate::Runtime::recorded_points`]).
    record: Option<Vec<Point>>,
}

enum Kind {
    Random {
        rng: SplitMix64,
        /// The run's slice, the median of the drawn lengths' range.
        slice: u64,
    },
    Pct {
        rng: SplitMix64,
        priorities: HashMap<Pid, u64>,
        /// Change points still ahead, ascending, with the priority each
        /// gives (`depth - 1` down to 1).
        changes: VecDeque<(u64, u64)>,
        slice: u64,
        /// The process that just yielded, passed over once.
        yielded: Option<Pid>,
    },
    Points {
        /// Each process's points, by its fuel: (fuel, next).
        points: HashMap<u32, VecDeque<(u64, u32)>>,
    },
}

/// Bounds of a drawn slice length: 1 to twice the run's slice.
fn log_uniform(rng: &mut SplitMix64, slice: u64) -> u64 {
    let max = slice.saturating_mul(2).max(1);
    let bits = 64 - max.leading_zeros() as u64;
    let e = rng.below(bits + 1);
    let bound = if e >= 64 { max } else { (1u64 << e).min(max) };
    1 + rng.below(bound)
}

impl Policy {
    /// The state for `schedule` (`None` for FIFO, which keeps the plain
    /// queue), with `slice` the run's slice length.
    pub(crate) fn new(schedule: &Schedule, slice: u64, record: bool) -> Option<Policy> {
        let kind = match schedule {
            Schedule::Fifo => return None,
            Schedule::Random { seed } => Kind::Random {
                rng: SplitMix64::new(*seed),
                slice,
            },
            Schedule::Pct {
                seed,
                depth,
                length,
            } => {
                let mut rng = SplitMix64::new(*seed);
                // At most 1,000 (as parsed): a depth from a trace or an
                // embedder never sizes an allocation beyond that.
                let depth = (*depth).min(MAX_DEPTH);
                let mut at: Vec<u64> = (1..depth)
                    .map(|_| 1 + rng.below((*length).max(1)))
                    .collect();
                at.sort_unstable();
                let n = at.len() as u64;
                let changes = at
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| (f, n - i as u64))
                    .collect();
                Kind::Pct {
                    rng,
                    priorities: HashMap::new(),
                    changes,
                    slice,
                    yielded: None,
                }
            }
            Schedule::Points(list) => {
                let mut points: HashMap<u32, VecDeque<(u64, u32)>> = HashMap::new();
                let mut list = list.clone();
                list.sort_by_key(|p| (p.pid, p.fuel));
                for p in list {
                    points.entry(p.pid).or_default().push_back((p.fuel, p.next));
                }
                Kind::Points { points }
            }
        };
        Some(Policy {
            kind,
            last: None,
            cut: false,
            own: HashMap::new(),
            record: record.then(Vec::new),
        })
    }

    /// Picks the next process from `queue` (living, runnable, no
    /// duplicates, not empty) at total fuel `fuel`; returns its index and
    /// the slice length to give it (`None`: until it blocks or ends).
    pub(crate) fn pick(&mut self, queue: &VecDeque<Pid>, fuel: u64) -> (usize, Option<u64>) {
        // What the run-to-block base of `Points` would run here.
        let base = self
            .last
            .and_then(|l| queue.iter().position(|&p| p == l))
            .unwrap_or(0);
        let (index, slice) = match &mut self.kind {
            Kind::Random { rng, slice } => {
                let i = rng.below(queue.len() as u64) as usize;
                (i, Some(log_uniform(rng, *slice)))
            }
            Kind::Pct {
                rng,
                priorities,
                changes,
                slice,
                yielded,
            } => {
                let skip = yielded.take().filter(|_| queue.len() > 1);
                let mut best: Option<(usize, u64)> = None;
                for (i, pid) in queue.iter().enumerate() {
                    // A new process: a random priority above every change
                    // point's (which are 1..depth).
                    let prio = *priorities
                        .entry(*pid)
                        .or_insert_with(|| (1 << 32) | (rng.next() >> 32));
                    if Some(*pid) == skip {
                        continue;
                    }
                    if best.is_none_or(|(_, b)| prio > b) {
                        best = Some((i, prio));
                    }
                }
                let i = best.map_or(0, |(i, _)| i);
                let to_change = changes
                    .front()
                    .map(|&(at, _)| at.saturating_sub(fuel).max(1));
                let len = match to_change {
                    Some(c) => c.min(*slice),
                    None => *slice,
                };
                (i, Some(len))
            }
            Kind::Points { points } => {
                let mut i = base;
                if let Some(last) = self.last {
                    let at = self.own.get(&last).copied().unwrap_or(0);
                    if let Some(mine) = points.get_mut(&last.0) {
                        while mine.front().is_some_and(|&(f, _)| f < at) {
                            mine.pop_front();
                        }
                        if let Some(&(f, next)) = mine.front()
                            && f == at
                        {
                            mine.pop_front();
                            if let Some(n) = queue.iter().position(|q| q.0 == next) {
                                i = n;
                            }
                        }
                    }
                }
                let chosen = queue[i];
                let at = self.own.get(&chosen).copied().unwrap_or(0);
                let slice = points
                    .get(&chosen.0)
                    .and_then(|mine| mine.iter().find(|&&(f, _)| f > at))
                    .map(|&(f, _)| f - at);
                (i, slice)
            }
        };
        if let Some(rec) = self.record.as_mut()
            && (self.cut || index != base)
            && let Some(last) = self.last
        {
            rec.push(Point {
                pid: last.0,
                fuel: self.own.get(&last).copied().unwrap_or(0),
                next: queue[index].0,
            });
        }
        self.last = Some(queue[index]);
        (index, slice)
    }

    /// Files how the slice of `pid` ended: `cut` when it ran out of its
    /// slice; `fuel` is the run's total after it.
    /// `used` is the fuel the slice consumed.
    pub(crate) fn after_slice(&mut self, pid: Pid, used: u64, cut: bool, yielded: bool, fuel: u64) {
        self.cut = cut;
        *self.own.entry(pid).or_insert(0) += used;
        if let Kind::Pct {
            priorities,
            changes,
            yielded: y,
            ..
        } = &mut self.kind
        {
            if yielded {
                *y = Some(pid);
            }
            while let Some(&(at, prio)) = changes.front() {
                if at > fuel {
                    break;
                }
                changes.pop_front();
                priorities.insert(pid, prio);
            }
        }
    }

    /// The preemption points recorded so far (empty when not recording).
    pub(crate) fn take_points(&mut self) -> Vec<Point> {
        self.record.take().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_and_print_the_same() {
        for s in [
            "fifo",
            "random:7",
            "pct:3:2:5000",
            "points:2@10>3,1@300>2",
            "points:",
        ] {
            assert_eq!(s.parse::<Schedule>().unwrap().to_string(), s);
        }
        assert_eq!(
            "pct:1:3".parse::<Schedule>().unwrap(),
            Schedule::Pct {
                seed: 1,
                depth: 3,
                length: PCT_DEFAULT_LENGTH
            }
        );
        for bad in [
            "", "random", "random:x", "pct:1:0", "pct:1", "points:5", "lifo",
        ] {
            assert!(bad.parse::<Schedule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn drawn_slices_stay_in_range_and_follow_the_seed() {
        let draw = |seed| {
            let mut r = SplitMix64::new(seed);
            (0..1000)
                .map(|_| log_uniform(&mut r, 100))
                .collect::<Vec<_>>()
        };
        let a = draw(1);
        assert!(a.iter().all(|&l| (1..=200).contains(&l)));
        assert!(a.iter().any(|&l| l <= 4) && a.iter().any(|&l| l > 100));
        assert_eq!(a, draw(1));
        assert_ne!(a, draw(2));
    }
}
