/* finalize: host info and finalizers. Finalizers of a store's objects
 * (instances, functions' env, foreign objects) run when the store goes
 * away; a module's runs when its last handle is deleted. Also: a foreign
 * object passed through Wasm as externref comes back as the same object,
 * with its host info. */
#include "common.h"

#define ITERATIONS 100

static int live_instances = 0;
static int live_others = 0;

static void finalize_instance(void* data) {
  intptr_t i = (intptr_t)data;
  if (i % (ITERATIONS / 4) == 0) printf("Finalizing instance #%d...\n", (int)i);
  --live_instances;
}

static void finalize_other(void* data) {
  printf("Finalizing %s...\n", (const char*)data);
  --live_others;
}

static own wasm_trap_t* noop_callback(void* env, const wasm_val_vec_t* args,
                                      wasm_val_vec_t* results) {
  (void)env;
  (void)args;
  (void)results;
  return NULL;
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);
  wasm_module_set_host_info_with_finalizer(module, "module", finalize_other);
  ++live_others;

  printf("Instantiating modules...\n");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  for (int i = 0; i < ITERATIONS; ++i) {
    wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
    check(instance != NULL);
    wasm_instance_set_host_info_with_finalizer(instance, (void*)(intptr_t)i,
                                               finalize_instance);
    ++live_instances;
    check(wasm_instance_get_host_info(instance) == (void*)(intptr_t)i);
    wasm_instance_delete(instance);
  }
  printf("Live instances %d\n", live_instances);

  printf("Creating a closure...\n");
  wasm_functype_t* type = wasm_functype_new_0_0();
  wasm_func_t* func =
      wasm_func_new_with_env(store, type, noop_callback, "closure env", finalize_other);
  ++live_others;
  wasm_functype_delete(type);
  wasm_func_set_host_info(func, "func info");
  wasm_func_t* func_copy = wasm_func_copy(func);
  check(wasm_func_same(func, func_copy));
  printf("> host info through a copy: %s\n", (const char*)wasm_func_get_host_info(func_copy));
  wasm_func_delete(func_copy);
  wasm_func_delete(func);

  printf("Passing a foreign object through wasm...\n");
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(foreign, "foreign", finalize_other);
  ++live_others;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* echo = export_func(&exports, 1);
  wasm_table_t* refs = wasm_extern_as_table(exports.data[2]);
  check(refs != NULL);
  wasm_val_t as[1] = {WASM_REF_VAL(wasm_foreign_as_ref(foreign))};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  check(wasm_func_call(echo, &args, &results) == NULL);
  check(rs[0].kind == WASM_EXTERNREF && rs[0].of.ref != NULL);
  printf("> same object: %s, host info: %s\n",
         wasm_ref_same(rs[0].of.ref, wasm_foreign_as_ref(foreign)) ? "yes" : "no",
         (const char*)wasm_ref_get_host_info(rs[0].of.ref));
  check(wasm_ref_as_foreign(rs[0].of.ref) != NULL);
  wasm_val_delete(&rs[0]);
  as[0].of.ref = NULL;
  check(wasm_func_call(echo, &args, &results) == NULL);
  printf("> null comes back null: %s\n", rs[0].of.ref == NULL ? "yes" : "no");
  check(wasm_table_set(refs, 1, wasm_foreign_as_ref(foreign)));
  wasm_ref_t* slot = wasm_table_get(refs, 1);
  wasm_ref_t* empty = wasm_table_get(refs, 0);
  printf("> table slot 1 is the object: %s, slot 0 is null: %s\n",
         wasm_ref_same(slot, wasm_foreign_as_ref(foreign)) ? "yes" : "no",
         empty == NULL ? "yes" : "no");
  wasm_ref_delete(slot);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_foreign_delete(foreign);

  printf("Deleting module...\n");
  wasm_module_delete(module);
  printf("Live instances %d, other objects %d\n", live_instances, live_others);

  printf("Deleting store...\n");
  wasm_store_delete(store);
  printf("Live instances %d, other objects %d\n", live_instances, live_others);
  check(live_instances == 0 && live_others == 0);

  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
