/*
 * wasi_process.h — the raw `wasi_process` imports of wasiproc
 * (docs/abi.md), for C guests built for wasm32-wasip1 (e.g. with wasi-sdk:
 * `clang --target=wasm32-wasip1 app.c`).
 *
 * Style is preview1's: every function returns an errno (preview1
 * numbering, 0 = success); results go through out-pointers; strings are
 * (pointer, length) pairs of UTF-8 bytes, not NUL-terminated.
 *
 * Example (errors unchecked for brevity):
 *
 *     uint32_t cfg, pid;
 *     wasi_process_status_t st;
 *     wasi_process_spawn_config_new(&cfg);
 *     wasi_process_spawn_config_arg(cfg, "child_worker.wasm", 17);
 *     wasi_process_spawn_config_arg(cfg, "10", 2);
 *     wasi_process_spawn_config_arg(cfg, "25", 2);
 *     wasi_process_spawn(cfg, "child_worker.wasm", 17, &pid);
 *     wasi_process_spawn_config_drop(cfg);
 *     wasi_process_wait((int32_t)pid, 0, &st);
 *     // st.kind == WASI_PROCESS_STATUS_EXITED, st.value == 0
 */
#ifndef WASI_PROCESS_H
#define WASI_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WASI_PROCESS_IMPORT(name) \
    __attribute__((import_module("wasi_process"), import_name(name)))

/* An errno, preview1 numbering. */
typedef uint16_t wasi_process_errno_t;

/* The status `wait` writes: 16 bytes, little endian. */
typedef struct wasi_process_status {
    uint32_t pid;   /* the child's pid (0 with NOHANG when none has ended) */
    uint32_t kind;  /* WASI_PROCESS_STATUS_* */
    uint64_t value; /* exit code (as uint32), killer's pid (0 = runtime),
                       trap code (WASI_PROCESS_TRAP_*), or limit kind
                       (WASI_PROCESS_LIMIT_EXCEEDED_*) */
} wasi_process_status_t;

#ifdef __cplusplus
static_assert(sizeof(wasi_process_status_t) == 16, "status is 16 bytes");
static_assert(offsetof(wasi_process_status_t, value) == 8, "value at offset 8");
#else
_Static_assert(sizeof(wasi_process_status_t) == 16, "status is 16 bytes");
_Static_assert(offsetof(wasi_process_status_t, value) == 8, "value at offset 8");
#endif

/* wait: `pid` for any child; `flags` bit 0. */
#define WASI_PROCESS_WAIT_ANY (-1)
#define WASI_PROCESS_WAIT_NOHANG 1
/* spawn_config_fd: `parent_fd` for a null device. */
#define WASI_PROCESS_FD_NULL (-1)

/* spawn_config_limit kinds. */
#define WASI_PROCESS_LIMIT_FUEL 0        /* total fuel of the child and its descendants */
#define WASI_PROCESS_LIMIT_MEMORY 1      /* bytes the child and its descendants hold */
#define WASI_PROCESS_LIMIT_DESCENDANTS 2 /* descendants alive at once */
#define WASI_PROCESS_LIMIT_FDS 3         /* open descriptors */

/* status.kind */
#define WASI_PROCESS_STATUS_EXITED 0
#define WASI_PROCESS_STATUS_KILLED 1
#define WASI_PROCESS_STATUS_TRAPPED 2
#define WASI_PROCESS_STATUS_OUT_OF_FUEL 3
#define WASI_PROCESS_STATUS_LIMIT_EXCEEDED 4

/* status.value of a `limit exceeded` status. */
#define WASI_PROCESS_LIMIT_EXCEEDED_MEMORY 0
#define WASI_PROCESS_LIMIT_EXCEEDED_PROCESSES 1
#define WASI_PROCESS_LIMIT_EXCEEDED_FDS 2

/* status.value of a `trapped` status. */
#define WASI_PROCESS_TRAP_UNREACHABLE 1
#define WASI_PROCESS_TRAP_MEMORY_OUT_OF_BOUNDS 2
#define WASI_PROCESS_TRAP_TABLE_OUT_OF_BOUNDS 3
#define WASI_PROCESS_TRAP_UNDEFINED_ELEMENT 4
#define WASI_PROCESS_TRAP_UNINITIALIZED_ELEMENT 5
#define WASI_PROCESS_TRAP_INDIRECT_CALL_TYPE_MISMATCH 6
#define WASI_PROCESS_TRAP_INTEGER_DIVIDE_BY_ZERO 7
#define WASI_PROCESS_TRAP_INTEGER_OVERFLOW 8
#define WASI_PROCESS_TRAP_INVALID_CONVERSION_TO_INTEGER 9
#define WASI_PROCESS_TRAP_NULL_REFERENCE 10
#define WASI_PROCESS_TRAP_CALL_STACK_EXHAUSTED 11
#define WASI_PROCESS_TRAP_OTHER 14

