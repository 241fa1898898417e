//! [`Command`], the spawn builder, and [`Stdio`].

use crate::ExitStatus;
use crate::child::Child;
use crate::errno::check;
use crate::pipe::{ChildStderr, ChildStdin, ChildStdout, PipeReader, PipeWriter, pipe};
use crate::sys;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

/// What a child's stdin, stdout or stderr is connected to.
///
/// Besides the three constructors, any descriptor the parent owns converts
/// into a `Stdio` (`Stdio::from(child.stdout.take().unwrap())` chains two
/// children, as a shell pipeline does); the [`Command`] then owns it and
/// closes it when the command is dropped.
pub struct Stdio(StdioKind);

enum StdioKind {
    Inherit,
    Null,
    Piped,
    Fd(OwnedFd),
}

impl Stdio {
    /// A new pipe: the child gets one end, the parent the other, as
    /// [`Child::stdin`], [`Child::stdout`] or [`Child::stderr`].
    pub fn piped() -> Stdio {
        Stdio(StdioKind::Piped)
    }

    /// A null device: reads end at once, writes are discarded.
    pub fn null() -> Stdio {
        Stdio(StdioKind::Null)
    }

    /// The parent's own stream (the default).
    pub fn inherit() -> Stdio {
        Stdio(StdioKind::Inherit)
    }
}

impl fmt::Debug for Stdio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            StdioKind::Inherit => f.write_str("Stdio::inherit()"),
            StdioKind::Null => f.write_str("Stdio::null()"),
            StdioKind::Piped => f.write_str("Stdio::piped()"),
            StdioKind::Fd(fd) => write!(f, "Stdio(fd {})", fd.as_raw_fd()),
        }
    }
}

macro_rules! stdio_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Stdio {
            /// The child's stream becomes this descriptor; the command owns
            /// (and, when dropped, closes) the parent's copy.
            fn from(x: $t) -> Stdio {
                Stdio(StdioKind::Fd(OwnedFd::from(x)))
            }
        }
    )*};
}
stdio_from!(
    ChildStdin,
    ChildStdout,
    ChildStderr,
    PipeReader,
    PipeWriter,
    File,
    OwnedFd
);

#[derive(Debug)]
enum DirSource {
    Path(PathBuf),
    Fd(RawFd),
}

#[derive(Debug)]
struct DirGrant {
    source: DirSource,
    child_path: PathBuf,
    read_only: bool,
}

/// A builder for a child process, shaped like `std::process::Command`.
///
/// A child starts with nothing it was not given: the arguments (its
/// `argv[0]` is the module name), no environment variables, no
/// directories, no permission to spawn, and the parent's stdin, stdout and
/// stderr unless redirected. Limits default as docs/abi.md says: without a
/// fuel or descendants limit the child shares this process's budgets (what
/// it uses counts against this process and every ancestor); without a
/// memory limit it is bounded by what remains of this process's (and every
/// ancestor's) and charged to them; its descriptor limit is the parent's.
///
/// ```no_run
/// use wasiproc_guest::{Command, Stdio};
/// use std::io::Read;
///
/// let mut child = Command::new("child_worker.wasm")
///     .args(["10", "25"])
///     .stdout(Stdio::piped())
///     .fuel(100_000_000)
///     .spawn()?;
/// let mut out = String::new();
/// child.stdout.take().unwrap().read_to_string(&mut out)?;
/// let status = child.wait()?;
/// assert!(status.success());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Command {
    module: OsString,
    arg0: Option<OsString>,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    dirs: Vec<DirGrant>,
    fds: Vec<(RawFd, RawFd)>,
    allow: Vec<OsString>,
    limits: Vec<(i32, u64)>,
    stdin: Option<Stdio>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
}

impl Command {
    /// A command that runs `module` (as the runtime names modules: for the
    /// `wasiproc` CLI, a path in the guest's view or a name given with
    /// `--allow-command NAME=HOSTPATH`).
    pub fn new(module: impl AsRef<OsStr>) -> Command {
        Command {
            module: module.as_ref().to_owned(),
            arg0: None,
            args: Vec::new(),
            env: Vec::new(),
            dirs: Vec::new(),
            fds: Vec::new(),
            allow: Vec::new(),
            limits: Vec::new(),
            stdin: None,
            stdout: None,
            stderr: None,
        }
    }

