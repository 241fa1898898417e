#!/usr/bin/env bash
# Measures `wasiproc explore` on the example bugs (guest/examples/src/bin/race_*.rs):
#   1. schedules to the first failure, over 20 explorations per strategy
#      (first seeds 0, 100000, 200000, ...), median / min / max;
#   2. the locked control under 10,000 schedules (must find nothing);
#   3. throughput on the lost-update example (all 4,000 schedules run, --all)
#      with --jobs 1 and --jobs 2: schedules/s, and CPU time per schedule.
# Prints one table per part (the figures in benches/README.md come from it).
#
# Usage: benches/explore.sh [--quick] [PART...]   (parts 1 2 3 by default;
# builds wasiproc and the guests first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0
[ "${1:-}" = "--quick" ] && quick=1 && shift
parts="${*:-1 2 3}"
part() { case " $parts " in *" $1 "*) return 0;; *) return 1;; esac; }
cargo build --release -p wasiproc-cli >&2
bin="$(guest/build.sh)"
wp="${CARGO_TARGET_DIR:-$root/target}/release/wasiproc"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
mkdir -p "$data/d"
explorations=20
max=20000
[ $quick = 1 ] && explorations=5 && max=5000

# explore NAME [flags...] [-- args]: one exploration, JSON on stdout.
explore() {
    local name="$1"; shift
    "$wp" explore --json --dir "$data/d::/data" \
        --allow-command "$name.wasm=$bin/$name.wasm" "$@" 2>/dev/null || true
}

median() { python3 -c '
import sys, statistics
v = [int(x) for x in sys.argv[1:]]
found = [x for x in v if x > 0]
miss = len(v) - len(found)
if not found: print("none found"); sys.exit()
vals = sorted(x if x > 0 else 10**12 for x in v)
m = statistics.median_low(vals)
med = str(m) if m < 10**12 else ">max"
print(f"{med} (min {min(found)}, max {max(found)}" + (f", {miss} not found" if miss else "") + ")")
' "$@"; }

if part 1; then
echo "## schedules to the first failure ($explorations explorations each, at most $max schedules)"
echo
echo "| example | strategy | median (min, max) |"
echo "| --- | --- | --- |"
for name in race_lost_update race_order race_deadlock race_atomicity; do
    for strategy in random pct:2 pct:3; do
        counts=()
        for ((k = 0; k < explorations; k++)); do
            out="$(explore "$name" --runs "$max" --strategy "$strategy" --first-seed $((k * 100000)) "$bin/$name.wasm")"
            n="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["schedules"] if d["failures"] else 0)' "$out")"
            counts+=("$n")
        done
        echo "| $name | $strategy | $(median "${counts[@]}") |"
    done
done
echo
fi
if part 2; then
control=10000
[ $quick = 1 ] && control=2000
echo "## control: race_lost_update locked, $control schedules"
echo
for strategy in random pct:2; do
    out="$(explore race_lost_update --runs $control --strategy $strategy "$bin/race_lost_update.wasm" locked)"
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("- %s: %d schedules, %d failing" % (d["strategy"], d["schedules"], len(d["failures"])))' "$out"
done
echo
fi
if part 3; then
runs=4000
[ $quick = 1 ] && runs=1000
echo "## throughput: race_lost_update, $runs schedules (--all), random"
echo
echo "| jobs | wall s | schedules/s | CPU ms per schedule (user+sys) | load average before |"
echo "| --- | --- | --- | --- | --- |"
for jobs in 1 2; do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    t0="$(date +%s.%N)"
    /usr/bin/time -f '%U %S' -o "$data/time" "$wp" explore --runs $runs --all --jobs $jobs \
        --dir "$data/d::/data" --allow-command "race_lost_update.wasm=$bin/race_lost_update.wasm" \
        "$bin/race_lost_update.wasm" >/dev/null 2>&1 || true
    cpu="$(tail -1 "$data/time")"
    t1="$(date +%s.%N)"
    python3 -c '
import sys
jobs, runs, t0, t1, u, s, load = sys.argv[1:]
wall = float(t1) - float(t0)
print(f"| {jobs} | {wall:.2f} | {int(runs)/wall:.0f} | {(float(u)+float(s))*1000/int(runs):.3f} | {load} |")
' "$jobs" "$runs" "$t0" "$t1" $cpu "$load"
done
fi
