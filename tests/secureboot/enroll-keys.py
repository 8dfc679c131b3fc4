#!/usr/bin/env python3
"""Enrolls Secure Boot keys offline into a copy of an edk2 (OVMF) variable store.

    enroll-keys.py --pk PK.pem --kek KEK.pem --db DB.pem [--db ...] VARS OUT

VARS is a variable store file as Debian's ovmf ships it blank
(/usr/share/OVMF/OVMF_VARS_4M.fd or OVMF_VARS.fd); OUT gets a copy with PK,
KEK and db written in, each an EFI_SIGNATURE_LIST of one X.509 certificate
(PEM or DER; --kek and --db may be given more than once). At its next start
the firmware finds PK and so leaves Setup Mode: edk2's AuthVariableLib
(SecurityPkg/Library/AuthVariableLib/AuthVariableLib.c,
AuthVariableLibInitialize) sets SetupMode to user mode when PK exists,
creates SecureBootEnable as enabled when it does not exist, and sets
SecureBoot from the two; a Secure Boot build of OVMF then verifies every
image against db. This does in the file what efitools' UpdateVars.efi does
through SetVariable in Setup Mode, without a boot.

The store is refused, with nothing written, unless it is laid out as this
script understands (edk2's MdePkg/Include/Pi/PiFirmwareVolume.h and
MdeModulePkg/Include/Guid/VariableFormat.h):
  - a firmware volume header: FileSystemGuid EFI_SYSTEM_NV_DATA_FV_GUID,
    Signature "_FVH", a header whose 16-bit words sum to 0;
  - right after it a VARIABLE_STORE_HEADER whose Signature is
    gEfiAuthenticatedVariableGuid (a store that can hold time-based
    authenticated variables), Format VARIABLE_STORE_FORMATTED (0x5A),
    State VARIABLE_STORE_HEALTHY (0xFE);
  - AUTHENTICATED_VARIABLE_HEADER records from there, each starting on a
    4-byte boundary (HEADER_ALIGNMENT) with StartId 0x55AA, its UCS-2 name
    and its data right after the 60-byte header (x86's ALIGNMENT is 1: no
    padding between them), then erased flash (0xFF) to the store's end;
  - none of PK, KEK, db already live (State VAR_ADDED, or VAR_ADDED with
    VAR_IN_DELETED_TRANSITION cleared: edk2 still counts that one);
  - in the volume past the store, the fault-tolerant write working block
    (signature gEdkiiWorkingBlockSignatureGuid) with an empty write queue:
    a write the firmware had not finished could be replayed over ours.
"""
import argparse
import base64
import os
import struct
import sys
import tempfile
import uuid

# GUIDs, as edk2 spells them.
kSystemNvDataFvGuid = uuid.UUID("fff12b8d-7696-4c8b-a985-2747075b4f50")  # SystemNvDataGuid.h
kAuthenticatedVariableGuid = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")  # VariableFormat.h
kVariableGuid = uuid.UUID("ddcf3616-3275-4164-98b6-fe85707ffe7d")  # VariableFormat.h
kWorkingBlockSignatureGuid = uuid.UUID("9e58292b-7c68-497d-a0ce-6500fd9f1b95")  # SystemNvDataGuid.h
kGlobalVariableGuid = uuid.UUID("8be4df61-93ca-11d2-aa0d-00e098032b8c")  # UEFI 2.9, 3.3
kImageSecurityDatabaseGuid = uuid.UUID("d719b2cb-3d3a-4596-a3bc-dad00e67656f")  # ImageAuthentication.h
kCertX509Guid = uuid.UUID("a5c059a1-94e4-4aa7-87b5-ab155c2bf072")  # ImageAuthentication.h
# The SignatureOwner of what this script enrolls: bzelf's own, made once
# with uuid4; the firmware stores it, nothing checks it.
kSignatureOwner = uuid.UUID("128992cc-9dba-43f3-b8b3-6525a92f2061")

