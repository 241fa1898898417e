/* reflect: a module's import and export types, an instance's exports and
 * their types, and the module round trips (serialize, share). */
#include "common.h"

static void print_valtype(const wasm_valtype_t* t) {
  switch (wasm_valtype_kind(t)) {
    case WASM_I32: printf("i32"); break;
    case WASM_I64: printf("i64"); break;
    case WASM_F32: printf("f32"); break;
    case WASM_F64: printf("f64"); break;
    case WASM_EXTERNREF: printf("externref"); break;
    case WASM_FUNCREF: printf("funcref"); break;
    default: printf("?");
  }
}

static void print_valtypes(const wasm_valtype_vec_t* v) {
  printf("(");
  for (size_t i = 0; i < v->size; ++i) {
    if (i) printf(" ");
    print_valtype(v->data[i]);
  }
  printf(")");
}

static void print_limits(const wasm_limits_t* l) {
  printf("%u..", l->min);
  if (l->max != wasm_limits_max_default) printf("%u", l->max);
}

static void print_externtype(const wasm_externtype_t* t) {
  switch (wasm_externtype_kind(t)) {
    case WASM_EXTERN_FUNC: {
      const wasm_functype_t* f = wasm_externtype_as_functype_const(t);
      printf("func ");
      print_valtypes(wasm_functype_params(f));
      printf(" -> ");
      print_valtypes(wasm_functype_results(f));
      break;
    }
    case WASM_EXTERN_GLOBAL: {
      const wasm_globaltype_t* g = wasm_externtype_as_globaltype_const(t);
      printf("global %s ", wasm_globaltype_mutability(g) == WASM_VAR ? "var" : "const");
      print_valtype(wasm_globaltype_content(g));
      break;
    }
    case WASM_EXTERN_TABLE: {
      const wasm_tabletype_t* tt = wasm_externtype_as_tabletype_const(t);
      printf("table ");
      print_limits(wasm_tabletype_limits(tt));
      printf(" ");
      print_valtype(wasm_tabletype_element(tt));
      break;
    }
    case WASM_EXTERN_MEMORY: {
      const wasm_memorytype_t* m = wasm_externtype_as_memorytype_const(t);
      printf("memory ");
      print_limits(wasm_memorytype_limits(m));
      break;
    }
  }
  check(wasm_externtype_as_functype_const(t) == NULL ||
        wasm_externtype_kind(t) == WASM_EXTERN_FUNC);
}

static void print_name(const wasm_name_t* name) {
  printf("%.*s", (int)name->size, name->data);
}

static own wasm_trap_t* log_callback(const wasm_val_vec_t* args,
                                     wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  return NULL;
}

