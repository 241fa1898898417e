//! [`Child`], and the calls about processes by pid: waiting for any child,
//! killing, own and parent pid.

use crate::errno::check;
use crate::pipe::{ChildStderr, ChildStdin, ChildStdout};
use crate::status::ExitStatus;
use crate::sys;
use std::io;

/// A running (or ended, not yet waited for) child process, as
/// [`Command::spawn`](crate::Command::spawn) returns it.
///
/// Dropping a `Child` neither waits for it nor kills it: it runs on, and
/// stays a zombie once ended until some `wait` reaps it (or until this
/// process ends). A child reaped by [`wait_any`] is gone for its `Child`
/// too: its `wait` then fails with `ECHILD`.
#[derive(Debug)]
pub struct Child {
    pid: u32,
    status: Option<ExitStatus>,
    /// The parent's end of the child's stdin, if it was `Stdio::piped()`.
    pub stdin: Option<ChildStdin>,
    /// The parent's end of the child's stdout, if it was `Stdio::piped()`.
    pub stdout: Option<ChildStdout>,
    /// The parent's end of the child's stderr, if it was `Stdio::piped()`.
    pub stderr: Option<ChildStderr>,
}

impl Child {
    pub(crate) fn new(
        pid: u32,
        stdin: Option<ChildStdin>,
        stdout: Option<ChildStdout>,
        stderr: Option<ChildStderr>,
    ) -> Child {
        Child {
            pid,
            status: None,
            stdin,
            stdout,
            stderr,
        }
    }

    /// The child's pid (unique in the run: pids are never reused).
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// Waits for the child to end and reaps it. Closes the parent's end of
    /// the child's stdin first (if piped), so a child reading it to the end
    /// can finish. Once reaped, further calls return the same status.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        let (_, status) = wait_raw(self.pid as i32, 0)?;
        self.status = Some(status);
        Ok(status)
    }

    /// Reaps the child if it has ended (`Some(status)`), without waiting
    /// (`None` if it is still running).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let (pid, status) = wait_raw(self.pid as i32, sys::WAIT_NOHANG)?;
        if pid == 0 {
            return Ok(None);
        }
        self.status = Some(status);
        Ok(Some(status))
    }

    /// Ends the child and all its descendants (their status becomes
    /// [`ExitStatus::Killed`] with this process as the killer). Does nothing
    /// if the child has already ended; reap it with [`wait`](Child::wait)
    /// afterwards.
    pub fn kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        kill(self.pid)
    }
}

/// The raw wait: `(pid, status)`, pid 0 when `NOHANG` found none ended.
fn wait_raw(pid: i32, flags: i32) -> io::Result<(u32, ExitStatus)> {
    let mut raw = sys::Status::default();
    // SAFETY: `raw` is a live, writable, 16-byte `Status`.
    check(unsafe { sys::wait(pid, flags, &mut raw) })?;
    Ok((raw.pid, ExitStatus::from_raw(raw.kind, raw.value)))
}

/// Waits for any child of this process to end, reaps it and returns its
/// pid and status. Fails with `ECHILD` ([`Errno::CHILD`](crate::Errno::CHILD))
/// when this process has no child left to wait for.
pub fn wait_any() -> io::Result<(u32, ExitStatus)> {
    wait_raw(sys::WAIT_ANY, 0)
}

/// Reaps any child of this process that has ended, without waiting: `None`
/// if none has (yet).
pub fn try_wait_any() -> io::Result<Option<(u32, ExitStatus)>> {
    let (pid, status) = wait_raw(sys::WAIT_ANY, sys::WAIT_NOHANG)?;
    Ok((pid != 0).then_some((pid, status)))
}

/// Ends process `pid`, which must be a descendant of this one (`EPERM`
/// otherwise; `ESRCH` if it never existed or has been reaped), and all its
/// descendants. Killing an ended, unreaped child does nothing.
pub fn kill(pid: u32) -> io::Result<()> {
    // SAFETY: no pointers.
    check(unsafe { sys::kill(pid as i32) })
}

/// This process's pid (the root of a run is 1).
///
/// # Panics
/// If the host refuses the call, which docs/abi.md leaves no reason for.
pub fn getpid() -> u32 {
    let mut pid = 0u32;
    // SAFETY: `pid` is a live, writable u32.
    check(unsafe { sys::getpid(&mut pid) }).expect("wasi_process.getpid failed");
    pid
}

/// The parent's pid: 0 for the root; 1 for an orphan (adopted by the root).
///
/// # Panics
/// If the host refuses the call, which docs/abi.md leaves no reason for.
pub fn getppid() -> u32 {
    let mut pid = 0u32;
    // SAFETY: `pid` is a live, writable u32.
    check(unsafe { sys::getppid(&mut pid) }).expect("wasi_process.getppid failed");
    pid
}
