//! [`RealHost`]: the host environment of a normal run — real clocks, the OS
//! random source, the host's stdin, and the host filesystem through cap-std.

use super::{HostEnv, HostHandle, OpenRequest};
use crate::blocked::{BlockedOn, Interest};
use crate::errno::Errno;
use crate::types::{Advice, DirEntry, Filestat, Filetype, NewTimestamp, fdflags};
use cap_fs_ext::{
    DirExt, FileTypeExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt,
    OpenOptionsSyncExt, SystemTimeSpec,
};
use cap_std::fs::{Dir, File, FileExt, Metadata, MetadataExt, OpenOptions};
use std::collections::HashMap;
use std::os::fd::AsFd;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

enum Object {
    File(File),
    Dir(Dir),
    Listener(std::net::TcpListener),
    Stream(std::net::TcpStream),
}

/// The real host environment.
pub struct RealHost {
    start: Instant,
    objects: HashMap<u64, Object>,
    next: u64,
}

impl Default for RealHost {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for RealHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealHost")
            .field("open_handles", &self.objects.len())
            .finish()
    }
}

impl RealHost {
    /// A real host environment with no open handles.
    pub fn new() -> Self {
        RealHost {
            start: Instant::now(),
            objects: HashMap::new(),
            next: 1,
        }
    }

    fn insert(&mut self, o: Object) -> HostHandle {
        let h = self.next;
        self.next += 1;
        self.objects.insert(h, o);
        HostHandle(h)
    }

    fn file(&self, h: HostHandle) -> Result<&File, Errno> {
        match self.objects.get(&h.0) {
            Some(Object::File(f)) => Ok(f),
            Some(Object::Dir(_)) => Err(Errno::Isdir),
            _ => Err(Errno::Badf),
        }
    }

    fn dir(&self, h: HostHandle) -> Result<&Dir, Errno> {
        match self.objects.get(&h.0) {
            Some(Object::Dir(d)) => Ok(d),
            Some(Object::File(_)) => Err(Errno::Notdir),
            _ => Err(Errno::Badf),
        }
    }

    fn stream(&self, h: HostHandle) -> Result<&std::net::TcpStream, Errno> {
        match self.objects.get(&h.0) {
            Some(Object::Stream(s)) => Ok(s),
            Some(Object::Listener(_)) => Err(Errno::Notconn),
            Some(_) => Err(Errno::Notsock),
            None => Err(Errno::Badf),
        }
    }

    /// Polls stdin (when `stdin`) and the sockets for their interests, for
    /// at most `timeout` (`None`: until one is ready). Returns the number of
    /// ready descriptors (0 on timeout); a handle that is not a socket any
    /// more counts as ready, so whoever waits on it retries and sees why.
    fn poll_many(
        &self,
        stdin: bool,
        sockets: &[(u64, Interest)],
        timeout: Option<Duration>,
    ) -> usize {
        use rustix::event::{PollFd, PollFlags, poll};
        let input = std::io::stdin();
        let mut fds = Vec::with_capacity(sockets.len() + 1);
        if stdin {
            fds.push(PollFd::from_borrowed_fd(input.as_fd(), PollFlags::IN));
        }
        for (h, interest) in sockets {
            let flags = match interest {
                Interest::Read => PollFlags::IN,
                Interest::Write => PollFlags::OUT,
            };
            let fd = match self.objects.get(h) {
                Some(Object::Listener(l)) => l.as_fd(),
                Some(Object::Stream(s)) => s.as_fd(),
                _ => return 1,
            };
            fds.push(PollFd::from_borrowed_fd(fd, flags));
        }
        let ts = timeout.map(|d| rustix::time::Timespec {
            tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
            tv_nsec: d.subsec_nanos() as _,
        });
        loop {
            match poll(&mut fds, ts.as_ref()) {
                Ok(n) => return n,
                Err(rustix::io::Errno::INTR) => continue,
                // Descriptors that cannot be polled are tried (and fail) at once.
                Err(_) => return 1,
            }
        }
    }

