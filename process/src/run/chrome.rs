//! A run's timeline as Chrome Trace Event JSON ([`crate::Run::chrome_trace`],
//! `wasiproc run --trace-events FILE`)
//! (the `{"traceEvents": [...]}` object form), which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open.
//!
//! Layout: the whole run is trace process 1 ("wasiproc: MODULE"); each
//! wasiproc process is a thread of it whose tid is the process's pid, named
//! "pid N: module". On each thread:
//! - a complete event ("X") `running` per scheduling slice, with the fuel
//!   it consumed;
//! - a complete event per blocked period, named after its reason
//!   (`blocked: fd 0 (Read)`, `blocked: timer at ... ns`, `wait child 3`,
//!   `wait any child`);
//! - instant events ("i", thread scope): `spawn` on the parent (args: child
//!   pid, module), `kill` on the killer (args: target pid), `exit` on the
//!   process that ended (args: status), `start` on the root.
//!
//! Time axis (`ts`/`dur` are microseconds, with nanosecond decimals): in a
//! deterministic run, the virtual clock — 1 ns per unit of fuel consumed by
//! the whole run, plus the time skipped when every process sleeps — so the
//! trace is the same on every run; otherwise real time since the first
//! event.
//!
//! The file is written as events arrive (a periodic slice closes when it
//! ends), so memory stays flat however long the run is.

use crate::{Blocker, Event, EventKind, Pid};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::time::Instant;
use wasiproc_wasi::FuelClock;

/// Where the trace's timestamps come from.
pub(crate) enum TimeBase {
    /// A deterministic run's virtual clock.
    Virtual(FuelClock),
    /// Real time, from the first event on.
    Real(Option<Instant>),
}

impl TimeBase {
    fn now_ns(&mut self) -> u64 {
        match self {
            TimeBase::Virtual(c) => c.now(),
            TimeBase::Real(start) => {
                let s = *start.get_or_insert_with(Instant::now);
                s.elapsed().as_nanos() as u64
            }
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            TimeBase::Virtual(_) => {
                "virtual: 1 ns per unit of fuel consumed by the run, plus the time skipped \
                 when every process sleeps"
            }
            TimeBase::Real(_) => "real time since the first event",
        }
    }
}

#[derive(Default)]
struct Track {
    running: Option<u64>,
    blocked: Option<(u64, Blocker)>,
}

/// Writes the trace of one run.
pub(crate) struct TraceWriter {
    out: BufWriter<Box<dyn Write + Send>>,
    time: TimeBase,
    tracks: BTreeMap<Pid, Track>,
    error: Option<std::io::Error>,
    /// One event's JSON, reused.
    line: String,
}

/// The trace's process id (the whole run).
const TRACE_PID: u32 = 1;

/// Appends `s` as a JSON string literal.
pub(crate) fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends nanoseconds as microseconds with three decimals.
fn micros(out: &mut String, ns: u64) {
    let _ = write!(out, "{}.{:03}", ns / 1000, ns % 1000);
}

/// A JSON value of an event's `args`.
enum Arg<'a> {
    Num(u64),
    Str(&'a str),
}

impl TraceWriter {
    /// Writes the trace's header to `out`; `title` names the run.
    pub(crate) fn create(out: Box<dyn Write + Send>, title: &str, time: TimeBase) -> Self {
        let mut w = TraceWriter {
            out: BufWriter::new(out),
            time,
            tracks: BTreeMap::new(),
            error: None,
            line: String::new(),
        };
        let mut head = String::from("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"timeAxis\":");
        json_str(&mut head, w.time.describe());
        head.push_str("},\"traceEvents\":[\n");
        w.write_raw(&head);
        w.metadata(
            "process_name",
            0,
            "name",
            Arg::Str(&format!("wasiproc: {title}")),
        );
        w
    }

