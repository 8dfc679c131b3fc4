#!/usr/bin/env python3
"""`bzelf extract` against libdeflate-gunzip, whole processes, side by side.

    extract-times.py IMAGE [RUNS]

IMAGE is a bzelf image; libdeflate-gunzip gets its payload, the gzip member
that `bzelf info --json` places at layout.payload, as a .gz file of its
own. Both run RUNS times (default 21) in turn, round robin, after one
untimed run each, in a temporary directory on a tmpfs (/dev/shm when it is
one; else the system's temporary directory, and the table says so), with
the image and the .gz file copied there first, so that neither reads nor
writes a disk. Each output is removed before each run, untimed, so that
neither tool pays for freeing the last run's file. A run is timed from
posix_spawn() to its wait4(): wall time, and the CPU time (user + system)
that wait4() reports.

    bzelf extract IMAGE -o KERNEL.elf
    libdeflate-gunzip -k PAYLOAD.gz       (writes PAYLOAD)

Prints min/median/max of each and the ratios of the medians,
libdeflate-gunzip's over bzelf's (above 1: bzelf is faster). Nothing here
passes or fails on time; the exit status is non-zero only when something
could not be measured: a tool missing or failing, or the two outputs not
the same bytes.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import image_info  # noqa: E402 (tests/image_info.py)

GUNZIP = 'libdeflate-gunzip'


def die(msg):
    sys.exit('extract-times: ' + msg)


def file_system_type(path):
    """The type of the file system that holds path, from /proc/self/mounts."""
    path = os.path.realpath(path)
    best, kind = '', '?'
    with open('/proc/self/mounts') as mounts:
        for line in mounts:
            fields = line.split()
            point = fields[1].replace('\\040', ' ')
            inside = path == point or path.startswith(point.rstrip('/') + '/')
            if inside and len(point) >= len(best):
                best, kind = point, fields[2]
    return kind


def scratch_dir():
    """A new directory on a tmpfs if there is one, and its file system type."""
    for parent in ('/dev/shm', tempfile.gettempdir()):
        if os.path.isdir(parent) and os.access(parent, os.W_OK) and \
                file_system_type(parent) == 'tmpfs':
            return tempfile.mkdtemp(prefix='bzelf-extract.', dir=parent), 'tmpfs'
    path = tempfile.mkdtemp(prefix='bzelf-extract.')
    return path, file_system_type(path)


def run(argv):
    """Wall and CPU seconds of one whole process."""
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        die('%s exited with status %d' % (' '.join(argv), os.waitstatus_to_exitcode(status)))
    return wall, usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().split('\n\n')[1])
    image = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) == 3 else 21
    if runs < 5:
        die('RUNS must be at least 5, for a median')
    bzelf = os.path.abspath(os.environ.get('BZELF') or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'build', 'bin', 'bzelf'))
    gunzip = shutil.which(GUNZIP)
    if gunzip is None:
        die(GUNZIP + ' not found (tools/install-deps.sh installs libdeflate-tools)')

    payload = image_info.Load(image, bzelf)['layout']['payload']
    work, kind = scratch_dir()
    try:
        image_copy = os.path.join(work, 'image.bzelf')
        gz = os.path.join(work, 'payload.gz')
        shutil.copyfile(image, image_copy)
        with open(image, 'rb') as f:
            f.seek(payload['file_offset'])
            member = f.read(payload['bytes'])
        with open(gz, 'wb') as f:
            f.write(member)
        elf = os.path.join(work, 'kernel.elf')
        gunzipped = os.path.join(work, 'payload')
        tools = [
            ('bzelf extract', [bzelf, 'extract', image_copy, '-o', elf], elf),
            (GUNZIP, [gunzip, '-k', gz], gunzipped),
        ]
        times = {name: [] for name, _, _ in tools}
        for i in range(runs + 1):
            for name, argv, output in tools:
                if os.path.exists(output):
                    os.unlink(output)
                wall, cpu = run(argv)
                if i > 0:
                    times[name].append((wall, cpu))
        with open(elf, 'rb') as a, open(gunzipped, 'rb') as b:
            out = a.read()
            if out != b.read():
                die('bzelf extract and %s wrote different bytes' % GUNZIP)

        print('  in %s (%s), %d runs each after one untimed, round robin' % (work, kind, runs))
        print('  input: image %d B; payload %d B of gzip -> %d B of ELF' %
              (os.path.getsize(image), len(member), len(out)))
        print('  %-18s %9s %9s %9s %14s' % ('', 'min ms', 'median', 'max ms', 'median CPU ms'))
        medians = {}
        for name, _, _ in tools:
            walls = [w for w, _ in times[name]]
            cpus = [c for _, c in times[name]]
            medians[name] = (statistics.median(walls), statistics.median(cpus))
            print('  %-18s %9.1f %9.1f %9.1f %14.1f' % (
                name, min(walls) * 1e3, medians[name][0] * 1e3, max(walls) * 1e3,
                medians[name][1] * 1e3))
        ours, theirs = medians['bzelf extract'], medians[GUNZIP]
        print('  ratio %s / bzelf extract (median wall) = %.2f' % (GUNZIP, theirs[0] / ours[0]))
        print('  ratio %s / bzelf extract (median CPU)  = %.2f' % (GUNZIP, theirs[1] / ours[1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