/* The errnos these calls return (preview1 numbers). */
#define WASI_PROCESS_ESUCCESS 0
#define WASI_PROCESS_EAGAIN 6       /* a process limit is reached */
#define WASI_PROCESS_EBADF 8        /* unknown fd or configuration */
#define WASI_PROCESS_ECHILD 12      /* no such child to wait for */
#define WASI_PROCESS_EFAULT 21      /* pointer outside guest memory */
#define WASI_PROCESS_EINVAL 28      /* bad argument (env without '=', kind) */
#define WASI_PROCESS_EMFILE 33      /* too many open descriptors */
#define WASI_PROCESS_ENOENT 44      /* module allowed but cannot be loaded */
#define WASI_PROCESS_ENOTSUP 58     /* descriptor cannot be shared */
#define WASI_PROCESS_EPERM 63       /* not a descendant */
#define WASI_PROCESS_ESRCH 71       /* no such process */
#define WASI_PROCESS_ENOTCAPABLE 76 /* not the caller's to give or spawn */

/* Creates an empty spawn configuration; writes its handle. */
WASI_PROCESS_IMPORT("spawn_config_new")
wasi_process_errno_t wasi_process_spawn_config_new(uint32_t *out_cfg);

/* Frees a configuration. EBADF if unknown. */
WASI_PROCESS_IMPORT("spawn_config_drop")
wasi_process_errno_t wasi_process_spawn_config_drop(uint32_t cfg);

/* Appends one argument; the first is the child's argv[0] (default: the
 * module name). */
WASI_PROCESS_IMPORT("spawn_config_arg")
wasi_process_errno_t wasi_process_spawn_config_arg(uint32_t cfg, const char *ptr, size_t len);

/* Appends one environment variable, "NAME=VALUE" (EINVAL without '='). */
WASI_PROCESS_IMPORT("spawn_config_env")
wasi_process_errno_t wasi_process_spawn_config_env(uint32_t cfg, const char *ptr, size_t len);

/* Grants the directory the parent holds at `fd`, preopened in the child at
 * `path`; read_only = 1 narrows it. ENOTCAPABLE for wider rights than the
 * parent's, EBADF if `fd` is not an open directory. */
WASI_PROCESS_IMPORT("spawn_config_dir")
wasi_process_errno_t wasi_process_spawn_config_dir(uint32_t cfg, int32_t fd, const char *path_ptr,
                                                   size_t path_len, int32_t read_only);

/* The child's `child_fd` becomes a second handle to the parent's
 * `parent_fd` (WASI_PROCESS_FD_NULL: a null device). 0, 1, 2 redirect
 * stdio (inherited when not mapped). */
WASI_PROCESS_IMPORT("spawn_config_fd")
wasi_process_errno_t wasi_process_spawn_config_fd(uint32_t cfg, int32_t parent_fd, int32_t child_fd);

/* Lets the child spawn `module` (ENOTCAPABLE unless the parent may). */
WASI_PROCESS_IMPORT("spawn_config_allow")
wasi_process_errno_t wasi_process_spawn_config_allow(uint32_t cfg, const char *ptr, size_t len);

/* Sets a limit (WASI_PROCESS_LIMIT_*); no wider than the parent's
 * remaining limit (ENOTCAPABLE). EINVAL for an unknown kind. */
WASI_PROCESS_IMPORT("spawn_config_limit")
wasi_process_errno_t wasi_process_spawn_config_limit(uint32_t cfg, int32_t kind, int64_t value);

/* Starts a child running `module`'s _start; writes its pid. The
 * configuration stays usable. ENOTCAPABLE if not allowed, EAGAIN at a
 * process limit, ENOENT if the module cannot be loaded. */
WASI_PROCESS_IMPORT("spawn")
wasi_process_errno_t wasi_process_spawn(uint32_t cfg, const char *module_ptr, size_t module_len,
                                        uint32_t *out_pid);

/* Waits for child `pid` (WASI_PROCESS_WAIT_ANY: any), reaps it and writes
 * its status. With WASI_PROCESS_WAIT_NOHANG, returns at once with
 * status.pid = 0 if none has ended. ECHILD if there is no such child. */
WASI_PROCESS_IMPORT("wait")
wasi_process_errno_t wasi_process_wait(int32_t pid, int32_t flags, wasi_process_status_t *out_status);

/* Ends descendant `pid` and its descendants. EPERM if not a descendant,
 * ESRCH if it never existed or was reaped. */
WASI_PROCESS_IMPORT("kill")
wasi_process_errno_t wasi_process_kill(int32_t pid);

/* Creates a pipe (64 KiB); writes its read and write descriptors. */
WASI_PROCESS_IMPORT("pipe")
wasi_process_errno_t wasi_process_pipe(uint32_t *out_read_fd, uint32_t *out_write_fd);

/* Writes the caller's pid (the root is 1). */
WASI_PROCESS_IMPORT("getpid")
wasi_process_errno_t wasi_process_getpid(uint32_t *out_pid);

/* Writes the parent's pid (0 for the root). */
WASI_PROCESS_IMPORT("getppid")
wasi_process_errno_t wasi_process_getppid(uint32_t *out_pid);

#undef WASI_PROCESS_IMPORT

#ifdef __cplusplus
}
#endif

#endif /* WASI_PROCESS_H */