    fn write_raw(&mut self, s: &str) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(s.as_bytes())
        {
            self.error = Some(e);
        }
    }

    /// Writes `line` (one event object) followed by a separator.
    fn flush_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        self.write_raw(&line);
        self.write_raw(",\n");
        self.line = line;
        self.line.clear();
    }

    fn args(&mut self, args: &[(&str, Arg<'_>)]) {
        self.line.push_str(",\"args\":{");
        for (i, (k, v)) in args.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            json_str(&mut self.line, k);
            self.line.push(':');
            match v {
                Arg::Num(n) => {
                    let _ = write!(self.line, "{n}");
                }
                Arg::Str(s) => json_str(&mut self.line, s),
            }
        }
        self.line.push('}');
    }

    fn metadata(&mut self, name: &str, tid: u32, key: &str, value: Arg<'_>) {
        let _ = write!(
            self.line,
            "{{\"name\":\"{name}\",\"ph\":\"M\",\"pid\":{TRACE_PID},\"tid\":{tid}"
        );
        self.args(&[(key, value)]);
        self.line.push('}');
        self.flush_line();
    }

    fn complete(
        &mut self,
        tid: Pid,
        name: &str,
        cat: &str,
        start: u64,
        end: u64,
        args: &[(&str, Arg<'_>)],
    ) {
        self.line.push_str("{\"name\":");
        json_str(&mut self.line, name);
        let _ = write!(
            self.line,
            ",\"cat\":\"{cat}\",\"ph\":\"X\",\"pid\":{TRACE_PID},\"tid\":{},\"ts\":",
            tid.0
        );
        micros(&mut self.line, start);
        self.line.push_str(",\"dur\":");
        micros(&mut self.line, end.saturating_sub(start));
        self.args(args);
        self.line.push('}');
        self.flush_line();
    }

    fn instant(&mut self, tid: Pid, name: &str, at: u64, args: &[(&str, Arg<'_>)]) {
        let _ = write!(
            self.line,
            "{{\"name\":\"{name}\",\"cat\":\"process\",\"ph\":\"i\",\"s\":\"t\",\"pid\":{TRACE_PID},\"tid\":{},\"ts\":",
            tid.0
        );
        micros(&mut self.line, at);
        self.args(args);
        self.line.push('}');
        self.flush_line();
    }

    fn close_blocked(&mut self, pid: Pid, now: u64) {
        if let Some((since, why)) = self.tracks.get_mut(&pid).and_then(|t| t.blocked.take()) {
            let reason = why.to_string();
            let name = match why {
                Blocker::Child(_) => reason.clone(),
                Blocker::On(_) => format!("blocked: {reason}"),
            };
            self.complete(
                pid,
                &name,
                "blocked",
                since,
                now,
                &[("reason", Arg::Str(&reason))],
            );
        }
    }

    fn close_running(&mut self, pid: Pid, now: u64, fuel: Option<u64>) {
        if let Some(since) = self.tracks.get_mut(&pid).and_then(|t| t.running.take()) {
            match fuel {
                Some(f) => self.complete(
                    pid,
                    "running",
                    "sched",
                    since,
                    now,
                    &[("fuel", Arg::Num(f))],
                ),
                None => self.complete(pid, "running", "sched", since, now, &[]),
            }
        }
    }

    /// Records one scheduler event.
    pub(crate) fn event(&mut self, e: &Event) {
        let now = self.time.now_ns();
        let pid = e.pid;
        match &e.kind {
            EventKind::Spawned { child, module } => {
                self.tracks.entry(*child).or_default();
                let name = format!("pid {child}: {module}");
                self.metadata("thread_name", child.0, "name", Arg::Str(&name));
                self.metadata(
                    "thread_sort_index",
                    child.0,
                    "sort_index",
                    Arg::Num(child.0.into()),
                );
                let args = [
                    ("child", Arg::Num(child.0.into())),
                    ("module", Arg::Str(module)),
                ];
                if pid.0 == 0 {
                    self.instant(*child, "start", now, &args);
                } else {
                    self.instant(pid, "spawn", now, &args);
                }
            }
            EventKind::SliceStart => self.tracks.entry(pid).or_default().running = Some(now),
            EventKind::SliceEnd { fuel } => self.close_running(pid, now, Some(*fuel)),
            EventKind::Blocked(why) => {
                self.tracks.entry(pid).or_default().blocked = Some((now, why.clone()));
            }
            EventKind::Woken => self.close_blocked(pid, now),
            EventKind::Killed { target } => {
                self.instant(pid, "kill", now, &[("target", Arg::Num(target.0.into()))]);
            }
            EventKind::Exited(status) => {
                self.close_running(pid, now, None);
                self.close_blocked(pid, now);
                self.tracks.remove(&pid);
                let status = status.to_string();
                self.instant(pid, "exit", now, &[("status", Arg::Str(&status))]);
            }
        }
    }

    /// Closes what is still open (a run that ended in a deadlock) and
    /// completes the file.
    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        let now = self.time.now_ns();
        let open: Vec<Pid> = self.tracks.keys().copied().collect();
        for pid in open {
            self.close_running(pid, now, None);
            self.close_blocked(pid, now);
        }
        // A last metadata record, so the list needs no trailing-comma fix.
        let _ = write!(
            self.line,
            "{{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":{TRACE_PID},\"tid\":0,\"args\":{{\"sort_index\":0}}}}\n]}}\n"
        );
        let line = std::mem::take(&mut self.line);
        self.write_raw(&line);
        if self.error.is_none()
            && let Err(e) = self.out.flush()
        {
            self.error = Some(e);
        }
        match self.error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_json() {
        let mut s = String::new();
        json_str(&mut s, "a\"b\\c\nd\te\u{1}f\u{2028}é");
        assert_eq!(s, r#""a\"b\\c\nd\te\u0001f\u2028é""#);
    }

    #[test]
    fn times_are_microseconds_with_nanosecond_decimals() {
        let mut s = String::new();
        micros(&mut s, 1_234_567);
        s.push(' ');
        micros(&mut s, 7);
        assert_eq!(s, "1234.567 0.007");
    }
}
