#!/usr/bin/env python3
"""Watches a QEMU machine through its human monitor until Linux's kernel
proper runs on it, then ends QEMU:

    linux-running.py SOCKET SECONDS OUT

SOCKET is the monitor (-monitor unix:SOCKET,server=on,wait=off). Once a
second it asks `info registers`; when RIP lies in the range Linux's x86_64
kernel text is mapped at whatever KASLR chose, 0xffffffff80000000 up to
0xffffffffc0000000 (Documentation/arch/x86/x86_64/mm.rst: "kernel text
mapping, mapped to physical address 0", 1 GiB with KASLR), it writes
"linux-running RIP=<rip>" to OUT and says `quit`. Firmware and EFI
applications, Linux's EFI stub included, run on the firmware's identity
map, far below that.

This is how tests/efi tells that a firmware started a kernel that was
given no command line: Debian's kernel then has no console on the serial
port and no initrd, and says nothing. Exits 0 when Linux was seen, 1 when
QEMU went away or SECONDS passed first (OUT then says the last RIP).
"""
import re
import socket
import sys
import time

KERNEL_TEXT = (0xFFFFFFFF80000000, 0xFFFFFFFFC0000000)
PROMPT = b"(qemu) "


def ToPrompt(conn):
    """What the monitor says up to its next prompt."""
    data = b""
    while not data.endswith(PROMPT):
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the monitor closed")
        data += chunk
    return data.decode(errors="replace")


def Ask(conn, command):
    """What the monitor answers to COMMAND."""
    conn.sendall(command.encode() + b"\n")
    return ToPrompt(conn)


def Main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    deadline = time.monotonic() + seconds
    last = "none seen"
    conn = None
    connected = False
    while time.monotonic() < deadline:
        time.sleep(1)
        try:
            if conn is None:
                conn = socket.socket(socket.AF_UNIX)
                conn.settimeout(10)
                conn.connect(path)
                connected = True
                ToPrompt(conn)  # the banner
            match = re.search(r"RIP=([0-9a-f]{16})", Ask(conn, "info registers"))
        except OSError:
            # Not there yet, or QEMU has gone.
            if conn is not None:
                conn.close()
                conn = None
            if connected:
                break
            continue
        if not match:
            continue
        last = match.group(1)
        if KERNEL_TEXT[0] <= int(last, 16) < KERNEL_TEXT[1]:
            with open(out, "w") as f:
                f.write("linux-running RIP=%s\n" % last)
            # Until QEMU closes the monitor: a connection closed at once
            # may lose the command.
            try:
                conn.sendall(b"quit\n")
                while conn.recv(65536):
                    pass
            except OSError:
                pass
            return 0
    with open(out, "w") as f:
        f.write("no-linux last RIP=%s\n" % last)
    return 1


if __name__ == "__main__":
    sys.exit(Main())
