#!/usr/bin/env python3
"""Counts the files below a home that still carry a marker of the fixture's session (name or content, UTF-8 or UTF-16)."""
import os
import sys

# The manifest's markers (MANIFEST.md, "Every file that contains a marker of this run"), plus the origin as it appears in folder names.
MARKERS = ["127.0.0.1:8642", "kiosk_pub_visitor", "kiosk_pub_auth", "kiosk_pub_draft", "kiosk-pub-idb",
           "jean.martin", "attestation-caf.pdf", "aide logement caf"]
NAME_MARKERS = ["127.0.0.1+8642", "127.0.0.1_8642", "attestation-caf"]

def carriers(root):
    needles = [m.encode() for m in MARKERS] + [m.encode("utf-16-le") for m in MARKERS]
    found = []
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            if any(m in path[len(root):] for m in NAME_MARKERS):
                if name in files or not os.listdir(path):
                    found.append(path)
                continue
            if name in files and os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    data = handle.read()
                if any(n in data for n in needles):
                    found.append(path)
    return sorted(set(found))

if __name__ == "__main__":
    found = carriers(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "--list":
        print("\n".join(found))
    print(len(found))