    /// Appends an argument (after `argv[0]`). An empty argument is still an
    /// argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends several arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self.arg(arg);
        }
        self
    }

    /// Sets the child's `argv[0]` (by default, the module name).
    pub fn arg0(&mut self, arg0: impl AsRef<OsStr>) -> &mut Command {
        self.arg0 = Some(arg0.as_ref().to_owned());
        self
    }

    /// Gives the child the environment variable `key=value`. The child has
    /// no other variables than these; pass on the parent's with
    /// `.envs(std::env::vars())`.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Gives the child several environment variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// Grants the child the directory the parent sees at `parent_path`,
    /// preopened in the child at `child_path`; `read_only` narrows the
    /// grant. The parent opens `parent_path` (with `std::fs::File::open`)
    /// when spawning and closes it afterwards. The child can get no wider
    /// rights than the parent holds (`ENOTCAPABLE`).
    pub fn dir(
        &mut self,
        parent_path: impl AsRef<Path>,
        child_path: impl AsRef<Path>,
        read_only: bool,
    ) -> &mut Command {
        self.dirs.push(DirGrant {
            source: DirSource::Path(parent_path.as_ref().to_owned()),
            child_path: child_path.as_ref().to_owned(),
            read_only,
        });
        self
    }

    /// Like [`dir`](Command::dir), for a directory the parent already holds
    /// open at descriptor `fd` (which must stay open until the spawn).
    pub fn dir_fd(
        &mut self,
        fd: RawFd,
        child_path: impl AsRef<Path>,
        read_only: bool,
    ) -> &mut Command {
        self.dirs.push(DirGrant {
            source: DirSource::Fd(fd),
            child_path: child_path.as_ref().to_owned(),
            read_only,
        });
        self
    }

    /// Sets the child's stdin (default: [`Stdio::inherit`]).
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.stdin = Some(cfg.into());
        self
    }

    /// Sets the child's stdout (default: [`Stdio::inherit`]).
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.stdout = Some(cfg.into());
        self
    }

    /// Sets the child's stderr (default: [`Stdio::inherit`]).
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.stderr = Some(cfg.into());
        self
    }

    /// Makes the child's descriptor `child_fd` a second handle to the
    /// parent's `parent_fd` (a pipe end, stdio stream, file or directory),
    /// which must stay open until the spawn. For 0, 1 and 2 a
    /// [`stdin`](Command::stdin)/[`stdout`](Command::stdout)/[`stderr`](Command::stderr)
    /// setting wins over this.
    pub fn fd(&mut self, parent_fd: RawFd, child_fd: RawFd) -> &mut Command {
        self.fds.push((parent_fd, child_fd));
        self
    }

    /// Lets the child spawn `module` (which the parent must be allowed to
    /// spawn itself: `ENOTCAPABLE` otherwise).
    pub fn allow(&mut self, module: impl AsRef<OsStr>) -> &mut Command {
        self.allow.push(module.as_ref().to_owned());
        self
    }

    /// Limits the fuel the child and its descendants may consume in total;
    /// past it, the child ends with [`ExitStatus::OutOfFuel`]. The fuel is
    /// still drawn from this process's own budget (and every ancestor's), so
    /// the child stops as well when any of those runs out, and a limited
    /// process cannot ask for more than it has left (`ENOTCAPABLE`). Values
    /// above `i64::MAX` are passed as `i64::MAX`. Without it the child
    /// shares this process's remaining budget (unlimited only when this
    /// process and its ancestors are): docs/abi.md, "Limit kinds".
    pub fn fuel(&mut self, fuel: u64) -> &mut Command {
        self.limits.push((sys::LIMIT_FUEL, fuel));
        self
    }

    /// Limits the memory the child and its descendants may hold in all
    /// (linear memories, tables, stacks, spawn configurations, pipes:
    /// docs/abi.md, "Accounting"); growing past it ends the child with
    /// [`ExitStatus::LimitExceeded`]`(`[`Limit::Memory`](crate::Limit::Memory)`)`.
    /// It can be at most what remains of this process's (`ENOTCAPABLE`).
    /// A limit below what the child holds at its start (8 KiB of
    /// bookkeeping, its arguments and environment, its initial memories and
    /// tables) makes the spawn fail with `ENOMEM`; a Rust program starts
    /// with about 1.1 MiB (17 pages: its 1 MiB stack and data).
    pub fn max_memory(&mut self, bytes: u64) -> &mut Command {
        self.limits.push((sys::LIMIT_MEMORY, bytes));
        self
    }

    /// Limits how many descendants may be alive at once under the child;
    /// its spawns past it fail with `EAGAIN` (`io::ErrorKind::WouldBlock`).
    pub fn max_descendants(&mut self, n: u64) -> &mut Command {
        self.limits.push((sys::LIMIT_DESCENDANTS, n));
        self
    }

    /// Limits the descriptors the child and its descendants hold together
    /// (each of them also keeps at most `n` of its own); opening past it
    /// fails with `EMFILE`. A child that would start with more (its stdio,
    /// directories and mapped descriptors) ends at once with
    /// [`ExitStatus::LimitExceeded`]`(`[`Limit::Fds`](crate::Limit::Fds)`)`.
    pub fn max_fds(&mut self, n: u64) -> &mut Command {
        self.limits.push((sys::LIMIT_FDS, n));
        self
    }

    /// Starts the child.
    ///
    /// Builds a spawn configuration, spawns, frees the configuration and
    /// closes the parent's copies of the child's pipe ends and of the
    /// directories opened for [`dir`](Command::dir). Errors are the host's
    /// errno as an `io::Error` ([`Errno::of`](crate::Errno::of) gives it
    /// back): `ENOTCAPABLE` if the module (or an `allow`, a directory's
    /// rights, a limit) is not the parent's to give, `EAGAIN` if a process
    /// limit is reached, `ENOENT` if the module cannot be loaded.
    pub fn spawn(&mut self) -> io::Result<Child> {
        let cfg = Config::new()?;
        cfg.arg(self.arg0.as_ref().unwrap_or(&self.module))?;
        for arg in &self.args {
            cfg.arg(arg)?;
        }
        for (key, value) in &self.env {
            let mut var = key.as_encoded_bytes().to_vec();
            var.push(b'=');
            var.extend_from_slice(value.as_encoded_bytes());
            cfg.env(&var)?;
        }
        // Directories opened here stay open until the spawn has happened.
        let mut opened = Vec::new();
        for grant in &self.dirs {
            let fd = match &grant.source {
                DirSource::Path(path) => {
                    let dir = File::open(path)?;
                    let fd = dir.as_raw_fd();
                    opened.push(dir);
                    fd
                }
                DirSource::Fd(fd) => *fd,
            };
            cfg.dir(fd, grant.child_path.as_os_str(), grant.read_only)?;
        }
        for &(parent_fd, child_fd) in &self.fds {
            let overridden = match child_fd {
                0 => self.stdin.is_some(),
                1 => self.stdout.is_some(),
                2 => self.stderr.is_some(),
                _ => false,
            };
            if !overridden {
                cfg.fd(parent_fd, child_fd)?;
            }
        }
        for module in &self.allow {
            cfg.allow(module)?;
        }
        for &(kind, value) in &self.limits {
            cfg.limit(kind, value)?;
        }
        // The child's ends of new pipes: closed in the parent after the spawn.
        let mut child_ends = Vec::new();
        let stdin = cfg.stdio(self.stdin.as_ref(), 0, &mut child_ends)?;
        let stdout = cfg.stdio(self.stdout.as_ref(), 1, &mut child_ends)?;
        let stderr = cfg.stdio(self.stderr.as_ref(), 2, &mut child_ends)?;

        let pid = cfg.spawn(&self.module)?;
        drop(cfg);
        drop(child_ends);
        drop(opened);
        Ok(Child::new(
            pid,
            stdin.map(ChildStdin::from),
            stdout.map(ChildStdout::from),
            stderr.map(ChildStderr::from),
        ))
    }

    /// Spawns the child and waits for it (closing its stdin first, if
    /// piped).
    pub fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait()
    }
}

