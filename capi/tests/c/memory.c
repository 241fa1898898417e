/* memory: an exported memory read and written from both sides, grown
 * within its maximum, and accesses out of bounds that trap. */
#include "common.h"

static wasm_memory_t* export_memory(const wasm_extern_vec_t* exports, size_t i) {
  check(i < exports->size);
  wasm_memory_t* m = wasm_extern_as_memory(exports->data[i]);
  check(m != NULL);
  return m;
}

/* Calls f with up to two i32 arguments; returns the trap, or NULL with the
 * i32 result (if any) in *result. */
static wasm_trap_t* call(const wasm_func_t* f, int nargs, int32_t a, int32_t b,
                         int32_t* result) {
  wasm_val_t as[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {(size_t)nargs, as};
  wasm_val_vec_t results = {wasm_func_result_arity(f), rs};
  wasm_trap_t* trap = wasm_func_call(f, &args, &results);
  if (!trap && result && results.size > 0) {
    check(rs[0].kind == WASM_I32);
    *result = rs[0].of.i32;
  }
  return trap;
}

static int32_t call_ok(const wasm_func_t* f, int nargs, int32_t a, int32_t b) {
  int32_t r = 0;
  check(call(f, nargs, a, b, &r) == NULL);
  return r;
}

static void call_trap(const wasm_func_t* f, int nargs, int32_t a, int32_t b) {
  wasm_trap_t* trap = call(f, nargs, a, b, NULL);
  check(trap != NULL);
  print_trap(trap);
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Instantiating module...\n");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL);
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_memory_t* memory = export_memory(&exports, 0);
  const wasm_func_t* size_func = export_func(&exports, 1);
  const wasm_func_t* load_func = export_func(&exports, 2);
  const wasm_func_t* store_func = export_func(&exports, 3);
  wasm_instance_delete(instance);

  printf("Checking memory...\n");
  printf("> pages %u, bytes 0x%zx, size() = %d\n", wasm_memory_size(memory),
         wasm_memory_data_size(memory), call_ok(size_func, 0, 0, 0));
  byte_t* data = wasm_memory_data(memory);
  printf("> data[0] = %d, data[0x1000] = %d, data[0x1003] = %d\n", data[0],
         data[0x1000], data[0x1003]);
  printf("> load(0) = %d, load(0x1002) = %d, load(0x1ffff) = %d\n",
         call_ok(load_func, 1, 0, 0), call_ok(load_func, 1, 0x1002, 0),
         call_ok(load_func, 1, 0x1ffff, 0));
  call_trap(load_func, 1, 0x20000, 0);

  printf("Mutating memory...\n");
  data[0x1003] = 5;
  call_ok(store_func, 2, 0x1002, 6);
  call_trap(store_func, 2, 0x20000, 0);
  printf("> data[0x1002] = %d, load(0x1003) = %d\n", data[0x1002],
         call_ok(load_func, 1, 0x1003, 0));

  printf("Growing memory...\n");
  check(wasm_memory_grow(memory, 1));
  data = wasm_memory_data(memory);
  printf("> pages %u, bytes 0x%zx, size() = %d\n", wasm_memory_size(memory),
         wasm_memory_data_size(memory), call_ok(size_func, 0, 0, 0));
  printf("> load(0x20000) = %d, load(0x1003) = %d\n",
         call_ok(load_func, 1, 0x20000, 0), call_ok(load_func, 1, 0x1003, 0));
  call_trap(load_func, 1, 0x30000, 0);
  printf("> grow by 1 past the maximum: %s\n",
         wasm_memory_grow(memory, 1) ? "grown" : "refused");
  printf("> grow by 0: %s\n", wasm_memory_grow(memory, 0) ? "grown" : "refused");
  wasm_memorytype_t* mt = wasm_memory_type(memory);
  const wasm_limits_t* l = wasm_memorytype_limits(mt);
  printf("> type: min %u, max %u\n", l->min, l->max);
  wasm_memorytype_delete(mt);
  wasm_extern_vec_delete(&exports);

  printf("Creating stand-alone memory...\n");
  wasm_limits_t limits = {5, 5};
  wasm_memorytype_t* memorytype = wasm_memorytype_new(&limits);
  wasm_memory_t* memory2 = wasm_memory_new(store, memorytype);
  check(memory2 != NULL);
  printf("> pages %u, bytes 0x%zx\n", wasm_memory_size(memory2),
         wasm_memory_data_size(memory2));
  printf("> grow by 1: %s, grow by 0: %s\n",
         wasm_memory_grow(memory2, 1) ? "grown" : "refused",
         wasm_memory_grow(memory2, 0) ? "grown" : "refused");
  wasm_limits_t bad = {2, 1};
  wasm_memorytype_t* badtype = wasm_memorytype_new(&bad);
  printf("> memory with min 2 > max 1: %s\n",
         wasm_memory_new(store, badtype) ? "created" : "refused");
  wasm_memorytype_delete(badtype);
  wasm_memorytype_delete(memorytype);
  wasm_memory_delete(memory2);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
