//! The process layer: runtime, scheduler, spawn/wait/kill, pipes (not yet implemented).
