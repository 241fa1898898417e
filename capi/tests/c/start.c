/* start: a start function that traps makes instantiation fail with that trap. */
#include "common.h"

static void print_frame(const wasm_frame_t* frame) {
  printf("> func %u\n", wasm_frame_func_index(frame));
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Instantiating module...\n");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  if (instance) {
    printf("> Error instantiating module, expected trap!\n");
    return 1;
  }
  check(trap != NULL);

  printf("Printing message...\n");
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("> %s\n", message.data);
  wasm_byte_vec_delete(&message);

  printf("Printing origin...\n");
  wasm_frame_t* frame = wasm_trap_origin(trap);
  check(frame != NULL);
  print_frame(frame);
  wasm_frame_delete(frame);

  printf("Printing trace...\n");
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  for (size_t i = 0; i < trace.size; ++i) print_frame(trace.data[i]);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  printf("Instantiating with a missing import...\n");
  wasm_byte_vec_t binary;
  /* (module (import "m" "f" (func))) */
  const char bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
                        0x02, 0x07, 0x01, 0x01, 'm', 0x01, 'f', 0x00, 0x00};
  wasm_byte_vec_new(&binary, sizeof(bytes), bytes);
  wasm_module_t* needs_import = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  check(needs_import != NULL);
  trap = NULL;
  instance = wasm_instance_new(store, needs_import, &imports, &trap);
  check(instance == NULL && trap != NULL);
  print_trap(trap);
  check(wasm_instance_new(store, needs_import, &imports, NULL) == NULL);
  wasm_module_delete(needs_import);

  wasm_module_delete(module);
  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
