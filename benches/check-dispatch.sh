#!/bin/sh
# Checks that the interpreter's threaded handlers (engine/src/exec/threaded)
# dispatch with jumps in an optimised binary: every handler has an indirect
# `jmp` through the handler table, and none calls a handler (an indirect
# call through a register, or a direct call to a handler or `dispatch`),
# which would grow the Rust stack with every instruction executed. The fuel
# charge's cold path, `refund`, which continues the chain after renewing a
# slice in place, is checked as a handler.
#
#   benches/check-dispatch.sh [BINARY]   (default: target/release/wasiproc)
#
# Needs objdump (binutils) and an x86-64 binary. Prints a summary; exits 1
# when a handler breaks the rule.
set -eu
bin=${1:-target/release/wasiproc}
objdump -d --no-show-raw-insn -C "$bin" | awk '
/^[0-9a-f]+ <.*>:$/ {
    name = $0
    # `refund` (the cold path of a fuel charge) continues the chain too.
    inh = (name ~ /<wasiproc_engine::exec::threaded::(ops|calls)::[A-Z][A-Za-z0-9]*>:$/ || name ~ /<wasiproc_engine::exec::threaded::refund>:$/)
    if (inh) { handlers++; cur = name; jumps[cur] = 0 }
    next
}
inh && /\tjmp +\*\(/ { jumps[cur]++ }
inh && /\tcall/ {
    if ($0 ~ /call +\*%/ || $0 ~ /call +\*\(%/ || $0 ~ /threaded::(ops|calls)::/ || $0 ~ /threaded::dispatch/) {
        print "handler calls another handler: " cur " " $0; bad++
    }
}
END {
    for (h in jumps) if (jumps[h] == 0) { print "no table jump in " h; bad++ }
    printf "%d handlers, %d violations\n", handlers, bad + 0
    if (handlers == 0) { print "no handlers found (symbols stripped?)"; exit 1 }
    exit bad > 0
}'
