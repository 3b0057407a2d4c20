#!/usr/bin/python3
"""Whether a screen reader can read TEXT on the screen: looks through every application on the accessibility bus
(AT-SPI, as Orca does) for an object whose name or text holds it; prints its role and the application's name.

usage: accessible_text.py TEXT [SECONDS]
"""
import sys
import time

import pyatspi

needle, patience = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 10


def texts(accessible):
    found = [accessible.name or "", accessible.description or ""]
    try:
        text = accessible.queryText()
        found.append(text.getText(0, text.characterCount))
    except NotImplementedError:
        pass
    return found


def search(accessible, depth=0):
    if accessible is None or depth > 40:
        return None
    if any(needle in text for text in texts(accessible)):
        return accessible
    for index in range(accessible.childCount):
        hit = search(accessible.getChildAtIndex(index), depth + 1)
        if hit is not None:
            return hit
    return None


deadline = time.time() + patience
while True:
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(desktop.childCount):
        application = desktop.getChildAtIndex(index)
        try:
            hit = search(application)
        except Exception:
            hit = None
        if hit is not None:
            print("%s in %s" % (hit.getRoleName(), application.name))
            sys.exit(0)
    if time.time() > deadline:
        print("not exposed: %r" % needle, file=sys.stderr)
        sys.exit(1)
    time.sleep(0.5)
