/*
 * wasiproc.h -- the wasiproc extension of the WebAssembly C API
 * (libwasiproc.a / libwasiproc.so).
 *
 * Two parts, both absent from other C APIs:
 *
 *   - Runs: configure and execute a multi-process WASI program (modules,
 *     commands it may spawn, arguments, environment, directory grants,
 *     limits, deterministic seed, stdio), record it to a file or a buffer,
 *     replay a recording, and read the report (exit statuses of the root and
 *     of every process, fuel, captured output).
 *   - Fuel on the wasm.h objects: fuel metering, a store's total fuel, and
 *     calls with a fuel budget that return a resumable handle when the
 *     budget runs out.
 *
 * Ownership follows wasm.h: `own` results belong to the caller, who
 * releases them with the matching _delete; `own` output parameters are
 * written by the callee (old contents are neither read nor freed). Every
 * function accepts NULL for any pointer and then fails without acting.
 * Strings (`const char*`) are NUL-terminated UTF-8. Functions that can fail
 * for a reason worth telling return an `own wasiproc_error_t*` (NULL on
 * success); the others return `false`. docs/embedding-c.md documents each
 * function.
 */

#ifndef WASIPROC_H
#define WASIPROC_H

#include "wasm.h"

/* wasm.h undefines its `own` marker at its end; it is used here the same way
 * (and left as the includer had it). */
#ifndef own
#define own
#define WASIPROC_H_DEFINED_OWN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Exception handling
 *
 * wasm.h has no kinds for exception handling. A value of type exnref has
 * kind WASIPROC_EXNREF and crosses the C API as a null reference; exception
 * tags are left out of wasm_module_imports/exports and wasm_instance_exports,
 * and wasm_instance_new refuses a module that imports one. An exception no
 * handler catches ends a call with a trap ("uncaught exception").
 * ---------------------------------------------------------------------- */

#define WASIPROC_EXNREF ((wasm_valkind_t)130)
/* A null reference of the GC `any` hierarchy (anyref, nullref, ...): the
 * only values of it the engine has, since it lacks the GC instructions. */
#define WASIPROC_ANYREF ((wasm_valkind_t)131)

/* ------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------- */

typedef struct wasiproc_error_t wasiproc_error_t;

WASM_API_EXTERN void wasiproc_error_delete(own wasiproc_error_t*);
/* The message, one line, not NUL-terminated. */
WASM_API_EXTERN void wasiproc_error_message(const wasiproc_error_t*, own wasm_name_t* out);

/* ------------------------------------------------------------------------
 * Runs
 * ---------------------------------------------------------------------- */

typedef struct wasiproc_run_t wasiproc_run_t;
typedef struct wasiproc_replay_t wasiproc_replay_t;
typedef struct wasiproc_report_t wasiproc_report_t;

/* Where a standard stream of the root process goes. */
enum wasiproc_output_enum {
  WASIPROC_OUTPUT_INHERIT = 0, /* the host's own stream */
  WASIPROC_OUTPUT_NULL = 1,    /* thrown away */
  WASIPROC_OUTPUT_CAPTURE = 2, /* kept in memory, read from the report */
};

/* Exit status kinds (docs/abi.md). */
enum wasiproc_status_kind_enum {
  WASIPROC_STATUS_EXITED = 0,         /* value: the exit code (as uint32) */
  WASIPROC_STATUS_KILLED = 1,         /* value: the killer's pid (0: the runtime) */
  WASIPROC_STATUS_TRAPPED = 2,        /* value: the trap code */
  WASIPROC_STATUS_OUT_OF_FUEL = 3,    /* value: 0 */
  WASIPROC_STATUS_LIMIT_EXCEEDED = 4, /* value: the limit */
};

typedef struct wasiproc_status_t {
  uint32_t kind;
  uint64_t value;
} wasiproc_status_t;

typedef struct wasiproc_process_t {
  uint32_t pid;
  uint32_t parent;
  wasiproc_status_t status;
  uint64_t fuel;
  size_t peak_memory;
} wasiproc_process_t;

WASM_API_EXTERN own wasiproc_run_t* wasiproc_run_new(const char* name, const wasm_byte_vec_t* wasm);
WASM_API_EXTERN own wasiproc_error_t* wasiproc_run_new_from_file(
    const char* path, own wasiproc_run_t** out);
WASM_API_EXTERN void wasiproc_run_delete(own wasiproc_run_t*);

WASM_API_EXTERN bool wasiproc_run_allow_command(
    wasiproc_run_t*, const char* name, const wasm_byte_vec_t* wasm);
WASM_API_EXTERN own wasiproc_error_t* wasiproc_run_allow_command_file(
    wasiproc_run_t*, const char* name, const char* path);
WASM_API_EXTERN bool wasiproc_run_arg(wasiproc_run_t*, const char* arg);
WASM_API_EXTERN bool wasiproc_run_env(wasiproc_run_t*, const char* name, const char* value);
WASM_API_EXTERN bool wasiproc_run_dir(
    wasiproc_run_t*, const char* host, const char* guest, bool read_only);
