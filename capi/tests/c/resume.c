/* resume: a counting loop called with small fuel budgets through
 * wasiproc.h, resumed until it finishes; the store's total fuel as a hard
 * limit; abandoning a pending call; the refusals. */
#include "common.h"
#include "wasiproc.h"

#define BUDGET 1000
#define N 1000

static void print_and_delete(const char* what, wasm_trap_t* trap) {
  check(trap != NULL);
  printf("%s: ", what);
  print_trap(trap);
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_config_t* config = wasm_config_new();
  wasiproc_config_consume_fuel(config, true);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &no_imports, NULL);
  check(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* count = export_func(&exports, 0);

  uint64_t left = 0;
  check(wasiproc_store_get_fuel(store, &left));
  check(left == UINT64_MAX); /* metering on, no total limit yet */

  wasm_val_t arg_vals[1] = {WASM_I32_VAL(N)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(arg_vals);
  wasm_val_t result_vals[1] = {WASM_INIT_VAL};
  wasm_val_vec_t results = WASM_ARRAY_VEC(result_vals);

  /* The reference: the same call without a budget. */
  uint64_t before = wasiproc_store_fuel_consumed(store);
  check(wasm_func_call(count, &args, &results) == NULL);
  uint64_t whole = wasiproc_store_fuel_consumed(store) - before;
  printf("Uninterrupted call: %" PRId32 "\n", results.data[0].of.i32);
  check(whole > 2 * BUDGET);

  printf("Calling with a budget of %d fuel...\n", BUDGET);
  results.data[0] = (wasm_val_t)WASM_INIT_VAL;
  before = wasiproc_store_fuel_consumed(store);
  wasiproc_resumable_t* call = NULL;
  check(wasiproc_func_call_with_fuel(count, &args, &results, BUDGET, &call) == NULL);
  check(call != NULL);
  check(!wasiproc_resumable_finished(call));
  uint64_t used = wasiproc_resumable_fuel_consumed(call);
  check(used > 0 && used <= BUDGET);

  /* Another call on the store must wait for this one. */
  print_and_delete("wasm_func_call while a call is pending",
                   wasm_func_call(count, &args, &results));

  int resumptions = 0;
  while (!wasiproc_resumable_finished(call)) {
    wasm_trap_t* trap = wasiproc_resumable_resume(call, BUDGET, &results);
    check(trap == NULL);
    resumptions++;
    uint64_t now = wasiproc_resumable_fuel_consumed(call);
    check(now > used && now - used <= BUDGET);
    used = now;
  }
  printf("Resumptions: %d\n", resumptions);
  printf("Result: %" PRId32 "\n", results.data[0].of.i32);
  check(results.data[0].of.i32 == N * (N - 1) / 2);
  check(used == wasiproc_store_fuel_consumed(store) - before);
  printf("Fuel of the resumed call equals the uninterrupted one's: %s\n",
         used == whole ? "yes" : "no");
  /* Each step but the last used up its budget, up to one loop block. */
  check((uint64_t)resumptions * BUDGET < whole);
  check((uint64_t)(resumptions + 1) * BUDGET >= whole);
  print_and_delete("resuming a finished call",
                   wasiproc_resumable_resume(call, BUDGET, &results));
  wasiproc_resumable_delete(call);

  printf("Abandoning a pending call...\n");
  check(wasiproc_func_call_with_fuel(count, &args, &results, BUDGET, &call) == NULL);
  check(call != NULL);
  wasiproc_resumable_delete(call);
  results.data[0] = (wasm_val_t)WASM_INIT_VAL;
  check(wasm_func_call(count, &args, &results) == NULL);
  printf("The store runs calls again: %" PRId32 "\n", results.data[0].of.i32);

  printf("Total fuel as a hard limit...\n");
  check(wasiproc_store_set_fuel(store, 2 * BUDGET + BUDGET / 2));
  check(wasiproc_func_call_with_fuel(count, &args, &results, BUDGET, &call) == NULL);
  check(call != NULL);
  wasm_trap_t* trap = NULL;
  int steps = 0;
  while (trap == NULL && !wasiproc_resumable_finished(call)) {
    trap = wasiproc_resumable_resume(call, BUDGET, &results);
    steps++;
  }
  check(wasiproc_resumable_finished(call));
  printf("Stopped after %d resumptions: ", steps);
  print_trap(trap);
  check(wasiproc_store_get_fuel(store, &left));
  check(left < BUDGET);
  wasiproc_resumable_delete(call);

  printf("Refusals...\n");
  check(wasiproc_store_set_fuel(store, 1000000));
  print_and_delete("budget 0", wasiproc_func_call_with_fuel(count, &args, &results, 0, &call));
  check(call == NULL);
  print_and_delete("null function", wasiproc_func_call_with_fuel(NULL, &args, &results, 1, &call));
  print_and_delete("no room for results",
                   wasiproc_func_call_with_fuel(count, &args, NULL, BUDGET, &call));
  print_and_delete("null handle", wasiproc_resumable_resume(NULL, BUDGET, &results));
  check(!wasiproc_resumable_finished(NULL));
  check(wasiproc_resumable_fuel_consumed(NULL) == 0);
  wasiproc_resumable_delete(NULL);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);

  /* An engine without metering has no fuel to give. */
  wasm_engine_t* plain = wasm_engine_new();
  wasm_store_t* plain_store = wasm_store_new(plain);
  check(!wasiproc_store_set_fuel(plain_store, 10));
  check(!wasiproc_store_get_fuel(plain_store, &left));
  check(wasiproc_store_fuel_consumed(plain_store) == 0);
  wasm_module_t* module2 = load_module(plain_store, argv[1]);
  wasm_instance_t* instance2 = wasm_instance_new(plain_store, module2, &no_imports, NULL);
  wasm_extern_vec_t exports2;
  wasm_instance_exports(instance2, &exports2);
  print_and_delete("without metering",
                   wasiproc_func_call_with_fuel(export_func(&exports2, 0), &args, &results,
                                                BUDGET, &call));
  wasm_extern_vec_delete(&exports2);
  wasm_instance_delete(instance2);
  wasm_module_delete(module2);
  wasm_store_delete(plain_store);
  wasm_engine_delete(plain);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
