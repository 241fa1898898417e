/* global: immutable and mutable globals, imported from the host and
 * exported by the module, read and written from both sides. */
#include "common.h"

static wasm_global_t* export_global(const wasm_extern_vec_t* exports, size_t i) {
  check(i < exports->size);
  wasm_global_t* g = wasm_extern_as_global(exports->data[i]);
  check(g != NULL);
  return g;
}

/* The global's value as a double (f32 or i64), checking its kind. */
static double host_get(const wasm_global_t* g, wasm_valkind_t kind) {
  wasm_val_t v;
  wasm_global_get(g, &v);
  check(v.kind == kind);
  return kind == WASM_F32 ? (double)v.of.f32 : (double)v.of.i64;
}

/* The value a no-argument getter export returns. */
static double wasm_get(const wasm_func_t* f, wasm_valkind_t kind) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  check(wasm_func_call(f, &args, &results) == NULL);
  check(rs[0].kind == kind);
  return kind == WASM_F32 ? (double)rs[0].of.f32 : (double)rs[0].of.i64;
}

static void wasm_set(const wasm_func_t* f, wasm_val_t v) {
  wasm_val_t as[1] = {v};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  check(wasm_func_call(f, &args, &results) == NULL);
}

static void show(const char* name, const wasm_global_t* g, const wasm_func_t* getter,
                 wasm_valkind_t kind) {
  double host = host_get(g, kind);
  double guest = wasm_get(getter, kind);
  printf("> %s = %g (host) %g (wasm)\n", name, host, guest);
  check(host == guest);
}

