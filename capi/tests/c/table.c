/* table: a funcref table used by call_indirect, filled from the host with
 * Wasm and host functions, grown within its maximum. */
#include "common.h"

static own wasm_trap_t* neg_callback(const wasm_val_vec_t* args,
                                     wasm_val_vec_t* results) {
  printf("Calling back...\n");
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = -args->data[0].of.i32;
  return NULL;
}

static void check_call(const wasm_func_t* call_indirect, int32_t arg, int32_t index) {
  wasm_val_t as[2] = {WASM_I32_VAL(arg), WASM_I32_VAL(index)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  wasm_trap_t* trap = wasm_func_call(call_indirect, &args, &results);
  if (trap) {
    printf("> call_indirect(%d, %d): trap: ", arg, index);
    fflush(stdout);
    print_trap(trap);
  } else {
    printf("> call_indirect(%d, %d) = %d\n", arg, index, rs[0].of.i32);
  }
}

static void print_slots(const wasm_table_t* table) {
  printf("> size %u:", wasm_table_size(table));
  for (wasm_table_size_t i = 0; i < wasm_table_size(table); ++i) {
    wasm_ref_t* ref = wasm_table_get(table, i);
    printf(" %s", ref ? "func" : "null");
    if (ref) {
      check(wasm_ref_as_func(ref) != NULL);
      wasm_ref_delete(ref);
    }
  }
  printf("\n");
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
  wasm_table_t* table = wasm_extern_as_table(exports.data[0]);
  check(table != NULL);
  const wasm_func_t* call_indirect = export_func(&exports, 1);
  wasm_func_t* f = wasm_extern_as_func(exports.data[2]);
  wasm_func_t* g = wasm_extern_as_func(exports.data[3]);
  check(f != NULL && g != NULL);
  wasm_instance_delete(instance);

  printf("Creating callback...\n");
  wasm_functype_t* neg_type =
      wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* h = wasm_func_new(store, neg_type, neg_callback);
  wasm_functype_delete(neg_type);

  printf("Checking table...\n");
  wasm_tabletype_t* tt = wasm_table_type(table);
  printf("> type: %s, min %u, max %u\n",
         wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF ? "funcref" : "?",
         wasm_tabletype_limits(tt)->min, wasm_tabletype_limits(tt)->max);
  wasm_tabletype_delete(tt);
  print_slots(table);
  wasm_ref_t* slot1 = wasm_table_get(table, 1);
  check(wasm_ref_same(slot1, wasm_func_as_ref(f)));
  check(!wasm_ref_same(slot1, wasm_func_as_ref(g)));
  wasm_ref_delete(slot1);
  check_call(call_indirect, 7, 0);
  check_call(call_indirect, 7, 1);
  check_call(call_indirect, 0, 2);

  printf("Mutating table...\n");
  check(wasm_table_set(table, 0, wasm_func_as_ref(g)));
  check(wasm_table_set(table, 1, NULL));
  printf("> set out of range: %s\n",
         wasm_table_set(table, 2, wasm_func_as_ref(f)) ? "done" : "refused");
  print_slots(table);
  check_call(call_indirect, 7, 0);
  check_call(call_indirect, 7, 1);
  check(wasm_table_set(table, 1, wasm_func_as_ref(h)));
  check_call(call_indirect, 7, 1);

  printf("Growing table...\n");
  check(wasm_table_grow(table, 3, NULL));
  check(wasm_table_set(table, 2, wasm_func_as_ref(f)));
  check(wasm_table_grow(table, 2, wasm_func_as_ref(h)));
  print_slots(table);
  check_call(call_indirect, 5, 2);
  check_call(call_indirect, 5, 6);
  check_call(call_indirect, 5, 7);
  check(wasm_table_grow(table, 3, NULL));
  printf("> grow by 1 past the maximum: %s\n",
         wasm_table_grow(table, 1, NULL) ? "grown" : "refused");
  printf("> grow by 0: %s\n", wasm_table_grow(table, 0, NULL) ? "grown" : "refused");
  printf("> size %u\n", wasm_table_size(table));

  printf("Creating stand-alone table...\n");
  wasm_limits_t limits = {5, 5};
  wasm_tabletype_t* tabletype = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_table_t* table2 = wasm_table_new(store, tabletype, wasm_func_as_ref(h));
  check(table2 != NULL);
  print_slots(table2);
  printf("> grow by 1: %s, grow by 0: %s\n",
         wasm_table_grow(table2, 1, NULL) ? "grown" : "refused",
         wasm_table_grow(table2, 0, NULL) ? "grown" : "refused");
  wasm_tabletype_delete(tabletype);
  wasm_table_delete(table2);

  wasm_func_delete(h);
  wasm_extern_vec_delete(&exports);
  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
