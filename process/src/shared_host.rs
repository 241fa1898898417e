//! One host environment shared by every process of a run.
//!
//! All processes see the same clocks, random stream, stdin and host
//! filesystem through one [`HostEnv`], so a run has a single door for
//! nondeterminism (and, later, a single trace). Handles are reference
//! counted: a directory or file granted to a child is the same host handle
//! retained once more, and is released when its last holder closes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use wasiproc_wasi::errno::Errno;
use wasiproc_wasi::types::{Advice, DirEntry, Filestat, Filetype, NewTimestamp};
use wasiproc_wasi::{BlockedOn, Halt, HostEnv, HostHandle, Interest, OpenRequest};

struct Shared {
    host: Box<dyn HostEnv>,
    /// Extra holders of a handle beyond the first.
    extra_refs: HashMap<HostHandle, u32>,
}

/// A cloneable handle to the run's host environment.
#[derive(Clone)]
pub struct SharedHost {
    shared: Arc<(Mutex<Shared>, Option<Halt>)>,
}

impl std::fmt::Debug for SharedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedHost")
    }
}

impl SharedHost {
    /// Shares `host` among all processes of a run.
    pub fn new(mut host: Box<dyn HostEnv>) -> Self {
        // Asked once: every context built on this handle gets it without
        // taking the lock.
        let halt = host.halt();
        SharedHost {
            shared: Arc::new((
                Mutex::new(Shared {
                    host,
                    extra_refs: HashMap::new(),
                }),
                halt,
            )),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The failure that ends the run, if the host reported one ([`Halt`]).
    #[inline]
    pub fn halted(&self) -> Option<&str> {
        self.shared.1.as_ref().and_then(Halt::reason)
    }

    /// Counts one more holder of `h` (a grant to another process).
    pub fn retain(&self, h: HostHandle) {
        *self.lock().extra_refs.entry(h).or_insert(0) += 1;
    }
}

macro_rules! forward {
    ($( fn $name:ident(&mut self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        $(
            fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                self.lock().host.$name($($arg),*)
            }
        )*
    };
}

impl HostEnv for SharedHost {
    forward! {
        fn wall_clock(&mut self) -> Result<u64, Errno>;
        fn monotonic_now(&mut self) -> u64;
        fn clock_resolution(&mut self, realtime: bool) -> u64;
        fn random(&mut self, buf: &mut [u8]) -> ();
        fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno>;
        fn stdin_ready(&mut self) -> bool;
        fn stdin_is_terminal(&mut self) -> bool;
        fn wait(&mut self, on: &BlockedOn) -> Result<(), String>;
        fn open_preopen(&mut self, host_path: &std::path::Path) -> Result<HostHandle, Errno>;
        fn open_at(&mut self, dir: HostHandle, path: &str, req: &OpenRequest) -> Result<(HostHandle, Filetype), Errno>;
        fn read_at(&mut self, h: HostHandle, buf: &mut [u8], offset: u64) -> Result<usize, Errno>;
        fn write_at(&mut self, h: HostHandle, buf: &[u8], offset: u64) -> Result<usize, Errno>;
        fn append(&mut self, h: HostHandle, buf: &[u8]) -> Result<(usize, u64), Errno>;
        fn filestat(&mut self, h: HostHandle) -> Result<Filestat, Errno>;
        fn set_size(&mut self, h: HostHandle, size: u64) -> Result<(), Errno>;
        fn set_times(&mut self, h: HostHandle, atim: NewTimestamp, mtim: NewTimestamp) -> Result<(), Errno>;
        fn sync(&mut self, h: HostHandle, data_only: bool) -> Result<(), Errno>;
        fn advise(&mut self, h: HostHandle, off: u64, len: u64, a: Advice) -> Result<(), Errno>;
        fn allocate(&mut self, h: HostHandle, off: u64, len: u64) -> Result<(), Errno>;
        fn readdir(&mut self, h: HostHandle) -> Result<Vec<DirEntry>, Errno>;
        fn stat_at(&mut self, dir: HostHandle, path: &str, follow: bool) -> Result<Filestat, Errno>;
        fn set_times_at(&mut self, dir: HostHandle, path: &str, follow: bool, atim: NewTimestamp, mtim: NewTimestamp) -> Result<(), Errno>;
        fn create_dir_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno>;
        fn remove_dir_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno>;
        fn unlink_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno>;
        fn rename_at(&mut self, from_dir: HostHandle, from: &str, to_dir: HostHandle, to: &str) -> Result<(), Errno>;
        fn link_at(&mut self, from_dir: HostHandle, from: &str, to_dir: HostHandle, to: &str) -> Result<(), Errno>;
        fn symlink_at(&mut self, target: &str, dir: HostHandle, path: &str) -> Result<(), Errno>;
        fn readlink_at(&mut self, dir: HostHandle, path: &str) -> Result<String, Errno>;
        fn tcp_listen(&mut self, addr: &str) -> Result<HostHandle, Errno>;
        fn sock_accept(&mut self, h: HostHandle) -> Result<Option<HostHandle>, Errno>;
        fn sock_recv(&mut self, h: HostHandle, buf: &mut [u8], peek: bool) -> Result<Option<usize>, Errno>;
        fn sock_send(&mut self, h: HostHandle, buf: &[u8]) -> Result<Option<usize>, Errno>;
        fn sock_shutdown(&mut self, h: HostHandle, how: u8) -> Result<(), Errno>;
        fn sock_ready(&mut self, h: HostHandle, interest: Interest) -> bool;
        fn socks_ready(&mut self, which: &[(HostHandle, Interest)]) -> Vec<bool>;
    }

    fn halt(&mut self) -> Option<Halt> {
        self.shared.1.clone()
    }

    fn close(&mut self, h: HostHandle) {
        let mut shared = self.lock();
        match shared.extra_refs.get_mut(&h) {
            Some(n) if *n > 1 => *n -= 1,
            Some(_) => {
                shared.extra_refs.remove(&h);
            }
            None => shared.host.close(h),
        }
    }
}