# EFI_FIRMWARE_VOLUME_HEADER: ZeroVector[16], FileSystemGuid, FvLength,
# Signature, Attributes, HeaderLength, Checksum, ...
kFvHeader = struct.Struct("<16s16sQ4sIHH")
kFvSignature = b"_FVH"
# VARIABLE_STORE_HEADER: Signature, Size, Format, State, Reserved, Reserved1.
kStoreHeader = struct.Struct("<16sIBBHI")
kStoreFormatted = 0x5A
kStoreHealthy = 0xFE
# AUTHENTICATED_VARIABLE_HEADER: StartId, State, Reserved, Attributes,
# MonotonicCount, TimeStamp (EFI_TIME, 16 bytes), PubKeyIndex, NameSize,
# DataSize, VendorGuid.
kVariableHeader = struct.Struct("<HBBIQ16sIII16s")
kHeaderAlignment = 4
kVariableData = 0x55AA
kVarAdded = 0x3F
kVarInDeletedTransition = 0xFE
# EFI_FAULT_TOLERANT_WORKING_BLOCK_HEADER: Signature, Crc, flags, 3
# reserved bytes, WriteQueueSize; the write queue follows.
kWorkingBlockHeaderSize = 32
kWorkingBlockStep = 4096  # the variable volume's block size
# EFI_VARIABLE_NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS |
# TIME_BASED_AUTHENTICATED_WRITE_ACCESS (UEFI 2.9, 8.2): what the
# specification requires of PK, KEK and db.
kKeyAttributes = 0x27
# EFI_SIGNATURE_LIST: SignatureType, SignatureListSize,
# SignatureHeaderSize, SignatureSize; then EFI_SIGNATURE_DATA:
# SignatureOwner and the certificate.
kSignatureList = struct.Struct("<16sIII")


class StoreError(Exception):
    pass


def Align(n):
    return (n + kHeaderAlignment - 1) & ~(kHeaderAlignment - 1)


def Live(state):
    return state in (kVarAdded, kVarAdded & kVarInDeletedTransition)


def ReadCertificate(path):
    """The DER bytes of the certificate in PATH (PEM or DER)."""
    data = open(path, "rb").read()
    begin, end = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"
    if begin in data:
        body = data.split(begin, 1)[1].split(end, 1)[0]
        data = base64.b64decode(b"".join(body.split()))
    # DER: a SEQUENCE (0x30) with a long-form length.
    if len(data) < 4 or data[0] != 0x30:
        raise StoreError("%s: not an X.509 certificate (PEM or DER)" % path)
    return data


def SignatureList(certs):
    """The EFI_SIGNATURE_LISTs of the DER certificates CERTS, one each."""
    out = b""
    for der in certs:
        size = 16 + len(der)
        out += kSignatureList.pack(kCertX509Guid.bytes_le, kSignatureList.size + size, 0, size)
        out += kSignatureOwner.bytes_le + der
    return out


def Variable(name, guid, data):
    encoded = (name + "\0").encode("utf-16-le")
    header = kVariableHeader.pack(kVariableData, kVarAdded, 0, kKeyAttributes, 0, bytes(16), 0,
                                  len(encoded), len(data), guid.bytes_le)
    return header + encoded + data


