//! WASI preview1 on top of the wasiproc engine (see issue 3; not yet implemented).
