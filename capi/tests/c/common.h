/* Helpers shared by the C samples: load a module from a file, check a
 * condition, print and free a trap. Each sample takes the path of its
 * .wasm file as argv[1]. */
#ifndef SAMPLES_COMMON_H
#define SAMPLES_COMMON_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

/* wasm.h undefines its ownership marker at the end; the samples use it too. */
#define own

#define check(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      printf("> check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

/* Reads a file into an own byte vector; exits on failure. */
static inline void read_binary(const char* path, wasm_byte_vec_t* out) {
  FILE* file = fopen(path, "rb");
  if (!file) {
    printf("> cannot open %s\n", path);
    exit(1);
  }
  fseek(file, 0L, SEEK_END);
  long size = ftell(file);
  fseek(file, 0L, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  if (size > 0 && fread(out->data, (size_t)size, 1, file) != 1) {
    printf("> cannot read %s\n", path);
    exit(1);
  }
  fclose(file);
}

/* Compiles the module at `path`; exits on failure. */
static inline wasm_module_t* load_module(wasm_store_t* store, const char* path) {
  wasm_byte_vec_t binary;
  read_binary(path, &binary);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) {
    printf("> Error compiling module!\n");
    exit(1);
  }
  return module;
}

/* Prints "> <message>" and deletes the trap. */
static inline void print_trap(wasm_trap_t* trap) {
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("> %s\n", message.data);
  wasm_byte_vec_delete(&message);
  wasm_trap_delete(trap);
}

/* The i-th export as a function; exits if it is not one. */
static inline const wasm_func_t* export_func(const wasm_extern_vec_t* exports,
                                      size_t i) {
  check(i < exports->size);
  const wasm_func_t* f = wasm_extern_as_func_const(exports->data[i]);
  check(f != NULL);
  return f;
}

#endif
