/* callback: host functions with several parameters and results, and
 * closures that carry an env pointer with a finalizer. */
#include "common.h"

static void print_val(const wasm_val_t* v) {
  switch (v->kind) {
    case WASM_I32: printf("%" PRId32, v->of.i32); break;
    case WASM_I64: printf("%" PRId64, v->of.i64); break;
    case WASM_F32: printf("%.2f", v->of.f32); break;
    case WASM_F64: printf("%.3f", v->of.f64); break;
    default: printf("ref"); break;
  }
}

/* (i32) -> (i32): prints its argument and returns it. */
static own wasm_trap_t* print_callback(const wasm_val_vec_t* args,
                                       wasm_val_vec_t* results) {
  printf("Calling back...\n> ");
  print_val(&args->data[0]);
  printf("\n");
  check(results->size == 1);
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

/* () -> (i32): returns the int its env points to. */
static own wasm_trap_t* closure_callback(void* env, const wasm_val_vec_t* args,
                                         wasm_val_vec_t* results) {
  int i = *(int*)env;
  check(args->size == 0);
  printf("Calling back closure...\n> %d\n", i);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = (int32_t)i;
  return NULL;
}

/* (i32 i64 f32 f64) -> (f64 i32): the sum of its arguments and how many
 * times it was called (counted in its env). */
static own wasm_trap_t* mix_callback(void* env, const wasm_val_vec_t* args,
                                     wasm_val_vec_t* results) {
  int* calls = (int*)env;
  ++*calls;
  printf("Calling back mix...\n>");
  for (size_t i = 0; i < args->size; ++i) {
    printf(" ");
    print_val(&args->data[i]);
  }
  printf("\n");
  check(args->data[0].kind == WASM_I32 && args->data[1].kind == WASM_I64);
  check(args->data[2].kind == WASM_F32 && args->data[3].kind == WASM_F64);
  double sum = args->data[0].of.i32 + (double)args->data[1].of.i64 +
               args->data[2].of.f32 + args->data[3].of.f64;
  results->data[0].kind = WASM_F64;
  results->data[0].of.f64 = sum;
  results->data[1].kind = WASM_I32;
  results->data[1].of.i32 = *calls;
  return NULL;
}

static int finalized = 0;

static void finalize_env(void* env) {
  printf("Finalizing env %d\n", *(int*)env);
  ++finalized;
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Creating callbacks...\n");
  wasm_functype_t* print_type =
      wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* print_func = wasm_func_new(store, print_type, print_callback);

  int i = 42;
  wasm_functype_t* closure_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* closure_func = wasm_func_new_with_env(
      store, closure_type, closure_callback, &i, finalize_env);

  int calls = 0;
  wasm_valtype_t* mix_params[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                   wasm_valtype_new_f32(), wasm_valtype_new_f64()};
  wasm_valtype_t* mix_results[2] = {wasm_valtype_new_f64(), wasm_valtype_new_i32()};
  wasm_valtype_vec_t mix_pvec, mix_rvec;
  wasm_valtype_vec_new(&mix_pvec, 4, mix_params);
  wasm_valtype_vec_new(&mix_rvec, 2, mix_results);
  wasm_functype_t* mix_type = wasm_functype_new(&mix_pvec, &mix_rvec);
  check(mix_pvec.size == 0 && mix_rvec.size == 0);
  check(wasm_functype_params(mix_type)->size == 4);
  check(wasm_functype_results(mix_type)->size == 2);
  wasm_func_t* mix_func =
      wasm_func_new_with_env(store, mix_type, mix_callback, &calls, NULL);
  check(wasm_func_param_arity(mix_func) == 4);
  check(wasm_func_result_arity(mix_func) == 2);

  wasm_functype_delete(print_type);
  wasm_functype_delete(closure_type);
  wasm_functype_delete(mix_type);

  printf("Instantiating module...\n");
  wasm_extern_t* externs[] = {wasm_func_as_extern(print_func),
                              wasm_func_as_extern(closure_func),
                              wasm_func_as_extern(mix_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  check(instance != NULL && trap == NULL);
  wasm_func_delete(print_func);
  wasm_func_delete(closure_func);
  wasm_func_delete(mix_func);

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* run_func = export_func(&exports, 0);
  const wasm_func_t* mixed_func = export_func(&exports, 1);
  wasm_instance_delete(instance);
  wasm_module_delete(module);

  printf("Calling export...\n");
  wasm_val_t as[2] = {WASM_I32_VAL(3), WASM_I32_VAL(4)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  check(wasm_func_call(run_func, &args, &results) == NULL);
  printf("Printing result...\n> %d\n", rs[0].of.i32);
  check(rs[0].kind == WASM_I32 && rs[0].of.i32 == 49);

  printf("Calling export with four kinds of values...\n");
  for (int round = 1; round <= 2; ++round) {
    wasm_val_t mas[4] = {WASM_I32_VAL(1), WASM_I64_VAL(20000000000LL),
                         WASM_F32_VAL(0.5f), WASM_F64_VAL(0.25 * round)};
    wasm_val_t mrs[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
    wasm_val_vec_t margs = WASM_ARRAY_VEC(mas);
    wasm_val_vec_t mresults = WASM_ARRAY_VEC(mrs);
    check(wasm_func_call(mixed_func, &margs, &mresults) == NULL);
    check(mrs[0].kind == WASM_F64 && mrs[1].kind == WASM_I32);
    printf("Printing results...\n> %.3f %d\n", mrs[0].of.f64, mrs[1].of.i32);
  }

  printf("Calling export with a wrong argument...\n");
  wasm_val_t bad[2] = {WASM_I32_VAL(3), WASM_I64_VAL(4)};
  wasm_val_vec_t bad_args = WASM_ARRAY_VEC(bad);
  trap = wasm_func_call(run_func, &bad_args, &results);
  check(trap != NULL);
  print_trap(trap);

  wasm_extern_vec_delete(&exports);
  printf("Shutting down...\n");
  check(finalized == 0);
  wasm_store_delete(store);
  check(finalized == 1);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
