/* seed_run: the seed's multi-process example through wasiproc.h.
 * parent_orchestrator.wasm spawns child_worker.wasm 10 25 and waits for it.
 * The run is recorded into memory, its captured stdout and every process's
 * status are printed, and the recording is replayed (from the buffer and
 * from a file) and verified.
 * Usage: seed_run PARENT.wasm CHILD.wasm TRACE-FILE */
#include "common.h"
#include "wasiproc.h"

/* Prints an error's message, deletes it and exits. */
static void fail_on(wasiproc_error_t* error, const char* what) {
  if (error == NULL) return;
  wasm_name_t message;
  wasiproc_error_message(error, &message);
  printf("> %s failed: %.*s\n", what, (int)message.size, message.data);
  wasm_byte_vec_delete(&message);
  wasiproc_error_delete(error);
  exit(1);
}

static const char* kind_name(uint32_t kind) {
  switch (kind) {
    case WASIPROC_STATUS_EXITED: return "exited";
    case WASIPROC_STATUS_KILLED: return "killed";
    case WASIPROC_STATUS_TRAPPED: return "trapped";
    case WASIPROC_STATUS_OUT_OF_FUEL: return "out of fuel";
    case WASIPROC_STATUS_LIMIT_EXCEEDED: return "limit exceeded";
    default: return "?";
  }
}

/* Prints the report: root status, processes; checks the fuel adds up. */
static void print_report(const wasiproc_report_t* report) {
  wasiproc_status_t status;
  check(wasiproc_report_status(report, &status));
  printf("Root: %s %" PRIu64 " (exit code %" PRId32 ")\n", kind_name(status.kind),
         status.value, wasiproc_report_exit_code(report));
  size_t n = wasiproc_report_process_count(report);
  uint64_t fuel = 0;
  for (size_t i = 0; i < n; i++) {
    wasiproc_process_t p;
    wasm_name_t module, text;
    check(wasiproc_report_process(report, i, &p));
    check(wasiproc_report_process_module(report, i, &module));
    check(wasiproc_report_process_status_text(report, i, &text));
    printf("pid %" PRIu32 " (parent %" PRIu32 ") %.*s: %s %" PRIu64 ", %.*s\n", p.pid,
           p.parent, (int)module.size, module.data, kind_name(p.status.kind),
           p.status.value, (int)text.size, text.data);
    check(p.fuel > 0);
    fuel += p.fuel;
    wasm_byte_vec_delete(&module);
    wasm_byte_vec_delete(&text);
  }
  check(!wasiproc_report_process(report, n, &(wasiproc_process_t){0}));
  printf("Fuel: the processes' sum is the run's total: %s\n",
         fuel == wasiproc_report_fuel(report) ? "yes" : "no");
  wasm_name_t trap;
  check(!wasiproc_report_trap(report, &trap)); /* the root did not trap */
}

