#!/usr/bin/env python3
"""Writer and rotator for TailFaultInjectionTests, in one process so the two never race.

    fault_writer.py --dir DIR --seed SEED --lines N --trainscope BIN --db DB [--seconds S]

Appends `step=N loss=V` lines (N = 1..LINES, each once; V = N/1000) to DIR/train.log in bursts
of random size, sometimes splitting a line over two writes, and at random points rotates the file:

- rename: train.log -> train.log.<k>, then a new train.log;
- copytruncate: copy train.log to train.log.<k>, then truncate train.log in place (the writer is
  paused during both, so the rotation itself loses nothing; the writer's descriptor is O_APPEND,
  as a logging library's is, so it goes on at offset 0);
- truncate: truncate train.log in place, with no copy. Only once trainscope has stored every line
  written so far (anything unread would be lost by the rotation itself, not by trainscope); while
  trainscope is down the wait lasts until it has been restarted and caught up.

Renames and copytruncates come whenever the schedule says, so two or more of them can happen
while trainscope is down or before it looks again: the files in between must then be read whole,
in order. After each rotation the writer waits 10 ms before its next line, so rotated files are
ordered by their modification times (ext4 stamps them with a clock that ticks every few ms; real
rotations are minutes apart). `--spacing seen` instead waits, before each rename or copytruncate,
until trainscope has stored a line written after the previous rotation.

The store is read with `BIN metrics --db DB --name step --format csv`, as a user would. Every k
is unique, so no rotation overwrites an older file. The schedule depends on SEED only (the waits
change when things happen, never what happens). Progress goes to stdout, one line per rotation.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import time


def stored_steps(trainscope, db):
    """How many step values the store holds now (0 while it does not exist yet)."""
    if not os.path.exists(db):
        return 0
    r = subprocess.run([trainscope, "metrics", "--db", db, "--name", "step", "--format", "csv"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        return 0
    return max(0, r.stdout.count(b"\n") - 1)


def wait_stored(trainscope, db, at_least, what, timeout=60.0):
    start = time.monotonic()
    while True:
        n = stored_steps(trainscope, db)
        if n >= at_least:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            sys.exit("fault_writer: before %s: trainscope stored %d step values after %.0f s, waiting for %d"
                     % (what, n, timeout, at_least))
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=20.0, help="rough time to spend writing")
    ap.add_argument("--trainscope", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--spacing", choices=["seen", "none"], default="none",
                    help="seen: before a rename or copytruncate, wait until trainscope has stored a line "
                         "written after the previous rotation; none: rotate whenever the schedule says")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    path = os.path.join(a.dir, "train.log")
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND

    def reopen():
        return os.open(path, flags, 0o644)

    fd = reopen()
    step = 0
    k = 0
    at_last_rotation = 0
    next_rotation = rng.randint(20, 250)
    mean_burst = 20
    pause = a.seconds / (a.lines / mean_burst)   # mean sleep after a burst
    counts = {"rename": 0, "copytruncate": 0, "truncate": 0}
    waited = 0.0

    while step < a.lines:
        burst = min(a.lines - step, rng.randint(1, 2 * mean_burst - 1))
        data = b"".join(b"step=%d loss=%.3f\n" % (s, s / 1000.0) for s in range(step + 1, step + burst + 1))
        step += burst
        if rng.random() < 0.25:
            # Split the last line: trainscope may read (and be killed) in the middle of it.
            cut = len(data) - rng.randint(2, 12)
            os.write(fd, data[:cut])
            time.sleep(rng.uniform(0, 0.03))
            os.write(fd, data[cut:])
        else:
            os.write(fd, data)
        time.sleep(rng.uniform(0, 2 * pause))

        if step >= next_rotation and step < a.lines:
            kind = rng.choice(["rename", "copytruncate", "truncate"])
            k += 1
            if kind == "truncate":
                waited += wait_stored(a.trainscope, a.db, step, "truncate %d" % k)
                os.ftruncate(fd, 0)
            else:
                if a.spacing == "seen":
                    waited += wait_stored(a.trainscope, a.db, at_last_rotation + 1, "%s %d" % (kind, k))
                rotated = "%s.%d" % (path, k)
                if kind == "rename":
                    os.rename(path, rotated)
                    os.close(fd)
                    time.sleep(rng.uniform(0, 0.02))   # the path is missing for a moment
                    fd = reopen()
                else:
                    shutil.copyfile(path, rotated)
                    os.ftruncate(fd, 0)
            counts[kind] += 1
            time.sleep(0.01)   # see the docstring: file times apart
            at_last_rotation = step
            # Now and then a storm: the next rotation after a few lines only.
            next_rotation = step + (rng.randint(1, 10) if rng.random() < 0.3 else rng.randint(20, 250))
            print("rotation %d: %s after step %d" % (k, kind, step), flush=True)

    os.close(fd)
    print("done: %d lines, rotations %s, %.1f s waiting for trainscope" % (step, counts, waited), flush=True)


if __name__ == "__main__":
    main()
