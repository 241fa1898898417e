(module
  (func $start (call $fail))
  (func $fail (unreachable))
  (start $start))
