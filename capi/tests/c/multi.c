/* multi: functions with several results, on the host and in Wasm. */
#include "common.h"

/* Returns its arguments in reverse order (the types are symmetric). */
static own wasm_trap_t* callback(const wasm_val_vec_t* args,
                                 wasm_val_vec_t* results) {
  printf("Calling back...\n> %" PRId32 " %" PRId64 " %" PRId64 " %" PRId32 "\n",
         args->data[0].of.i32, args->data[1].of.i64, args->data[2].of.i64,
         args->data[3].of.i32);
  check(results->size == 4);
  wasm_val_copy(&results->data[0], &args->data[3]);
  wasm_val_copy(&results->data[1], &args->data[2]);
  wasm_val_copy(&results->data[2], &args->data[1]);
  wasm_val_copy(&results->data[3], &args->data[0]);
  return NULL;
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Creating callback...\n");
  wasm_valtype_t* types[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                              wasm_valtype_new_i64(), wasm_valtype_new_i32()};
  wasm_valtype_vec_t tuple1, tuple2;
  wasm_valtype_vec_new(&tuple1, 4, types);
  wasm_valtype_vec_copy(&tuple2, &tuple1);
  wasm_functype_t* callback_type = wasm_functype_new(&tuple1, &tuple2);
  wasm_func_t* callback_func = wasm_func_new(store, callback_type, callback);
  wasm_functype_delete(callback_type);

  printf("Instantiating module...\n");
  wasm_extern_t* externs[] = {wasm_func_as_extern(callback_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL);
  wasm_func_delete(callback_func);
  wasm_module_delete(module);

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* g = export_func(&exports, 0);
  const wasm_func_t* divmod = export_func(&exports, 1);
  const wasm_func_t* block = export_func(&exports, 2);
  wasm_instance_delete(instance);

  printf("Calling export...\n");
  wasm_val_t as[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3),
                      WASM_I32_VAL(4)};
  wasm_val_t rs[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  check(wasm_func_call(g, &args, &results) == NULL);
  printf("Printing result...\n> %" PRId32 " %" PRId64 " %" PRId64 " %" PRId32 "\n",
         rs[0].of.i32, rs[1].of.i64, rs[2].of.i64, rs[3].of.i32);
  check(rs[0].kind == WASM_I32 && rs[1].kind == WASM_I64);
  check(rs[2].kind == WASM_I64 && rs[3].kind == WASM_I32);

  printf("Calling divmod...\n");
  wasm_val_t das[2] = {WASM_I32_VAL(17), WASM_I32_VAL(5)};
  wasm_val_t drs[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t dargs = WASM_ARRAY_VEC(das);
  wasm_val_vec_t dresults = WASM_ARRAY_VEC(drs);
  check(wasm_func_call(divmod, &dargs, &dresults) == NULL);
  printf("> 17 divmod 5 = %d %d\n", drs[0].of.i32, drs[1].of.i32);

  printf("Calling block...\n");
  wasm_val_t bas[1] = {WASM_I32_VAL(21)};
  wasm_val_t brs[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t bargs = WASM_ARRAY_VEC(bas);
  wasm_val_vec_t bresults = WASM_ARRAY_VEC(brs);
  check(wasm_func_call(block, &bargs, &bresults) == NULL);
  check(brs[0].kind == WASM_I64 && brs[1].kind == WASM_I32);
  printf("> block(21) = %" PRId64 " %d\n", brs[0].of.i64, brs[1].of.i32);

  printf("Calling with room for too few results...\n");
  wasm_val_vec_t short_results = {1, drs};
  print_trap(wasm_func_call(divmod, &dargs, &short_results));

  wasm_extern_vec_delete(&exports);
  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
