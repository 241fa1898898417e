(module
  (func (export "f"))
  (func (export "echo") (param externref) (result externref) (local.get 0))
  (table (export "refs") 2 externref))
