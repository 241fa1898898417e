/* trap: traps raised by a host function and by Wasm code, with their
 * message, origin and trace. */
#include "common.h"

static wasm_store_t* store;

static own wasm_trap_t* fail_callback(const wasm_val_vec_t* args,
                                      wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  printf("Calling back...\n");
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "callback abort");
  wasm_trap_t* trap = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  return trap;
}

static void print_frame(const wasm_frame_t* frame) {
  printf("> func %u (offset %zu in function, %zu in module)\n",
         wasm_frame_func_index(frame), wasm_frame_func_offset(frame),
         wasm_frame_module_offset(frame));
}

static void report(wasm_trap_t* trap) {
  printf("Printing message...\n");
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  check(message.size > 0 && message.data[message.size - 1] == '\0');
  printf("> %s\n", message.data);
  wasm_byte_vec_delete(&message);

  printf("Printing origin...\n");
  wasm_frame_t* frame = wasm_trap_origin(trap);
  if (frame) {
    print_frame(frame);
    wasm_frame_t* copy = wasm_frame_copy(frame);
    check(wasm_frame_func_index(copy) == wasm_frame_func_index(frame));
    wasm_frame_delete(copy);
    wasm_frame_delete(frame);
  } else {
    printf("> Empty origin.\n");
  }

  printf("Printing trace...\n");
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  if (trace.size > 0) {
    for (size_t i = 0; i < trace.size; ++i) print_frame(trace.data[i]);
  } else {
    printf("> Empty trace.\n");
  }
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Creating callback...\n");
  wasm_functype_t* fail_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* fail_func = wasm_func_new(store, fail_type, fail_callback);
  wasm_functype_delete(fail_type);

  printf("Instantiating module...\n");
  wasm_extern_t* externs[] = {wasm_func_as_extern(fail_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL);
  wasm_func_delete(fail_func);
  wasm_module_delete(module);

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  check(exports.size == 3);
  wasm_instance_delete(instance);

  for (size_t i = 0; i < 2; ++i) {
    printf("Calling export %zu...\n", i);
    wasm_val_t rs[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_EMPTY_VEC;
    wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
    wasm_trap_t* trap = wasm_func_call(export_func(&exports, i), &args, &results);
    check(trap != NULL);
    report(trap);
  }

  printf("Calling export 2...\n");
  wasm_val_t as[2] = {WASM_I32_VAL(7), WASM_I32_VAL(0)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  wasm_trap_t* trap = wasm_func_call(export_func(&exports, 2), &args, &results);
  check(trap != NULL);
  report(trap);
  as[1].of.i32 = 2;
  check(wasm_func_call(export_func(&exports, 2), &args, &results) == NULL);
  printf("> 7 / 2 = %d\n", rs[0].of.i32);

  printf("Creating a trap on the host...\n");
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "made by the host");
  trap = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  wasm_trap_t* copy = wasm_trap_copy(trap);
  check(wasm_trap_same(trap, copy));
  wasm_trap_delete(copy);
  report(trap);

  wasm_extern_vec_delete(&exports);
  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
