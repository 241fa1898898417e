//! The standard `spectest` host module that spec scripts import from.

use wasiproc_engine::{
    Error, FuncType, Global, GlobalType, Linker, Memory, MemoryType, Mutability, Store, Table,
    TableType, Val, ValType,
};

/// Defines the `spectest` module in `linker`: the `print*` functions (no-ops),
/// `global_i32`/`global_i64` (666), `global_f32`/`global_f64` (666.6), a
/// funcref `table` of 10 elements (max 20) and a `memory` of 1 page (max 2).
/// Globals, table and memory are created in `store`.
pub fn define<T>(linker: &mut Linker<T>, store: &mut Store<T>) -> Result<(), Error> {
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        linker.func_new("spectest", name, ty, |_, _, _| Ok(()))?;
    }

    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::from_f32(666.6)),
        ("global_f64", Val::from_f64(666.6)),
    ];
    for (name, value) in globals {
        let ty = GlobalType {
            content: value.ty(),
            mutability: Mutability::Const,
        };
        let global = Global::new(&mut *store, ty, value)?;
        linker.define("spectest", name, global)?;
    }

    let table_ty = TableType {
        element: ValType::FuncRef,
        minimum: 10,
        maximum: Some(20),
    };
    let table = Table::new(&mut *store, table_ty, Val::FuncRef(None))?;
    linker.define("spectest", "table", table)?;

    let memory_ty = MemoryType::new(1, Some(2));
    let memory = Memory::new(&mut *store, memory_ty)?;
    linker.define("spectest", "memory", memory)?;
    Ok(())
}
