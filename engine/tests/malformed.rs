//! Malformed and invalid modules produce errors, never panics or huge allocations.

use wasiproc_engine::*;

fn valid_module() -> Vec<u8> {
    wat::parse_str(
        r#"(module (memory 1) (global (mut i32) (i32.const 0))
        (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (data (i32.const 0) "hello"))"#,
    )
    .unwrap()
}

#[test]
fn every_truncation_is_an_error() {
    let engine = Engine::default();
    let bytes = valid_module();
    assert!(Module::new(&engine, &bytes).is_ok());
    for len in 0..bytes.len() {
        // A cut at a section boundary can leave a valid module; wasmparser's
        // own validator is the reference for which cuts those are.
        let reference = wasmparser::validate(&bytes[..len]).is_ok();
        match Module::new(&engine, &bytes[..len]) {
            Ok(_) => assert!(reference, "truncated at {len}: accepted"),
            Err(err) => {
                assert!(
                    !reference,
                    "truncated at {len}: refused a valid prefix: {err}"
                );
                assert!(
                    matches!(err, Error::Invalid { .. }),
                    "truncated at {len}: {err}"
                );
            }
        }
    }
}

#[test]
fn every_single_byte_corruption_is_handled() {
    let engine = Engine::default();
    let bytes = valid_module();
    for i in 8..bytes.len() {
        for v in [0x00u8, 0x7f, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] = v;
            // Either outcome is fine; a panic is not.
            let _ = Module::new(&engine, &b);
        }
    }
}

#[test]
fn bad_leb_is_an_error_with_offset() {
    let engine = Engine::default();
    // Type section whose length LEB never ends.
    let bytes = [
        0, b'a', b's', b'm', 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    ];
    match Module::new(&engine, bytes).unwrap_err() {
        Error::Invalid { offset, .. } => assert!(offset >= 8),
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn huge_declared_counts_do_not_allocate() {
    let engine = Engine::default();
    // A type section declaring 0xFFFFFFFF entries in a 5-byte body.
    let huge_types = [
        0, b'a', b's', b'm', 1, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f,
    ];
    assert!(Module::new(&engine, huge_types).is_err());
    // A section that claims 4 GiB of content.
    let huge_section = [
        0, b'a', b's', b'm', 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0,
    ];
    assert!(Module::new(&engine, huge_section).is_err());
    // A function declaring 4 billion locals.
    let many_locals = wat::parse_str("(module (func (local i32)))").unwrap();
    let mut b = many_locals.clone();
    // Patch the local count (a one-byte LEB "1") into a 5-byte maximal LEB.
    let pos = b.windows(2).rposition(|w| w == [0x01, 0x7f]).unwrap();
    b.splice(pos..pos + 1, [0xff, 0xff, 0xff, 0xff, 0x0f]);
    let code_size_at = pos - 2;
    b[code_size_at] += 4;
    b[code_size_at - 2] += 4;
    let err = Module::new(&engine, &b).unwrap_err().to_string();
    assert!(err.contains("too many locals"), "{err}");
    // Memory with 65537 pages is invalid.
    let bytes = wat::parse_str("(module (memory 65537))").unwrap();
    let err = Module::new(&engine, bytes).unwrap_err().to_string();
    assert!(err.contains("memory size must be at most"), "{err}");
}

#[test]
fn simd_switched_off_is_refused_naming_the_feature() {
    let mut config = Config::new();
    config.wasm_simd(false);
    let engine = Engine::new(&config);
    let bytes = wat::parse_str(
        r#"(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))"#,
    )
    .unwrap();
    let err = Module::new(&engine, bytes).unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("SIMD"), "{err}");
}

#[test]
fn invalid_module_names_the_problem_and_offset() {
    let engine = Engine::default();
    let bytes = wat::parse_str("(module (func (result i32) (i64.const 1)))").unwrap();
    let err = Module::new(&engine, bytes).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("type mismatch"), "{text}");
    assert!(text.contains("offset 0x"), "{text}");
}