    /// Whether each socket is ready for its interest now (one `poll(2)`);
    /// a handle that is not a socket counts as ready.
    fn ready_each(&self, sockets: &[(u64, Interest)]) -> Vec<bool> {
        use rustix::event::{PollFd, PollFlags, poll};
        let mut fds = Vec::with_capacity(sockets.len());
        let mut index = Vec::with_capacity(sockets.len());
        let mut out = vec![true; sockets.len()];
        for (i, (h, interest)) in sockets.iter().enumerate() {
            let flags = match interest {
                Interest::Read => PollFlags::IN,
                Interest::Write => PollFlags::OUT,
            };
            let fd = match self.objects.get(h) {
                Some(Object::Listener(l)) => l.as_fd(),
                Some(Object::Stream(s)) => s.as_fd(),
                _ => continue,
            };
            fds.push(PollFd::from_borrowed_fd(fd, flags));
            index.push(i);
        }
        let zero = rustix::time::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        loop {
            match poll(&mut fds, Some(&zero)) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                // Descriptors that cannot be polled are tried (and fail) at once.
                Err(_) => return out,
            }
        }
        for (fd, i) in fds.iter().zip(index) {
            out[i] = !fd.revents().is_empty();
        }
        out
    }

    /// Waits for the sockets and the deadline of `on`, and stdin when it is
    /// part of it; with neither, returns at once. Returns whether a socket
    /// or stdin (rather than the timeout) ended the wait.
    pub(crate) fn wait_sockets(&mut self, on: &BlockedOn, timeout: Option<Duration>) -> bool {
        let sockets = on.sockets();
        let stdin = on.includes_stdin();
        if sockets.is_empty() && !stdin {
            if let Some(t) = timeout {
                std::thread::sleep(t);
            }
            return false;
        }
        self.poll_many(stdin, &sockets, timeout) > 0
    }

    fn poll_stdin(timeout: Option<Duration>) -> bool {
        use rustix::event::{PollFd, PollFlags, poll};
        let stdin = std::io::stdin();
        let fd = stdin.as_fd();
        let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
        let ts = timeout.map(|d| rustix::time::Timespec {
            tv_sec: d.as_secs() as i64,
            tv_nsec: d.subsec_nanos() as _,
        });
        loop {
            match poll(&mut fds, ts.as_ref()) {
                Ok(n) => return n > 0,
                Err(rustix::io::Errno::INTR) => continue,
                // A stdin that cannot be polled is read (and fails) at once.
                Err(_) => return true,
            }
        }
    }
}

fn filetype_of(m: &Metadata) -> Filetype {
    filetype_from(m.file_type())
}

fn filetype_from(t: cap_std::fs::FileType) -> Filetype {
    if t.is_dir() {
        Filetype::Directory
    } else if t.is_file() {
        Filetype::RegularFile
    } else if t.is_symlink() {
        Filetype::SymbolicLink
    } else if FileTypeExt::is_block_device(&t) {
        Filetype::BlockDevice
    } else if FileTypeExt::is_char_device(&t) {
        Filetype::CharacterDevice
    } else if FileTypeExt::is_socket(&t) {
        Filetype::SocketStream
    } else {
        Filetype::Unknown
    }
}

fn nanos(secs: i64, nsec: i64) -> u64 {
    if secs < 0 {
        return 0;
    }
    (secs as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(nsec as u64)
}

fn filestat_of(m: &Metadata) -> Filestat {
    Filestat {
        dev: m.dev(),
        ino: m.ino(),
        filetype: filetype_of(m) as u8,
        nlink: m.nlink(),
        size: m.size(),
        atim: nanos(m.atime(), m.atime_nsec()),
        mtim: nanos(m.mtime(), m.mtime_nsec()),
        ctim: nanos(m.ctime(), m.ctime_nsec()),
    }
}

fn timespec(t: NewTimestamp) -> rustix::fs::Timespec {
    match t {
        NewTimestamp::NoChange => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_OMIT,
        },
        NewTimestamp::Now => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_NOW,
        },
        NewTimestamp::At(ns) => rustix::fs::Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        },
    }
}

