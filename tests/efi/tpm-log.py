#!/usr/bin/env python3
"""Checks what a kernel read of the TPM (the tpm rows of tests/efi/run.sh).

    tpm-log.py SERIAL_LOG CMDLINE INITRD

SERIAL_LOG holds what the --tpm /init of tests/linux/make-initramfs.sh
printed: PCR 9 of the SHA-256 bank ("BZELF-TPM-PCR9 <hex>") and the TCG2
event log in base64 ("BZELF-TPM-LOG <line>"..., "BZELF-TPM-LOG-END").
The log must hold, in PCR 9, exactly one EV_EVENT_TAG event with Linux's
LoadOptions tag and description whose SHA-256 is that of CMDLINE as the
loader passed it (UCS-2 with its NUL), and exactly one with the initrd's
tag and description whose SHA-256 is that of the file INITRD; and
replaying every PCR 9 event of the log must give the PCR 9 the TPM
reports. Prints what is wrong and exits 1, or exits 0.

The log's format: TCG PC Client Platform Firmware Profile, "Event
Logging": a TCG_PCR_EVENT (SHA-1 layout) holding the Spec ID event
("Spec ID Event03", the digest sizes), then TCG_PCR_EVENT2 entries. The
tags and descriptions: Linux's drivers/firmware/efi/libstub/efi-stub-helper.c.
"""
import base64
import hashlib
import struct
import sys

EV_NO_ACTION = 3
EV_EVENT_TAG = 6
TPM_ALG_SHA256 = 0x000B
EXPECTED = {
    "LoadOptions": (0x8F3B22ED, b"LOADED_IMAGE::LoadOptions\0"),
    "initrd": (0x8F3B22EC, b"Linux initrd\0"),
}


def read_serial(path):
    pcr9 = None
    b64 = []
    ended = False
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("ascii", "replace").strip()
            if line.startswith("BZELF-TPM-BAD"):
                raise ValueError(line)
            if line.startswith("BZELF-TPM-PCR9 "):
                pcr9 = bytes.fromhex(line.split()[1])
            elif line == "BZELF-TPM-LOG-END":
                ended = True
            elif line.startswith("BZELF-TPM-LOG "):
                b64.append(line.split(" ", 1)[1])
    if pcr9 is None:
        raise ValueError("no BZELF-TPM-PCR9 line: the kernel has no TPM, or /init did not run")
    if not ended:
        raise ValueError("the event log dump has no BZELF-TPM-LOG-END line")
    return pcr9, base64.b64decode("".join(b64))


def parse_log(log):
    """The events as (pcr, type, {alg: digest}, data)."""
    pcr, etype, _sha1, size = struct.unpack_from("<II20sI", log, 0)
    spec = log[32:32 + size]
    if etype != EV_NO_ACTION or not spec.startswith(b"Spec ID Event03\0"):
        raise ValueError("the log does not start with a Spec ID event: not a crypto-agile log")
    (count,) = struct.unpack_from("<I", spec, 24)
    sizes = dict(struct.unpack_from("<HH", spec, 28 + 4 * i) for i in range(count))
    events = []
    at = 32 + size
    while at < len(log):
        pcr, etype, n = struct.unpack_from("<III", log, at)
        at += 12
        digests = {}
        for _ in range(n):
            (alg,) = struct.unpack_from("<H", log, at)
            if alg not in sizes:
                raise ValueError(f"event at {at}: algorithm {alg:#x}, "
                                 "which the Spec ID event does not list")
            digests[alg] = log[at + 2:at + 2 + sizes[alg]]
            at += 2 + sizes[alg]
        (dsize,) = struct.unpack_from("<I", log, at)
        data = log[at + 4:at + 4 + dsize]
        at += 4 + dsize
        if at > len(log):
            raise ValueError("the last event runs past the log's end")
        events.append((pcr, etype, digests, data))
    return events


def main():
    serial, cmdline, initrd_path = sys.argv[1:4]
    with open(initrd_path, "rb") as f:
        initrd = f.read()
    wanted = {
        "LoadOptions": hashlib.sha256((cmdline + "\0").encode("utf-16-le")).digest(),
        "initrd": hashlib.sha256(initrd).digest(),
    }
    try:
        pcr9, log = read_serial(serial)
        events = parse_log(log)
    except (ValueError, struct.error) as e:
        print(f"TPM: {e}")
        return 1
    problems = []
    replay = bytes(32)
    found = {name: [] for name in EXPECTED}
    for pcr, etype, digests, data in events:
        if pcr != 9 or etype == EV_NO_ACTION:
            continue
        if TPM_ALG_SHA256 not in digests:
            problems.append("a PCR 9 event has no SHA-256 digest")
            continue
        replay = hashlib.sha256(replay + digests[TPM_ALG_SHA256]).digest()
        if etype != EV_EVENT_TAG or len(data) < 8:
            continue
        tag, size = struct.unpack_from("<II", data, 0)
        for name, (want_tag, description) in EXPECTED.items():
            if tag == want_tag:
                if data[8:] != description or size != len(description):
                    problems.append(f"the {name} event's data is {data!r}, not Linux's")
                found[name].append(digests[TPM_ALG_SHA256])
    for name, digests in found.items():
        if len(digests) != 1:
            problems.append(f"{len(digests)} {name} events in PCR 9, not 1")
        elif digests[0] != wanted[name]:
            problems.append(f"the {name} event's SHA-256 is {digests[0].hex()}, "
                            f"not {wanted[name].hex()}")
    if replay != pcr9:
        problems.append(f"replaying PCR 9's {sum(1 for e in events if e[0] == 9)} events gives "
                        f"{replay.hex()}, the TPM says {pcr9.hex()}")
    if problems:
        print("TPM: " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