int main(int argc, const char* argv[]) {
  check(argc == 2);
  printf("Initializing...\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, argv[1]);

  printf("Creating globals...\n");
  wasm_globaltype_t* const_f32_type = wasm_globaltype_new(wasm_valtype_new(WASM_F32), WASM_CONST);
  wasm_globaltype_t* const_i64_type = wasm_globaltype_new(wasm_valtype_new(WASM_I64), WASM_CONST);
  wasm_globaltype_t* var_f32_type = wasm_globaltype_new(wasm_valtype_new(WASM_F32), WASM_VAR);
  wasm_globaltype_t* var_i64_type = wasm_globaltype_new(wasm_valtype_new(WASM_I64), WASM_VAR);
  check(wasm_globaltype_mutability(var_i64_type) == WASM_VAR);
  check(wasm_valtype_kind(wasm_globaltype_content(var_i64_type)) == WASM_I64);

  wasm_val_t v1 = WASM_F32_VAL(1), v2 = WASM_I64_VAL(2), v3 = WASM_F32_VAL(3),
             v4 = WASM_I64_VAL(4);
  wasm_global_t* const_f32_import = wasm_global_new(store, const_f32_type, &v1);
  wasm_global_t* const_i64_import = wasm_global_new(store, const_i64_type, &v2);
  wasm_global_t* var_f32_import = wasm_global_new(store, var_f32_type, &v3);
  wasm_global_t* var_i64_import = wasm_global_new(store, var_i64_type, &v4);
  check(wasm_global_new(store, const_f32_type, &v2) == NULL); /* i64 value, f32 type */

  wasm_globaltype_delete(const_f32_type);
  wasm_globaltype_delete(const_i64_type);
  wasm_globaltype_delete(var_f32_type);
  wasm_globaltype_delete(var_i64_type);

  printf("Instantiating module...\n");
  wasm_extern_t* externs[] = {
      wasm_global_as_extern(const_f32_import), wasm_global_as_extern(const_i64_import),
      wasm_global_as_extern(var_f32_import), wasm_global_as_extern(var_i64_import)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  check(instance != NULL);
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  check(exports.size == 16);
  wasm_global_t* const_f32_export = export_global(&exports, 0);
  wasm_global_t* const_i64_export = export_global(&exports, 1);
  wasm_global_t* var_f32_export = export_global(&exports, 2);
  wasm_global_t* var_i64_export = export_global(&exports, 3);
  const wasm_func_t* get_const_f32_import = export_func(&exports, 4);
  const wasm_func_t* get_const_i64_import = export_func(&exports, 5);
  const wasm_func_t* get_var_f32_import = export_func(&exports, 6);
  const wasm_func_t* get_var_i64_import = export_func(&exports, 7);
  const wasm_func_t* get_const_f32_export = export_func(&exports, 8);
  const wasm_func_t* get_const_i64_export = export_func(&exports, 9);
  const wasm_func_t* get_var_f32_export = export_func(&exports, 10);
  const wasm_func_t* get_var_i64_export = export_func(&exports, 11);
  const wasm_func_t* set_var_f32_import = export_func(&exports, 12);
  const wasm_func_t* set_var_i64_import = export_func(&exports, 13);
  const wasm_func_t* set_var_f32_export = export_func(&exports, 14);
  const wasm_func_t* set_var_i64_export = export_func(&exports, 15);
  wasm_instance_delete(instance);

  printf("Checking types...\n");
  wasm_globaltype_t* t = wasm_global_type(var_f32_export);
  printf("> var f32 export: %s %s\n",
         wasm_globaltype_mutability(t) == WASM_VAR ? "var" : "const",
         wasm_valtype_kind(wasm_globaltype_content(t)) == WASM_F32 ? "f32" : "?");
  wasm_globaltype_delete(t);
  t = wasm_global_type(const_i64_import);
  printf("> const i64 import: %s %s\n",
         wasm_globaltype_mutability(t) == WASM_VAR ? "var" : "const",
         wasm_valtype_kind(wasm_globaltype_content(t)) == WASM_I64 ? "i64" : "?");
  wasm_globaltype_delete(t);

  printf("Accessing globals...\n");
  show("const f32 import", const_f32_import, get_const_f32_import, WASM_F32);
  show("const i64 import", const_i64_import, get_const_i64_import, WASM_I64);
  show("var f32 import", var_f32_import, get_var_f32_import, WASM_F32);
  show("var i64 import", var_i64_import, get_var_i64_import, WASM_I64);
  show("const f32 export", const_f32_export, get_const_f32_export, WASM_F32);
  show("const i64 export", const_i64_export, get_const_i64_export, WASM_I64);
  show("var f32 export", var_f32_export, get_var_f32_export, WASM_F32);
  show("var i64 export", var_i64_export, get_var_i64_export, WASM_I64);

  printf("Modifying globals from the host...\n");
  wasm_val_t v21 = WASM_F32_VAL(21), v22 = WASM_I64_VAL(22), v37 = WASM_F32_VAL(37),
             v38 = WASM_I64_VAL(38);
  wasm_global_set(var_f32_import, &v21);
  wasm_global_set(var_i64_import, &v22);
  wasm_global_set(var_f32_export, &v37);
  wasm_global_set(var_i64_export, &v38);
  /* Setting an immutable global, or with the wrong kind, changes nothing. */
  wasm_global_set(const_f32_import, &v21);
  wasm_global_set(var_f32_export, &v22);
  show("const f32 import", const_f32_import, get_const_f32_import, WASM_F32);
  show("var f32 import", var_f32_import, get_var_f32_import, WASM_F32);
  show("var i64 import", var_i64_import, get_var_i64_import, WASM_I64);
  show("var f32 export", var_f32_export, get_var_f32_export, WASM_F32);
  show("var i64 export", var_i64_export, get_var_i64_export, WASM_I64);

  printf("Modifying globals from wasm...\n");
  wasm_set(set_var_f32_import, (wasm_val_t)WASM_F32_VAL(73));
  wasm_set(set_var_i64_import, (wasm_val_t)WASM_I64_VAL(74));
  wasm_set(set_var_f32_export, (wasm_val_t)WASM_F32_VAL(77));
  wasm_set(set_var_i64_export, (wasm_val_t)WASM_I64_VAL(78));
  show("var f32 import", var_f32_import, get_var_f32_import, WASM_F32);
  show("var i64 import", var_i64_import, get_var_i64_import, WASM_I64);
  show("var f32 export", var_f32_export, get_var_f32_export, WASM_F32);
  show("var i64 export", var_i64_export, get_var_i64_export, WASM_I64);

  wasm_global_delete(const_f32_import);
  wasm_global_delete(const_i64_import);
  wasm_global_delete(var_f32_import);
  wasm_global_delete(var_i64_import);
  wasm_extern_vec_delete(&exports);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