int main(int argc, const char* argv[]) {
  check(argc == 4);
  wasm_byte_vec_t parent;
  read_binary(argv[1], &parent);

  printf("Running the seed example...\n");
  wasiproc_run_t* run = wasiproc_run_new("parent_orchestrator.wasm", &parent);
  wasm_byte_vec_delete(&parent);
  check(run != NULL);
  fail_on(wasiproc_run_allow_command_file(run, "child_worker.wasm", argv[2]),
          "allow_command_file");
  check(wasiproc_run_stdout(run, WASIPROC_OUTPUT_CAPTURE, 0));
  check(wasiproc_run_stderr(run, WASIPROC_OUTPUT_CAPTURE, 4096));
  check(wasiproc_run_stdin_bytes(run, NULL));
  check(wasiproc_run_deterministic(run, 42));
  check(wasiproc_run_fuel(run, 1000000000));
  check(wasiproc_run_max_processes(run, 4));
  check(wasiproc_run_record_buffer(run));

  wasiproc_report_t* report = NULL;
  fail_on(wasiproc_run_execute(run, &report), "execute");
  check(report != NULL);

  wasm_byte_vec_t out, err;
  check(wasiproc_report_stdout(report, &out));
  printf("--- captured stdout ---\n%.*s--- end ---\n", (int)out.size, out.data);
  check(wasiproc_report_stderr(report, &err));
  printf("Captured stderr: %zu bytes\n", err.size);
  wasm_byte_vec_delete(&err);
  print_report(report);

  wasm_byte_vec_t trace;
  check(wasiproc_run_recording(run, &trace));
  check(trace.size > 0);
  FILE* file = fopen(argv[3], "wb");
  check(file != NULL);
  check(fwrite(trace.data, 1, trace.size, file) == trace.size);
  fclose(file);

  printf("Replaying from the buffer (verified)...\n");
  wasiproc_replay_t* replay = NULL;
  fail_on(wasiproc_replay_new(&trace, &replay), "replay_new");
  check(wasiproc_replay_stdout(replay, WASIPROC_OUTPUT_CAPTURE, 0));
  check(wasiproc_replay_stderr(replay, WASIPROC_OUTPUT_NULL, 0));
  wasiproc_report_t* again = NULL;
  fail_on(wasiproc_replay_execute(replay, true, &again), "replay_execute");
  wasm_byte_vec_t out2;
  check(wasiproc_report_stdout(again, &out2));
  printf("Same stdout: %s\n",
         out2.size == out.size && memcmp(out2.data, out.data, out.size) == 0 ? "yes" : "no");
  printf("Same fuel: %s\n",
         wasiproc_report_fuel(again) == wasiproc_report_fuel(report) ? "yes" : "no");
  wasm_byte_vec_delete(&out2);
  wasiproc_report_delete(again);

  /* Too little fuel: the replay leaves the recorded path. */
  check(wasiproc_replay_fuel(replay, 1000));
  wasiproc_error_t* error = wasiproc_replay_execute(replay, true, &again);
  check(error != NULL && again == NULL);
  printf("Replay with 1000 fuel: refused\n");
  wasiproc_error_delete(error);
  wasiproc_replay_delete(replay);

  printf("Replaying from the file (verified)...\n");
  fail_on(wasiproc_replay_new_from_file(argv[3], &replay), "replay_new_from_file");
  check(wasiproc_replay_stdout(replay, WASIPROC_OUTPUT_NULL, 0));
  fail_on(wasiproc_replay_execute(replay, true, &again), "replay_execute");
  print_report(again);
  check(!wasiproc_report_stdout(again, &out2)); /* not captured this time */
  wasiproc_report_delete(again);
  wasiproc_replay_delete(replay);

  /* A damaged trace is refused where it is given. */
  trace.data[trace.size / 2] ^= 0x55;
  error = wasiproc_replay_new(&trace, &replay);
  printf("Damaged trace: %s\n", error != NULL && replay == NULL ? "refused" : "accepted");
  wasiproc_error_delete(error);
  wasm_byte_vec_delete(&trace);

  /* Errors carry a message. */
  wasiproc_run_t* missing = NULL;
  error = wasiproc_run_new_from_file("/nonexistent/x.wasm", &missing);
  check(error != NULL && missing == NULL);
  wasm_name_t message;
  wasiproc_error_message(error, &message);
  printf("Missing module: %.*s\n", (int)message.size, message.data);
  wasm_byte_vec_delete(&message);
  wasiproc_error_delete(error);

  /* NULL everywhere is refused without acting. */
  check(wasiproc_run_new(NULL, NULL) == NULL);
  check(!wasiproc_run_arg(NULL, "x"));
  check(!wasiproc_run_arg(run, NULL));
  check(!wasiproc_run_env(run, "A=B", "c"));
  check(!wasiproc_run_stdout(run, 7, 0));
  wasiproc_report_t* none = NULL;
  error = wasiproc_run_execute(NULL, &none);
  check(error != NULL && none == NULL);
  wasiproc_error_delete(error);
  check(wasiproc_report_exit_code(NULL) == -1);
  check(wasiproc_report_process_count(NULL) == 0);
  wasiproc_report_delete(NULL);
  wasiproc_run_delete(NULL);

  wasm_byte_vec_delete(&out);
  wasiproc_report_delete(report);
  wasiproc_run_delete(run);
  printf("Done.\n");
  return 0;
}
