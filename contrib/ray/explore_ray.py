#!/usr/bin/env python3
"""Runs `wasiproc explore` on a Ray cluster: one Ray task per shard.

    python3 explore_ray.py [--address ADDR] [--shards N] [--wasiproc PATH]
                           [--keep DIR] [--json] -- EXPLORE_ARGS...

Each task runs `wasiproc explore --json --shard I/N --keep TMP EXPLORE_ARGS`
on a Ray worker (the wasiproc binary and the modules and directories that
EXPLORE_ARGS name must exist at the same paths there: a shared filesystem or
the same container image) and returns its JSON summary and the traces it
kept. The driver merges the shards, writes the traces into --keep DIR, and
prints the summary a single `wasiproc explore EXPLORE_ARGS --keep DIR` run
prints (with --json, a JSON object of the same facts). Exit status: 0 when
no schedule failed, 1 when one did (or a shard could not run).

EXPLORE_ARGS must not contain --shard, --keep or --json. See docs/explore.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import ray


@ray.remote(num_cpus=1)
def run_shard(wasiproc, index, count, args):
    """One shard: its JSON summary and its kept traces {name: bytes}."""
    with tempfile.TemporaryDirectory(prefix="wasiproc-shard-") as keep:
        cmd = [wasiproc, "explore", "--json", "--jobs", "1",
               "--shard", f"{index + 1}/{count}", "--keep", keep] + args
        proc = subprocess.run(cmd, capture_output=True)
        if proc.returncode not in (0, 1) or not proc.stdout.strip():
            raise RuntimeError(
                f"shard {index + 1}/{count}: wasiproc exited {proc.returncode}: "
                + proc.stderr.decode(errors="replace"))
        summary = json.loads(proc.stdout)
        traces = {}
        for name in os.listdir(keep):
            with open(os.path.join(keep, name), "rb") as f:
                traces[name] = f.read()
        return summary, traces


def merge(shards):
    """The single-machine summary of the whole seed range from its shards."""
    first = shards[0]
    failures = sorted((f for s in shards for f in s["failures"]),
                      key=lambda f: f["seed"])
    if first["runs"] is None:
        schedules = sum(s["schedules"] for s in shards)
        if not first["all"] and failures:
            failures = failures[:1]
    elif not first["all"] and failures:
        failures = failures[:1]
        schedules = failures[0]["seed"] - first["first_seed"] + 1
    else:
        schedules = first["runs"]
    merged = dict(first)
    merged.update(shard=[0, 1], schedules=schedules, failures=failures,
                  executed=sum(s["executed"] for s in shards),
                  jobs=sum(s["jobs"] for s in shards),
                  elapsed_s=max(s["elapsed_s"] for s in shards))
    return merged


def text(s):
    """The text form, as `wasiproc explore` prints it (Summary::text)."""
    if s["runs"] is not None:
        seeds = f"seeds {s['first_seed']}..{s['first_seed'] + s['runs']}"
    else:
        seeds = f"seeds from {s['first_seed']}"
    out = [f"explore {s['root']}: strategy {s['strategy']}, {seeds}, fail on {s['fail_on']}",
           f"fifo run: {s['fifo']['ending']}, fuel {s['fifo']['fuel']}",
           f"schedules: {s['schedules']}, failing: {len(s['failures'])}"]
    for f in s["failures"]:
        out.append(f"failure: seed {f['seed']}: {f['ending']}")
        if f["stdout"]:
            out.append(f"  stdout: {f['stdout']}")
        out.append(f"  schedule: {f['schedule']}")
        if f["trace"] is not None:
            out.append(f"  trace: {f['trace']}")
        m = f["minimized"]
        if m is not None:
            out.append(f"  minimized: {m['points']} of {m['from']} points: {m['schedule']}")
            if m["trace"] is not None:
                out.append(f"  minimized trace: {m['trace']}")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--address", default=None, help="Ray cluster address (default: start or find one)")
    p.add_argument("--shards", type=int, default=None, help="shards (default: the cluster's CPUs)")
    p.add_argument("--wasiproc", default="wasiproc", help="the wasiproc binary on the workers")
    p.add_argument("--keep", default=None, help="where to write the failures' traces")
    p.add_argument("--json", action="store_true", help="print the merged summary as JSON")
    p.add_argument("explore_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    args = a.explore_args[1:] if a.explore_args[:1] == ["--"] else a.explore_args
    for flag in ("--shard", "--keep", "--json"):
        if any(x == flag or x.startswith(flag + "=") for x in args):
            p.error(f"{flag} is the driver's to set")
    ray.init(address=a.address, logging_level="ERROR", log_to_driver=False)
    count = a.shards or max(1, int(ray.cluster_resources().get("CPU", 1)))
    shards = ray.get([run_shard.remote(a.wasiproc, i, count, args) for i in range(count)])
    summaries = [s for s, _ in shards]
    merged = merge(summaries)
    # The traces of the failures reported, under their names in --keep.
    reported = {f["seed"] for f in merged["failures"]}
    for f in merged["failures"]:
        for obj in (f, f["minimized"]):
            if obj is not None and obj["trace"] is not None:
                name = os.path.basename(obj["trace"])
                obj["trace"] = os.path.join(a.keep, name) if a.keep else None
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        for _, traces in shards:
            for name, data in traces.items():
                seed = int(name.split("-")[1].split(".")[0])
                if seed in reported:
                    with open(os.path.join(a.keep, name), "wb") as out:
                        out.write(data)
    sys.stdout.write(json.dumps(merged) + "\n" if a.json else text(merged))
    return 1 if merged["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