WASM_API_EXTERN bool wasiproc_run_fuel(wasiproc_run_t*, uint64_t fuel);
WASM_API_EXTERN bool wasiproc_run_max_memory(wasiproc_run_t*, size_t bytes);
WASM_API_EXTERN bool wasiproc_run_max_processes(wasiproc_run_t*, size_t n);
WASM_API_EXTERN bool wasiproc_run_slice(wasiproc_run_t*, uint64_t fuel);
WASM_API_EXTERN bool wasiproc_run_deterministic(wasiproc_run_t*, uint64_t seed);
WASM_API_EXTERN bool wasiproc_run_stdin_bytes(wasiproc_run_t*, const wasm_byte_vec_t* bytes);
WASM_API_EXTERN bool wasiproc_run_stdout(wasiproc_run_t*, uint32_t mode, size_t capture_limit);
WASM_API_EXTERN bool wasiproc_run_stderr(wasiproc_run_t*, uint32_t mode, size_t capture_limit);
WASM_API_EXTERN bool wasiproc_run_record_file(wasiproc_run_t*, const char* path);
WASM_API_EXTERN bool wasiproc_run_record_buffer(wasiproc_run_t*);
WASM_API_EXTERN bool wasiproc_run_recording(const wasiproc_run_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN own wasiproc_error_t* wasiproc_run_execute(
    wasiproc_run_t*, own wasiproc_report_t** out);

WASM_API_EXTERN own wasiproc_error_t* wasiproc_replay_new(
    const wasm_byte_vec_t* trace, own wasiproc_replay_t** out);
WASM_API_EXTERN own wasiproc_error_t* wasiproc_replay_new_from_file(
    const char* path, own wasiproc_replay_t** out);
WASM_API_EXTERN void wasiproc_replay_delete(own wasiproc_replay_t*);
WASM_API_EXTERN bool wasiproc_replay_fuel(wasiproc_replay_t*, uint64_t fuel);
WASM_API_EXTERN bool wasiproc_replay_max_memory(wasiproc_replay_t*, size_t bytes);
WASM_API_EXTERN bool wasiproc_replay_stdout(wasiproc_replay_t*, uint32_t mode, size_t capture_limit);
WASM_API_EXTERN bool wasiproc_replay_stderr(wasiproc_replay_t*, uint32_t mode, size_t capture_limit);
WASM_API_EXTERN own wasiproc_error_t* wasiproc_replay_execute(
    const wasiproc_replay_t*, bool verify, own wasiproc_report_t** out);

WASM_API_EXTERN void wasiproc_report_delete(own wasiproc_report_t*);
WASM_API_EXTERN bool wasiproc_report_status(const wasiproc_report_t*, wasiproc_status_t* out);
WASM_API_EXTERN int32_t wasiproc_report_exit_code(const wasiproc_report_t*);
WASM_API_EXTERN uint64_t wasiproc_report_fuel(const wasiproc_report_t*);
WASM_API_EXTERN bool wasiproc_report_stdout(const wasiproc_report_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN bool wasiproc_report_stderr(const wasiproc_report_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN bool wasiproc_report_trap(const wasiproc_report_t*, own wasm_name_t* out);
WASM_API_EXTERN size_t wasiproc_report_process_count(const wasiproc_report_t*);
WASM_API_EXTERN bool wasiproc_report_process(
    const wasiproc_report_t*, size_t i, wasiproc_process_t* out);
WASM_API_EXTERN bool wasiproc_report_process_module(
    const wasiproc_report_t*, size_t i, own wasm_name_t* out);
WASM_API_EXTERN bool wasiproc_report_process_status_text(
    const wasiproc_report_t*, size_t i, own wasm_name_t* out);

/* ------------------------------------------------------------------------
 * Fuel and resumable calls
 * ---------------------------------------------------------------------- */

typedef struct wasiproc_resumable_t wasiproc_resumable_t;

WASM_API_EXTERN void wasiproc_config_consume_fuel(wasm_config_t*, bool enable);
WASM_API_EXTERN bool wasiproc_store_set_fuel(wasm_store_t*, uint64_t fuel);
WASM_API_EXTERN bool wasiproc_store_get_fuel(const wasm_store_t*, uint64_t* out);
WASM_API_EXTERN uint64_t wasiproc_store_fuel_consumed(const wasm_store_t*);

WASM_API_EXTERN own wasm_trap_t* wasiproc_func_call_with_fuel(
    const wasm_func_t*, const wasm_val_vec_t* args, wasm_val_vec_t* results,
    uint64_t fuel, own wasiproc_resumable_t** resumable);
WASM_API_EXTERN own wasm_trap_t* wasiproc_resumable_resume(
    wasiproc_resumable_t*, uint64_t fuel, wasm_val_vec_t* results);
WASM_API_EXTERN bool wasiproc_resumable_finished(const wasiproc_resumable_t*);
WASM_API_EXTERN uint64_t wasiproc_resumable_fuel_consumed(const wasiproc_resumable_t*);
WASM_API_EXTERN void wasiproc_resumable_delete(own wasiproc_resumable_t*);

#ifdef __cplusplus
} /* extern "C" */
#endif

#ifdef WASIPROC_H_DEFINED_OWN
#undef own
#undef WASIPROC_H_DEFINED_OWN
#endif

#endif /* WASIPROC_H */