/// A spawn configuration handle, freed by the host when dropped (on every
/// path out of [`Command::spawn`]).
///
/// Each method is one raw call. SAFETY, for all of them: the pointers passed
/// are to locals or to slices that live across the call, with their true
/// lengths, which is all the imports require of the caller.
struct Config(u32);

impl Config {
    fn new() -> io::Result<Config> {
        let mut handle = 0u32;
        // SAFETY: see the type's doc.
        check(unsafe { sys::spawn_config_new(&mut handle) })?;
        Ok(Config(handle))
    }

    fn arg(&self, arg: &OsStr) -> io::Result<()> {
        let a = arg.as_encoded_bytes();
        // SAFETY: see the type's doc.
        check(unsafe { sys::spawn_config_arg(self.0, a.as_ptr(), a.len()) })
    }

    fn env(&self, var: &[u8]) -> io::Result<()> {
        // SAFETY: see the type's doc.
        check(unsafe { sys::spawn_config_env(self.0, var.as_ptr(), var.len()) })
    }

    fn dir(&self, fd: RawFd, child_path: &OsStr, read_only: bool) -> io::Result<()> {
        let p = child_path.as_encoded_bytes();
        let ro = i32::from(read_only);
        // SAFETY: see the type's doc.
        check(unsafe { sys::spawn_config_dir(self.0, fd, p.as_ptr(), p.len(), ro) })
    }

