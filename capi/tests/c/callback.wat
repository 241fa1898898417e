(module
  (func $print (import "" "print") (param i32) (result i32))
  (func $closure (import "" "closure") (result i32))
  (func $mix (import "" "mix") (param i32 i64 f32 f64) (result f64 i32))
  (func (export "run") (param $x i32) (param $y i32) (result i32)
    (i32.add
      (call $print (i32.add (local.get $x) (local.get $y)))
      (call $closure)))
  (func (export "mixed") (param i32 i64 f32 f64) (result f64 i32)
    (call $mix (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