fn time_spec(t: NewTimestamp) -> Option<SystemTimeSpec> {
    match t {
        NewTimestamp::NoChange => None,
        NewTimestamp::Now => Some(SystemTimeSpec::SymbolicNow),
        NewTimestamp::At(ns) => Some(SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(UNIX_EPOCH + Duration::from_nanos(ns)),
        )),
    }
}

fn path_str(p: std::path::PathBuf) -> Result<String, Errno> {
    p.into_os_string().into_string().map_err(|_| Errno::Ilseq)
}

impl HostEnv for RealHost {
    fn wall_clock(&mut self) -> Result<u64, Errno> {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Errno::Overflow)?;
        u64::try_from(d.as_nanos()).map_err(|_| Errno::Overflow)
    }

    fn monotonic_now(&mut self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    fn clock_resolution(&mut self, realtime: bool) -> u64 {
        let id = if realtime {
            rustix::time::ClockId::Realtime
        } else {
            rustix::time::ClockId::Monotonic
        };
        let ts = rustix::time::clock_getres(id);
        nanos(ts.tv_sec, ts.tv_nsec as i64).max(1)
    }

    fn random(&mut self, buf: &mut [u8]) {
        let mut filled = 0;
        while filled < buf.len() {
            match rustix::rand::getrandom(&mut buf[filled..], rustix::rand::GetRandomFlags::empty())
            {
                Ok(n) => filled += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => panic!("the host's random source failed: {e}"),
            }
        }
    }

    fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        if !Self::poll_stdin(Some(Duration::ZERO)) {
            return Ok(None);
        }
        let stdin = std::io::stdin();
        loop {
            match rustix::io::read(stdin.as_fd(), &mut *buf) {
                Ok(n) => return Ok(Some(n)),
                Err(rustix::io::Errno::INTR) => continue,
                Err(rustix::io::Errno::AGAIN) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn stdin_ready(&mut self) -> bool {
        Self::poll_stdin(Some(Duration::ZERO))
    }

    fn stdin_is_terminal(&mut self) -> bool {
        std::io::IsTerminal::is_terminal(&std::io::stdin())
    }

    fn wait(&mut self, on: &BlockedOn) -> Result<(), String> {
        if let Some((fd, _)) = on.fds().first()
            && !on.includes_stdin()
            && on.deadline().is_none()
            && on.sockets().is_empty()
        {
            return Err(format!(
                "deadlock: the guest waits on fd {fd}, which nothing can make ready"
            ));
        }
        let timeout = on
            .deadline()
            .map(|d| Duration::from_nanos(d.saturating_sub(self.monotonic_now())));
        self.wait_sockets(on, timeout);
        Ok(())
    }

    fn open_preopen(&mut self, host_path: &std::path::Path) -> Result<HostHandle, Errno> {
        let dir = Dir::open_ambient_dir(host_path, cap_std::ambient_authority())?;
        Ok(self.insert(Object::Dir(dir)))
    }

    fn open_at(
        &mut self,
        dir: HostHandle,
        path: &str,
        req: &OpenRequest,
    ) -> Result<(HostHandle, Filetype), Errno> {
        let d = self.dir(dir)?;
        if req.directory {
            let sub = if req.follow {
                d.open_dir(path)?
            } else {
                d.open_dir_nofollow(path)?
            };
            return Ok((self.insert(Object::Dir(sub)), Filetype::Directory));
        }
        let mut opts = OpenOptions::new();
        let write = req.write || req.create || req.truncate;
        opts.read(req.read || !write);
        opts.write(write);
        if req.create {
            if req.exclusive {
                opts.create_new(true);
            } else {
                opts.create(true);
            }
        }
        opts.truncate(req.truncate);
        opts.maybe_dir(!write);
        opts.follow(if req.follow {
            FollowSymlinks::Yes
        } else {
            FollowSymlinks::No
        });
        opts.sync(req.sync_flags & fdflags::SYNC != 0);
        opts.dsync(req.sync_flags & fdflags::DSYNC != 0);
        opts.rsync(req.sync_flags & fdflags::RSYNC != 0);
        let file = d.open_with(path, &opts)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            let sub = Dir::from_std_file(file.into_std());
            Ok((self.insert(Object::Dir(sub)), Filetype::Directory))
        } else {
            let ft = filetype_of(&meta);
            Ok((self.insert(Object::File(file)), ft))
        }
    }

    fn close(&mut self, h: HostHandle) {
        self.objects.remove(&h.0);
    }

    fn read_at(&mut self, h: HostHandle, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let f = self.file(h)?;
        loop {
            match f.read_at(buf, offset) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return Ok(r?),
            }
        }
    }

    fn write_at(&mut self, h: HostHandle, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        let f = self.file(h)?;
        loop {
            match f.write_at(buf, offset) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return Ok(r?),
            }
        }
    }

    fn append(&mut self, h: HostHandle, buf: &[u8]) -> Result<(usize, u64), Errno> {
        let f = self.file(h)?;
        let end = f.metadata()?.len();
        let n = f.write_at(buf, end)?;
        Ok((n, end + n as u64))
    }

    fn filestat(&mut self, h: HostHandle) -> Result<Filestat, Errno> {
        let m = match self.objects.get(&h.0) {
            Some(Object::File(f)) => f.metadata()?,
            Some(Object::Dir(d)) => d.dir_metadata()?,
            _ => return Err(Errno::Badf),
        };
        Ok(filestat_of(&m))
    }

    fn set_size(&mut self, h: HostHandle, size: u64) -> Result<(), Errno> {
        Ok(self.file(h)?.set_len(size)?)
    }

    fn set_times(
        &mut self,
        h: HostHandle,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), Errno> {
        let times = rustix::fs::Timestamps {
            last_access: timespec(atim),
            last_modification: timespec(mtim),
        };
        match self.objects.get(&h.0) {
            Some(Object::File(f)) => rustix::fs::futimens(f, &times)?,
            Some(Object::Dir(d)) => rustix::fs::futimens(d, &times)?,
            _ => return Err(Errno::Badf),
        }
        Ok(())
    }

    fn sync(&mut self, h: HostHandle, data_only: bool) -> Result<(), Errno> {
        match self.objects.get(&h.0) {
            Some(Object::File(f)) if data_only => f.sync_data()?,
            Some(Object::File(f)) => f.sync_all()?,
            Some(Object::Dir(d)) => rustix::fs::fsync(d)?,
            _ => return Err(Errno::Badf),
        }
        Ok(())
    }

    fn advise(&mut self, h: HostHandle, off: u64, len: u64, a: Advice) -> Result<(), Errno> {
        use rustix::fs::Advice as A;
        let advice = match a {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::WillNeed => A::WillNeed,
            Advice::DontNeed => A::DontNeed,
            Advice::NoReuse => A::NoReuse,
        };
        let f = self.file(h)?;
        rustix::fs::fadvise(f, off, std::num::NonZeroU64::new(len), advice)?;
        Ok(())
    }

    fn allocate(&mut self, h: HostHandle, off: u64, len: u64) -> Result<(), Errno> {
        let f = self.file(h)?;
        match rustix::fs::fallocate(f, rustix::fs::FallocateFlags::empty(), off, len) {
            Ok(()) => Ok(()),
            Err(rustix::io::Errno::OPNOTSUPP) => {
                // Filesystems without fallocate: extend the file instead.
                let end = off.checked_add(len).ok_or(Errno::Fbig)?;
                if f.metadata()?.len() < end {
                    f.set_len(end)?;
                }
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn readdir(&mut self, h: HostHandle) -> Result<Vec<DirEntry>, Errno> {
        use std::os::unix::fs::DirEntryExt;
        let d = self.dir(h)?;
        let mut out = Vec::new();
        for entry in d.entries()? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let filetype = filetype_from(entry.file_type()?);
            out.push(DirEntry {
                ino: entry.ino(),
                filetype,
                name,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn stat_at(&mut self, dir: HostHandle, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let d = self.dir(dir)?;
        let m = if follow {
            d.metadata(path)?
        } else {
            d.symlink_metadata(path)?
        };
        Ok(filestat_of(&m))
    }

    fn set_times_at(
        &mut self,
        dir: HostHandle,
        path: &str,
        follow: bool,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), Errno> {
        let d = self.dir(dir)?;
        if follow {
            d.set_times(path, time_spec(atim), time_spec(mtim))?;
        } else {
            d.set_symlink_times(path, time_spec(atim), time_spec(mtim))?;
        }
        Ok(())
    }

    fn create_dir_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno> {
        Ok(self.dir(dir)?.create_dir(path)?)
    }

    fn remove_dir_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno> {
        Ok(self.dir(dir)?.remove_dir(path)?)
    }

    fn unlink_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno> {
        Ok(self.dir(dir)?.remove_file(path)?)
    }

    fn rename_at(
        &mut self,
        from_dir: HostHandle,
        from: &str,
        to_dir: HostHandle,
        to: &str,
    ) -> Result<(), Errno> {
        let fd = self.dir(from_dir)?;
        let td = self.dir(to_dir)?;
        Ok(fd.rename(from, td, to)?)
    }

    fn link_at(
        &mut self,
        from_dir: HostHandle,
        from: &str,
        to_dir: HostHandle,
        to: &str,
    ) -> Result<(), Errno> {
        let fd = self.dir(from_dir)?;
        let td = self.dir(to_dir)?;
        Ok(fd.hard_link(from, td, to)?)
    }

    fn symlink_at(&mut self, target: &str, dir: HostHandle, path: &str) -> Result<(), Errno> {
        Ok(self.dir(dir)?.symlink(target, path)?)
    }

    fn readlink_at(&mut self, dir: HostHandle, path: &str) -> Result<String, Errno> {
        path_str(self.dir(dir)?.read_link(path)?)
    }

    fn tcp_listen(&mut self, addr: &str) -> Result<HostHandle, Errno> {
        let l = std::net::TcpListener::bind(addr)?;
        l.set_nonblocking(true)?;
        Ok(self.insert(Object::Listener(l)))
    }

    fn sock_accept(&mut self, h: HostHandle) -> Result<Option<HostHandle>, Errno> {
        let l = match self.objects.get(&h.0) {
            Some(Object::Listener(l)) => l,
            Some(Object::Stream(_)) => return Err(Errno::Inval),
            Some(_) => return Err(Errno::Notsock),
            None => return Err(Errno::Badf),
        };
        loop {
            match l.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(true)?;
                    return Ok(Some(self.insert(Object::Stream(s))));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // A connection reset before it was accepted: try the next.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn sock_recv(
        &mut self,
        h: HostHandle,
        buf: &mut [u8],
        peek: bool,
    ) -> Result<Option<usize>, Errno> {
        use std::io::Read;
        let mut s = self.stream(h)?;
        loop {
            let r = if peek { s.peek(buf) } else { s.read(buf) };
            match r {
                Ok(n) => return Ok(Some(n)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn sock_send(&mut self, h: HostHandle, buf: &[u8]) -> Result<Option<usize>, Errno> {
        use std::io::Write;
        let mut s = self.stream(h)?;
        loop {
            match s.write(buf) {
                Ok(n) => return Ok(Some(n)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn sock_shutdown(&mut self, h: HostHandle, how: u8) -> Result<(), Errno> {
        use std::net::Shutdown;
        let s = self.stream(h)?;
        let how = match how & 3 {
            1 => Shutdown::Read,
            2 => Shutdown::Write,
            3 => Shutdown::Both,
            _ => return Err(Errno::Inval),
        };
        s.shutdown(how)?;
        Ok(())
    }

    fn sock_ready(&mut self, h: HostHandle, interest: Interest) -> bool {
        self.poll_many(false, &[(h.0, interest)], Some(Duration::ZERO)) > 0
    }

    fn socks_ready(&mut self, which: &[(HostHandle, Interest)]) -> Vec<bool> {
        let which: Vec<(u64, Interest)> = which.iter().map(|(h, i)| (h.0, *i)).collect();
        self.ready_each(&which)
    }
}
