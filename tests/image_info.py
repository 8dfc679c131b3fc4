#!/usr/bin/env python3
"""What `bzelf info --json` says about an image, for the test and bench
scripts: they find part 5, the payload, the stage parameters and every
field they damage there instead of decoding the image's bytes themselves.

    image_info.py IMAGE [KEY...]

prints the value at each KEY, a dotted path into the JSON with list
indices as numbers ("layout.part5.file_offset",
"layout.params.segments.entries.0.paddr.file_offset"), one per line
(objects, lists and true/false as JSON); with no KEY, the whole JSON. Python scripts import it instead (hence the
underscore: a module name cannot have a hyphen) and call Load.

    image_info.py --efi-application IMAGE

exits 0 when IMAGE is an EFI application that UEFI firmware can start
(EfiApplication), 1 when it is not, printing nothing.

The tool is $BZELF, else build/bin/bzelf at the top of the tree. `bzelf
info` exits 1 for an image it finds fault with (a damaged one), but
prints its JSON all the same: that is accepted; no JSON is an error.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def Load(image, bzelf=None):
    """The parsed `bzelf info --json IMAGE`."""
    bzelf = bzelf or os.environ.get("BZELF") or os.path.join(ROOT, "build", "bin", "bzelf")
    run = subprocess.run([bzelf, "info", "--json", image], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    try:
        return json.loads(run.stdout)
    except ValueError:
        sys.exit("image_info: %s info --json %s (status %d): %s" % (
            bzelf, image, run.returncode, run.stderr.decode(errors="replace").strip()))


def Get(info, key):
    """The value at the dotted path KEY."""
    value = info
    for part in key.split("."):
        try:
            value = value[int(part)] if isinstance(value, list) else value[part]
        except (KeyError, IndexError, ValueError):
            sys.exit("image_info: no %s in bzelf info --json (at %s)" % (key, part))
    return value


def EfiApplication(info):
    """Whether `bzelf info --json` says the image is an EFI application:
    a "pe" object (the PE/COFF header, its fields named as in Microsoft's
    PE format spec) whose "Subsystem" is 10, IMAGE_SUBSYSTEM_EFI_APPLICATION,
    with an "AddressOfEntryPoint" that is not 0 (a header with no EFI stub
    behind it has 0 there). tests/efi runs its bzelf rows and make bench
    its EFI boot times only for such an image."""
    pe = info.get("pe") or {}
    return pe.get("Subsystem") == 10 and bool(pe.get("AddressOfEntryPoint"))


def Main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--efi-application":
        if len(sys.argv) != 3:
            sys.exit(__doc__)
        sys.exit(0 if EfiApplication(Load(sys.argv[2])) else 1)
    info = Load(sys.argv[1])
    if len(sys.argv) == 2:
        json.dump(info, sys.stdout, indent=2)
        print()
    for key in sys.argv[2:]:
        value = Get(info, key)
        print(json.dumps(value) if isinstance(value, (dict, list, bool)) else value)


if __name__ == "__main__":
    Main()
