#!/usr/bin/env python3
"""From two listings of a home (before, after a wipe), the smallest set of paths `rm -rf` needs to remove the same entries."""
import sys

def read(path):
    with open(path, "rb") as handle:
        return set(entry for entry in handle.read().split(b"\0") if entry)

before, after = read(sys.argv[1]), read(sys.argv[2])
gone = before - after
top = sorted(p for p in gone if p.rsplit(b"/", 1)[0] not in gone)
sys.stdout.buffer.write(b"\0".join(top) + b"\0")