    fn fd(&self, parent_fd: RawFd, child_fd: RawFd) -> io::Result<()> {
        // SAFETY: no pointers.
        check(unsafe { sys::spawn_config_fd(self.0, parent_fd, child_fd) })
    }

    fn allow(&self, module: &OsStr) -> io::Result<()> {
        let m = module.as_encoded_bytes();
        // SAFETY: see the type's doc.
        check(unsafe { sys::spawn_config_allow(self.0, m.as_ptr(), m.len()) })
    }

    fn limit(&self, kind: i32, value: u64) -> io::Result<()> {
        let value = i64::try_from(value).unwrap_or(i64::MAX);
        // SAFETY: no pointers.
        check(unsafe { sys::spawn_config_limit(self.0, kind, value) })
    }

    fn spawn(&self, module: &OsStr) -> io::Result<u32> {
        let m = module.as_encoded_bytes();
        let mut pid = 0u32;
        // SAFETY: see the type's doc.
        check(unsafe { sys::spawn(self.0, m.as_ptr(), m.len(), &mut pid) })?;
        Ok(pid)
    }

    /// Maps the child's stdio descriptor `n`; for a new pipe, returns the
    /// parent's end and pushes the child's end onto `child_ends`.
    fn stdio(
        &self,
        cfg: Option<&Stdio>,
        n: RawFd,
        child_ends: &mut Vec<OwnedFd>,
    ) -> io::Result<Option<OwnedFd>> {
        match cfg.map(|s| &s.0) {
            None | Some(StdioKind::Inherit) => Ok(None),
            Some(StdioKind::Null) => self.fd(sys::FD_NULL, n).map(|()| None),
            Some(StdioKind::Fd(fd)) => self.fd(fd.as_raw_fd(), n).map(|()| None),
            Some(StdioKind::Piped) => {
                let (reader, writer) = pipe()?;
                let (child_end, parent_end) = if n == 0 {
                    (OwnedFd::from(reader), OwnedFd::from(writer))
                } else {
                    (OwnedFd::from(writer), OwnedFd::from(reader))
                };
                self.fd(child_end.as_raw_fd(), n)?;
                child_ends.push(child_end);
                Ok(Some(parent_end))
            }
        }
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        // SAFETY: no pointers. A refusal leaves nothing for us to do.
        let _ = unsafe { sys::spawn_config_drop(self.0) };
    }
}