static const char* kind_name(wasm_externkind_t k) {
  switch (k) {
    case WASM_EXTERN_FUNC: return "func";
    case WASM_EXTERN_GLOBAL: return "global";
    case WASM_EXTERN_TABLE: return "table";
    case WASM_EXTERN_MEMORY: return "memory";
  }
  return "?";
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Imports:\n");
  wasm_importtype_vec_t import_types;
  wasm_module_imports(module, &import_types);
  for (size_t i = 0; i < import_types.size; ++i) {
    printf("> ");
    print_name(wasm_importtype_module(import_types.data[i]));
    printf(".");
    print_name(wasm_importtype_name(import_types.data[i]));
    printf(": ");
    print_externtype(wasm_importtype_type(import_types.data[i]));
    printf("\n");
  }

  printf("Exports:\n");
  wasm_exporttype_vec_t export_types;
  wasm_module_exports(module, &export_types);
  for (size_t i = 0; i < export_types.size; ++i) {
    printf("> ");
    print_name(wasm_exporttype_name(export_types.data[i]));
    printf(": ");
    print_externtype(wasm_exporttype_type(export_types.data[i]));
    printf("\n");
  }

  printf("Copying type vectors...\n");
  wasm_exporttype_vec_t copy;
  wasm_exporttype_vec_copy(&copy, &export_types);
  check(copy.size == export_types.size);
  printf("> ");
  print_externtype(wasm_exporttype_type(copy.data[copy.size - 1]));
  printf("\n");
  wasm_exporttype_vec_delete(&copy);
  wasm_exporttype_vec_delete(&export_types);

  printf("Creating imports...\n");
  wasm_func_t* log =
      wasm_func_new(store, wasm_externtype_as_functype_const(
                               wasm_importtype_type(import_types.data[0])),
                    log_callback);
  wasm_memory_t* mem = wasm_memory_new(
      store, wasm_externtype_as_memorytype_const(wasm_importtype_type(import_types.data[1])));
  wasm_val_t limit_value = WASM_I64_VAL(100);
  wasm_global_t* limit = wasm_global_new(
      store, wasm_externtype_as_globaltype_const(wasm_importtype_type(import_types.data[2])),
      &limit_value);
  wasm_table_t* tab = wasm_table_new(
      store, wasm_externtype_as_tabletype_const(wasm_importtype_type(import_types.data[3])),
      NULL);
  check(log && mem && limit && tab);
  wasm_importtype_vec_delete(&import_types);

  printf("Instantiating with imports of the wrong kind...\n");
  wasm_extern_t* wrong[] = {wasm_func_as_extern(log), wasm_memory_as_extern(mem),
                            wasm_table_as_extern(tab), wasm_table_as_extern(tab)};
  wasm_extern_vec_t wrong_imports = WASM_ARRAY_VEC(wrong);
  wasm_trap_t* trap = NULL;
  check(wasm_instance_new(store, module, &wrong_imports, &trap) == NULL);
  print_trap(trap);

  printf("Instantiating module...\n");
  wasm_extern_t* externs[] = {wasm_func_as_extern(log), wasm_memory_as_extern(mem),
                              wasm_global_as_extern(limit), wasm_table_as_extern(tab)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL);
  wasm_func_delete(log);
  wasm_memory_delete(mem);
  wasm_global_delete(limit);
  wasm_table_delete(tab);

  printf("Instance exports:\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  for (size_t i = 0; i < exports.size; ++i) {
    wasm_externtype_t* t = wasm_extern_type(exports.data[i]);
    printf("> %zu %s: ", i, kind_name(wasm_extern_kind(exports.data[i])));
    print_externtype(t);
    printf("\n");
    wasm_externtype_delete(t);
  }
  const wasm_func_t* func = export_func(&exports, 0);
  printf("> func arity: %zu params, %zu results\n", wasm_func_param_arity(func),
         wasm_func_result_arity(func));
  check(wasm_extern_as_global(exports.data[0]) == NULL);
  check(wasm_ref_as_func(wasm_extern_as_ref(exports.data[0])) != NULL);
  check(wasm_ref_as_memory(wasm_extern_as_ref(exports.data[0])) == NULL);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  printf("Round trips...\n");
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  wasm_module_t* deserialized = wasm_module_deserialize(store, &serialized);
  check(deserialized != NULL);
  wasm_exporttype_vec_t again;
  wasm_module_exports(deserialized, &again);
  printf("> deserialized module: %zu exports\n", again.size);
  wasm_exporttype_vec_delete(&again);
  printf("> valid: %s\n", wasm_module_validate(store, &serialized) ? "yes" : "no");
  serialized.data[0] = 'X';
  printf("> valid after corruption: %s\n",
         wasm_module_validate(store, &serialized) ? "yes" : "no");
  printf("> corrupted module: %s\n",
         wasm_module_deserialize(store, &serialized) ? "compiled" : "refused");
  wasm_byte_vec_delete(&serialized);
  wasm_module_delete(deserialized);

  wasm_shared_module_t* shared = wasm_module_share(module);
  wasm_store_t* store2 = wasm_store_new(engine);
  wasm_module_t* obtained = wasm_module_obtain(store2, shared);
  check(obtained != NULL);
  check(wasm_module_same(obtained, module));
  wasm_importtype_vec_t imports2;
  wasm_module_imports(obtained, &imports2);
  printf("> obtained module in a second store: %zu imports\n", imports2.size);
  wasm_importtype_vec_delete(&imports2);
  wasm_engine_t* engine2 = wasm_engine_new();
  wasm_store_t* store3 = wasm_store_new(engine2);
  printf("> obtained in a store of another engine: %s\n",
         wasm_module_obtain(store3, shared) ? "yes" : "refused");
  wasm_store_delete(store3);
  wasm_engine_delete(engine2);
  wasm_module_delete(obtained);
  wasm_shared_module_delete(shared);
  wasm_store_delete(store2);

  wasm_module_delete(module);
  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
