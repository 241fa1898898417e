//! The raw `wasi_process` imports, exactly as docs/abi.md lists them.
//!
//! Every function returns an errno (preview1 numbering, 0 = success);
//! results go through out-pointers; strings are `(ptr, len)` pairs of UTF-8
//! bytes (not NUL-terminated). On wasm32 every parameter below is an `i32`
//! in the import's signature, except the `i64` of [`spawn_config_limit`].
//!
//! Prefer the safe API of the crate root; these are here for callers that
//! need a call the safe API does not make.

/// An errno as the imports return it (preview1 numbering; 0 = success).
pub type RawErrno = i32;

/// The `status` a [`wait`] writes: 16 bytes, little endian.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// The child's pid (0 with [`WAIT_NOHANG`] when none has ended).
    pub pid: u32,
    /// How it ended: one of the `STATUS_*` constants.
    pub kind: u32,
    /// The exit code (as `u32`), the killer's pid, the trap code or the
    /// limit kind (`LIMIT_EXCEEDED_*`), depending on `kind`.
    pub value: u64,
}

const _: () = assert!(core::mem::size_of::<Status>() == 16);

/// [`wait`] flag: return at once (with `status.pid = 0`) if no matching
/// child has ended.
pub const WAIT_NOHANG: i32 = 1;
/// [`wait`]'s `pid` meaning "any child".
pub const WAIT_ANY: i32 = -1;
/// [`spawn_config_fd`]'s `parent_fd` meaning "a null device".
pub const FD_NULL: i32 = -1;

/// Limit kind for [`spawn_config_limit`]: total fuel the child may consume.
pub const LIMIT_FUEL: i32 = 0;
/// Limit kind for [`spawn_config_limit`]: bytes of linear memory.
pub const LIMIT_MEMORY: i32 = 1;
/// Limit kind for [`spawn_config_limit`]: descendants alive at once.
pub const LIMIT_DESCENDANTS: i32 = 2;
/// Limit kind for [`spawn_config_limit`]: open descriptors.
pub const LIMIT_FDS: i32 = 3;

/// `status.kind`: exited; `value` is the exit code (as `u32`).
pub const STATUS_EXITED: u32 = 0;
/// `status.kind`: killed; `value` is the killer's pid (0 = the runtime).
pub const STATUS_KILLED: u32 = 1;
/// `status.kind`: trapped; `value` is the trap code (`TRAP_*`).
pub const STATUS_TRAPPED: u32 = 2;
/// `status.kind`: used up its fuel budget.
pub const STATUS_OUT_OF_FUEL: u32 = 3;
/// `status.kind`: exceeded a limit; `value` is `LIMIT_EXCEEDED_*`.
pub const STATUS_LIMIT_EXCEEDED: u32 = 4;

/// `status.value` of a `limit exceeded` status: linear memory.
pub const LIMIT_EXCEEDED_MEMORY: u64 = 0;
/// `status.value` of a `limit exceeded` status: processes.
pub const LIMIT_EXCEEDED_PROCESSES: u64 = 1;
/// `status.value` of a `limit exceeded` status: open descriptors.
pub const LIMIT_EXCEEDED_FDS: u64 = 2;

/// Trap code: `unreachable` executed.
pub const TRAP_UNREACHABLE: u32 = 1;
/// Trap code: out of bounds memory access.
pub const TRAP_MEMORY_OUT_OF_BOUNDS: u32 = 2;
/// Trap code: out of bounds table access.
pub const TRAP_TABLE_OUT_OF_BOUNDS: u32 = 3;
/// Trap code: undefined element.
pub const TRAP_UNDEFINED_ELEMENT: u32 = 4;
/// Trap code: uninitialized element.
pub const TRAP_UNINITIALIZED_ELEMENT: u32 = 5;
/// Trap code: indirect call type mismatch.
pub const TRAP_INDIRECT_CALL_TYPE_MISMATCH: u32 = 6;
/// Trap code: integer divide by zero.
pub const TRAP_INTEGER_DIVIDE_BY_ZERO: u32 = 7;
/// Trap code: integer overflow.
pub const TRAP_INTEGER_OVERFLOW: u32 = 8;
/// Trap code: invalid conversion to integer.
pub const TRAP_INVALID_CONVERSION_TO_INTEGER: u32 = 9;
/// Trap code: null reference.
pub const TRAP_NULL_REFERENCE: u32 = 10;
/// Trap code: call stack exhausted.
pub const TRAP_CALL_STACK_EXHAUSTED: u32 = 11;
/// Trap code: any other trap (raised by the host).
pub const TRAP_OTHER: u32 = 14;

#[link(wasm_import_module = "wasi_process")]
unsafe extern "C" {
    /// Creates an empty spawn configuration; writes its handle to `out_cfg`.
    pub fn spawn_config_new(out_cfg: *mut u32) -> RawErrno;
    /// Frees a configuration. `EBADF` if unknown.
    pub fn spawn_config_drop(cfg: u32) -> RawErrno;
    /// Appends one argument (the first is the child's `argv[0]`).
    pub fn spawn_config_arg(cfg: u32, ptr: *const u8, len: usize) -> RawErrno;
    /// Appends one environment variable, `NAME=VALUE` (`EINVAL` without `=`).
    pub fn spawn_config_env(cfg: u32, ptr: *const u8, len: usize) -> RawErrno;
    /// Grants the directory the parent holds at `fd`, preopened at the guest
    /// path `path`; `read_only = 1` narrows it.
    pub fn spawn_config_dir(
        cfg: u32,
        fd: i32,
        path_ptr: *const u8,
        path_len: usize,
        read_only: i32,
    ) -> RawErrno;
    /// Makes the child's `child_fd` a second handle to the parent's
    /// `parent_fd` ([`FD_NULL`]: a null device).
    pub fn spawn_config_fd(cfg: u32, parent_fd: i32, child_fd: i32) -> RawErrno;
    /// Lets the child spawn this module.
    pub fn spawn_config_allow(cfg: u32, ptr: *const u8, len: usize) -> RawErrno;
    /// Sets a limit of kind `LIMIT_*`.
    pub fn spawn_config_limit(cfg: u32, kind: i32, value: i64) -> RawErrno;
    /// Starts a child running `module`'s `_start`; writes its pid.
    pub fn spawn(cfg: u32, module_ptr: *const u8, module_len: usize, out_pid: *mut u32)
    -> RawErrno;
    /// Waits for child `pid` ([`WAIT_ANY`]: any child), reaps it and writes
    /// its status. `flags`: [`WAIT_NOHANG`].
    pub fn wait(pid: i32, flags: i32, out_status: *mut Status) -> RawErrno;
    /// Ends process `pid` (a descendant) and all its descendants.
    pub fn kill(pid: i32) -> RawErrno;
    /// Creates a pipe; writes the read and write descriptors.
    pub fn pipe(out_read_fd: *mut u32, out_write_fd: *mut u32) -> RawErrno;
    /// Writes the caller's pid.
    pub fn getpid(out_pid: *mut u32) -> RawErrno;
    /// Writes the parent's pid (0 for the root).
    pub fn getppid(out_pid: *mut u32) -> RawErrno;
}
