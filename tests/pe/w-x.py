#!/usr/bin/env python3
"""W^X in an image's PE header, as `bzelf info --json IMAGE` reads it:

    w-x.py IMAGE

NX_COMPAT (IMAGE_DLLCHARACTERISTICS_NX_COMPAT, 0x0100) is set, no section
is both writable (IMAGE_SCN_MEM_WRITE) and executable
(IMAGE_SCN_MEM_EXECUTE), and the entry point lies in an executable
section. Prints what is wrong and exits 1, or exits 0.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from image_info import Load  # noqa: E402

NX_COMPAT = 0x0100
MEM_EXECUTE = 0x20000000
MEM_WRITE = 0x80000000


def num(value):
    """A JSON number, or a number written as text ("0x100")."""
    return value if isinstance(value, int) else int(value, 0)


def main():
    pe = Load(sys.argv[1]).get("pe")
    if pe is None:
        print("no PE header")
        return 1
    bad = []
    if not num(pe["DllCharacteristics"]) & NX_COMPAT:
        bad.append("DllCharacteristics %#x lacks NX_COMPAT" % num(pe["DllCharacteristics"]))
    entry = num(pe["AddressOfEntryPoint"])
    for s in pe["sections"]:
        flags = num(s["Characteristics"])
        start = num(s["VirtualAddress"])
        if flags & MEM_WRITE and flags & MEM_EXECUTE:
            bad.append("section %s is writable and executable (%#x)" % (s["Name"], flags))
        if start <= entry < start + num(s["VirtualSize"]) and not flags & MEM_EXECUTE:
            bad.append("the entry point lies in %s, which is not executable" % s["Name"])
    if bad:
        print("; ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