def Store(image):
    """Where the variable store's records start and end, checked."""
    if len(image) < kFvHeader.size:
        raise StoreError("shorter than a firmware volume header")
    _, fs_guid, fv_length, signature, _, header_length, _ = kFvHeader.unpack_from(image)
    if signature != kFvSignature:
        raise StoreError("no firmware volume header (no _FVH signature)")
    if uuid.UUID(bytes_le=fs_guid) != kSystemNvDataFvGuid:
        raise StoreError("the firmware volume is %s, not the variable volume (%s)" %
                         (uuid.UUID(bytes_le=fs_guid), kSystemNvDataFvGuid))
    if fv_length != len(image) or header_length % 2 or header_length > len(image):
        raise StoreError("firmware volume length %d or header length %d do not fit the file's %d bytes"
                         % (fv_length, header_length, len(image)))
    if sum(struct.unpack_from("<%dH" % (header_length // 2), image)) & 0xFFFF:
        raise StoreError("the firmware volume header's checksum is wrong")
    store = header_length
    if store + kStoreHeader.size > len(image):
        raise StoreError("no room for a variable store header")
    sig, size, fmt, state, _, _ = kStoreHeader.unpack_from(image, store)
    sig = uuid.UUID(bytes_le=sig)
    if sig == kVariableGuid:
        raise StoreError("a variable store without authenticated variables (gEfiVariableGuid): "
                         "not from a Secure Boot capable build")
    if sig != kAuthenticatedVariableGuid:
        raise StoreError("unknown variable store signature %s" % sig)
    if fmt != kStoreFormatted or state != kStoreHealthy:
        raise StoreError("variable store not formatted and healthy (Format 0x%02x, State 0x%02x)"
                         % (fmt, state))
    end = store + size
    if end > len(image):
        raise StoreError("variable store of %d bytes runs past the file's end" % size)
    return store + kStoreHeader.size, end


def Records(image, at, end):
    """(name, guid, state) of each record, and where the free space starts."""
    records = []
    at = Align(at)
    while at + kVariableHeader.size <= end:
        (start, state, _, _, _, _, _, name_size, data_size,
         guid) = kVariableHeader.unpack_from(image, at)
        if start != kVariableData:
            break
        name_at = at + kVariableHeader.size
        next_at = Align(name_at + name_size + data_size)
        if name_size < 2 or name_size % 2 or next_at > end:
            raise StoreError("variable record at 0x%x runs past the store" % at)
        name = image[name_at:name_at + name_size].decode("utf-16-le").rstrip("\0")
        records.append((name, uuid.UUID(bytes_le=guid), state))
        at = next_at
    if any(b != 0xFF for b in image[at:end]):
        raise StoreError("something other than a variable record or erased flash at 0x%x" % at)
    return records, at


def CheckWorkingBlock(image, after):
    at = Align(after)
    at = (at + kWorkingBlockStep - 1) // kWorkingBlockStep * kWorkingBlockStep
    while at + kWorkingBlockHeaderSize < len(image):
        if uuid.UUID(bytes_le=image[at:at + 16]) == kWorkingBlockSignatureGuid:
            # An erased first write header (HeaderAllocated still 1): no write.
            if image[at + kWorkingBlockHeaderSize] != 0xFF:
                raise StoreError("the fault-tolerant write queue is not empty: "
                                 "start from a fresh copy of the blank store")
            return
        at += kWorkingBlockStep
    raise StoreError("no fault-tolerant write working block after the variable store")


def Enroll(image, pk, keks, dbs):
    at, end = Store(image)
    records, free = Records(image, at, end)
    CheckWorkingBlock(image, end)
    wanted = [("PK", kGlobalVariableGuid, [pk]), ("KEK", kGlobalVariableGuid, keks),
              ("db", kImageSecurityDatabaseGuid, dbs)]
    for name, guid, state in records:
        if Live(state) and any(name == n and guid == g for n, g, _ in wanted):
            raise StoreError("%s is already enrolled: start from a blank store" % name)
    out = bytearray(image)
    for name, guid, certs in wanted:
        record = Variable(name, guid, SignatureList(certs))
        if free + len(record) > end:
            raise StoreError("no room for %s (%d bytes) in the store" % (name, len(record)))
        out[free:free + len(record)] = record
        free = Align(free + len(record))
    return bytes(out)


def main():
    parser = argparse.ArgumentParser(
        prog="enroll-keys.py",
        description="Writes PK, KEK and db (X.509 certificates) into a copy of a blank "
        "edk2 variable store, such as Debian's /usr/share/OVMF/OVMF_VARS_4M.fd.")
    parser.add_argument("--pk", required=True, help="the platform key's certificate")
    parser.add_argument("--kek", required=True, action="append", help="a key exchange key's certificate")
    parser.add_argument("--db", required=True, action="append", help="a certificate db trusts")
    parser.add_argument("vars", help="the blank variable store")
    parser.add_argument("out", help="the store with the keys, written only on success")
    args = parser.parse_args()
    try:
        pk = ReadCertificate(args.pk)
        keks = [ReadCertificate(p) for p in args.kek]
        dbs = [ReadCertificate(p) for p in args.db]
        image = open(args.vars, "rb").read()
        try:
            out = Enroll(image, pk, keks, dbs)
        except StoreError as e:
            raise StoreError("%s: %s" % (args.vars, e))
    except (OSError, StoreError, ValueError) as e:
        sys.exit("enroll-keys.py: %s" % e)
    # A whole file or none: written beside OUT, then renamed over it.
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(args.out)))
        # mkstemp's file is the owner's alone; OUT gets what the umask gives.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(out)
        os.replace(tmp, args.out)
    except OSError as e:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        sys.exit("enroll-keys.py: %s: %s" % (args.out, e))


if __name__ == "__main__":
    main()
