#!/usr/bin/env bash
# What a user gets besides the image: the command line, make install, the
# manual, the bash completion, the Debian kernel hook and the Debian
# package. One row each:
#
#   version             --version and -V print "bzelf VERSION" (VERSION file)
#   version-changelog   debian/changelog's version is VERSION's
#   stdout-write-error  output that cannot be written is exit status 1
#   help                help, -h, --help: the same text, exit status 0
#   help-COMMAND        help COMMAND, COMMAND --help, COMMAND -h: the same
#   usage-errors        bad command lines: status 2, usage on stderr only
#   bad-input           a missing or unusable input: status 1, one line
#   docs-options        every command and option of `bzelf help` is in
#                       bzelf.1 and offered by the completion
#   man-warnings        bzelf.1 renders without a warning (man, mandoc)
#   install             make install DESTDIR=... PREFIX=/usr: exactly the
#                       files it should; the installed tool builds the same
#                       image as build/bin/bzelf and reads it back
#   install-gnu-dirs    prefix's default and bindir, mandir set alone
#   uninstall           make uninstall leaves no file behind
#   completion          the installed completion loads and completes
#   kernel-hook-*       the kernel hook, installed in a fake root's
#                       /etc/kernel, run by run-parts as Debian's kernel
#                       packages run it (contrib/kernel-hooks/bzelf)
#   deb                 make deb on a fresh clone of the tree's git HEAD
#                       (uncommitted changes are not in it): the package
#                       unpacked (dpkg-deb -x) in a scratch root works
#   deb-lintian         lintian finds no error in the package
#   deb-source-lintian  ... nor in the source package (dpkg-source -b)
#
# Environment (all optional): those of tests/lib.sh. Output and exit
# status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"

require "$BZELF" make man mandoc bash run-parts git dpkg-buildpackage dpkg-deb \
  dpkg-source dpkg-parsechangelog lintian cmp python3
require_kernels test32
make_work install
# This suite runs make itself; the jobserver of a make above it is not
# passed down to it.
unset MAKEFLAGS MFLAGS MAKELEVEL

VERSION=$(cat "$ROOT/VERSION")
KERNEL=$KERNELS_DIR/test32.elf
MAN_PAGE=$ROOT/man/bzelf.1
COMMANDS="build info extract help"

# run TOOL ARGS...: TOOL's stdout in $WORK/out, stderr in $WORK/err, and
# its exit status in $status.
run() {
  "$@" >"$WORK/out" 2>"$WORK/err"
  status=$?
}

# any_selected NAME...: whether one of the rows NAME is to run.
any_selected() {
  for any_name in "$@"; do
    selected "$any_name" && return 0
  done
  return 1
}

# ---- the command line --------------------------------------------------

if selected version; then
  reasons=""
  for option in --version -V; do
    run "$BZELF" "$option"
    [ "$status" -eq 0 ] || reasons+="$option: exit status $status; "
    [ "$(cat "$WORK/out")" = "bzelf $VERSION" ] ||
      reasons+="$option printed '$(oneline "$WORK/out")', not 'bzelf $VERSION'; "
    [ -s "$WORK/err" ] && reasons+="$option wrote on stderr: $(oneline "$WORK/err"); "
  done
  judge version
fi

if selected version-changelog; then
  changelog=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version 2>&1)
  if [ "$changelog" = "$VERSION" ]; then
    pass version-changelog "$VERSION"
  else
    fail version-changelog "debian/changelog says '$changelog', VERSION says '$VERSION'"
  fi
fi

if selected stdout-write-error; then
  "$BZELF" help >/dev/full 2>"$WORK/err"
  status=$?
  if [ "$status" -eq 1 ] && grep -q '^bzelf: standard output: write error$' "$WORK/err"; then
    pass stdout-write-error
  else
    fail stdout-write-error "bzelf help >/dev/full: exit status $status, stderr '$(oneline "$WORK/err")'"
  fi
fi

if selected help; then
  reasons=""
  run "$BZELF" help
  cp "$WORK/out" "$WORK/help"
  for args in -h --help; do
    run "$BZELF" $args
    [ "$status" -eq 0 ] || reasons+="$args: exit status $status; "
    cmp -s "$WORK/out" "$WORK/help" || reasons+="$args prints another text than 'help'; "
  done
  for command in $COMMANDS; do
    grep -q "^  $command " "$WORK/help" || reasons+="'$command' is not listed; "
  done
  for text in "Exit status: 0 success, 1 failure" "2 usage error" "-V, --version"; do
    grep -qF -e "$text" "$WORK/help" || reasons+="no '$text'; "
  done
  judge help
fi

for command in $COMMANDS; do
  selected "help-$command" || continue
  reasons=""
  run "$BZELF" help "$command"
  cp "$WORK/out" "$WORK/help-$command"
  [ "$status" -eq 0 ] || reasons+="help $command: exit status $status; "
  head -n 1 "$WORK/out" | grep -q "^usage: bzelf $command " ||
    reasons+="help $command does not start with 'usage: bzelf $command'; "
  grep -q '^Exit status: 0 success' "$WORK/out" || reasons+="no exit statuses; "
  for args in "$command --help" "$command -h" "--help $command"; do
    # shellcheck disable=SC2086 # a list of arguments
    run "$BZELF" $args
    [ "$status" -eq 0 ] || reasons+="$args: exit status $status; "
    cmp -s "$WORK/out" "$WORK/help-$command" || reasons+="'$args' differs from 'help $command'; "
  done
  judge "help-$command"
done

if selected usage-errors; then
  reasons=""
  count=0
  # One command line a line.
  while read -r line; do
    count=$((count + 1))
    # shellcheck disable=SC2086 # a list of arguments
    run "$BZELF" $line
    what="'bzelf $line'"
    [ "$status" -eq 2 ] || reasons+="$what: exit status $status; "
    [ -s "$WORK/out" ] && reasons+="$what wrote on stdout; "
    head -n 1 "$WORK/err" | grep -q '^bzelf: ' || reasons+="$what: no 'bzelf: ' line first; "
    grep -q '^usage: bzelf ' "$WORK/err" || reasons+="$what: no usage line; "
  done <<EOF

frobnicate
--frobnicate
--version extra
build
build $KERNEL
build $KERNEL -o
build $KERNEL -o $WORK/x.img --level 0
build $KERNEL -o $WORK/x.img --level=10
build $KERNEL -o $WORK/x.img --paddr-offset 12abc
build $KERNEL -o $WORK/x.img --json
build $KERNEL $KERNEL -o $WORK/x.img
info
info --json=yes $KERNEL
info -o x $KERNEL
extract $KERNEL
help frobnicate
help build info
EOF
  [ -e "$WORK/x.img" ] && reasons+="a usage error left $WORK/x.img; "
  if [ -z "$reasons" ]; then
    pass usage-errors "$count command lines"
  else
    fail usage-errors "${reasons%; }"
  fi
fi

if selected bad-input; then
  reasons=""
  run "$BZELF" info "$WORK/missing.img"
  [ "$status" -eq 1 ] || reasons+="info on a missing file: exit status $status; "
  [ "$(wc -l <"$WORK/err")" -eq 1 ] || reasons+="info on a missing file: not one line on stderr; "
  printf 'not a kernel' >"$WORK/junk"
  run "$BZELF" build "$WORK/junk" -o "$WORK/junk.img"
  [ "$status" -eq 1 ] || reasons+="build of a text file: exit status $status; "
  [ -e "$WORK/junk.img" ] && reasons+="build of a text file left an image; "
  judge bad-input
fi

# complete_words FILE WORD...: what the completion script FILE offers for
# the command line WORD..., whose last word is being typed, one a line.
complete_words() {
  bash -c '
    source "$1" || exit 1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    _bzelf
    printf "%s\n" "${COMPREPLY[@]}"' complete-words "$@"
}

if selected docs-options; then
  reasons=""
  for command in $COMMANDS; do
    grep -q "^\.It Cm $command\b" "$MAN_PAGE" || reasons+="bzelf.1 has no '.It Cm $command'; "
    offered=$(complete_words "$ROOT/completion/bzelf.bash" bzelf "${command:0:2}")
    [ "$offered" = "$command" ] || reasons+="completion of '${command:0:2}' gave '$offered'; "
    # The options of `bzelf help COMMAND`: the first word of each option line.
    options=$("$BZELF" help "$command" | sed -n 's/^  \(-[-a-z0-9]*\).*/\1/p' | grep -vx -- -h)
    offered=$(complete_words "$ROOT/completion/bzelf.bash" bzelf "$command" -)
    for option in $options; do
      grep -q "^\.It Fl ${option#-}\b" "$MAN_PAGE" ||
        reasons+="bzelf.1 has no '.It Fl ${option#-}' ($command); "
      printf '%s\n' "$offered" | grep -qx -- "$option" ||
        reasons+="completion of '$command -' lacks $option; "
    done
  done
  judge docs-options
fi

if selected man-warnings; then
  reasons=""
  for width in 60 80 100; do
    MANROFFSEQ='' MANWIDTH=$width man --warnings -E UTF-8 -l "$MAN_PAGE" >/dev/null 2>"$WORK/err"
    [ -s "$WORK/err" ] && reasons+="man --warnings at $width columns: $(oneline "$WORK/err"); "
  done
  # -W warning: mandoc's style notes include whether the pages it refers
  # to are in its database, which depends on the machine.
  mandoc -T lint -W warning "$MAN_PAGE" >"$WORK/lint" 2>&1
  [ -s "$WORK/lint" ] && reasons+="mandoc -T lint: $(oneline "$WORK/lint"); "
  judge man-warnings
fi

# ---- make install --------------------------------------------------------

INSTALL_ROOT=$WORK/root
INSTALLED="usr/bin/bzelf 755
usr/share/bash-completion/completions/bzelf 644
usr/share/doc/bzelf/examples/kernel-hooks/bzelf 755
usr/share/doc/bzelf/examples/kernel-hooks/default-bzelf 644
usr/share/man/man1/bzelf.1 644"

# install_into ROOT [MAKE_ARGS...]: make install DESTDIR=ROOT, its words
# in ROOT.log; on failure prints them and returns 1.
install_into() {
  local into=$1
  shift
  if ! make -s -C "$ROOT" install DESTDIR="$into" "$@" >"$into.log" 2>&1; then
    echo "make install failed: $(oneline "$into.log")"
    return 1
  fi
}

# installed_files ROOT: every file under ROOT with its mode, sorted.
installed_files() {
  (cd "$1" && find . -type f -printf '%P %m\n' | sort)
}

installed=""
if any_selected install uninstall completion kernel-hook-install kernel-hook-installkernel \
  kernel-hook-not-configure kernel-hook-without-bzelf kernel-hook-off kernel-hook-bad-kernel \
  kernel-hook-remove; then
  if reason=$(install_into "$INSTALL_ROOT" PREFIX=/usr); then
    installed=yes
  fi
fi

if selected install; then
  reasons=""
  if [ -z "$installed" ]; then
    reasons="$reason; "
  else
    got=$(installed_files "$INSTALL_ROOT")
    [ "$got" = "$INSTALLED" ] || reasons+="installed: $(echo "$got" | tr '\n' ',') "
    tool=$INSTALL_ROOT/usr/bin/bzelf
    [ "$("$tool" --version 2>&1)" = "bzelf $VERSION" ] || reasons+="installed --version is wrong; "
    "$BZELF" build "$KERNEL" -o "$WORK/reference.img" --cmdline "$BUILTIN_CMDLINE" 2>"$WORK/err" ||
      reasons+="build/bin/bzelf build failed: $(oneline "$WORK/err"); "
    if ! "$tool" build "$KERNEL" -o "$WORK/installed.img" --cmdline "$BUILTIN_CMDLINE" 2>"$WORK/err"; then
      reasons+="the installed bzelf build failed: $(oneline "$WORK/err"); "
    elif ! cmp -s "$WORK/installed.img" "$WORK/reference.img"; then
      reasons+="the installed tool's image differs from build/bin/bzelf's; "
    elif ! "$tool" info "$WORK/installed.img" >"$WORK/out" 2>"$WORK/err"; then
      reasons+="the installed bzelf info failed: $(oneline "$WORK/err"); "
    elif ! grep -q '^payload.crc32  *ok$' "$WORK/out"; then
      reasons+="the installed bzelf info does not say the CRC32 is ok; "
    fi
    MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$INSTALL_ROOT/usr/share/man/man1/bzelf.1" \
      >"$WORK/out" 2>"$WORK/err"
    { [ -s "$WORK/err" ] || ! grep -q 'bzelf build' "$WORK/out"; } &&
      reasons+="the installed manual does not render cleanly: $(oneline "$WORK/err"); "
  fi
  judge install
fi

if selected install-gnu-dirs; then
  reasons=""
  if reason=$(install_into "$WORK/local"); then
    [ -x "$WORK/local/usr/local/bin/bzelf" ] || reasons+="no usr/local/bin/bzelf without PREFIX; "
  else
    reasons+="$reason; "
  fi
  if reason=$(install_into "$WORK/dirs" prefix=/opt/bzelf bindir=/opt/bin mandir=/opt/man); then
    for file in opt/bin/bzelf opt/man/man1/bzelf.1 \
      opt/bzelf/share/bash-completion/completions/bzelf; do
      [ -f "$WORK/dirs/$file" ] || reasons+="no $file with prefix, bindir and mandir set; "
    done
  else
    reasons+="$reason; "
  fi
  judge install-gnu-dirs
fi

if selected uninstall; then
  reasons=""
  if [ -z "$installed" ]; then
    reasons="$reason; "
  else
    cp -a "$INSTALL_ROOT" "$WORK/uninstall-root"
    if ! make -s -C "$ROOT" uninstall DESTDIR="$WORK/uninstall-root" PREFIX=/usr \
      >"$WORK/out" 2>&1; then
      reasons+="make uninstall failed: $(oneline "$WORK/out"); "
    fi
    left=$(installed_files "$WORK/uninstall-root")
    [ -z "$left" ] && [ ! -d "$WORK/uninstall-root/usr/share/doc/bzelf" ] ||
      reasons+="left behind: $(echo "$left" | tr '\n' ',') "
  fi
  judge uninstall
fi

if selected completion; then
  reasons=""
  completion=$INSTALL_ROOT/usr/share/bash-completion/completions/bzelf
  if [ -z "$installed" ]; then
    reasons="$reason; "
  else
    said=$(bash -c 'source "$1" && complete -p bzelf' load "$completion" 2>&1)
    [ "$said" = "complete -F _bzelf bzelf" ] || reasons+="complete -p bzelf says '$said'; "
    mkdir -p "$WORK/files/kernels"
    : >"$WORK/files/kernel.elf"
    # Each: the words, then what must be offered (one line, space-separated).
    while IFS='|' read -r words expected; do
      # shellcheck disable=SC2086 # a list of words
      got=$(cd "$WORK/files" && complete_words "$completion" $words '' | LC_ALL=C sort | tr '\n' ' ')
      [ "${got% }" = "$expected" ] || reasons+="'$words <TAB>' offered '${got% }', not '$expected'; "
    done <<'EOF'
bzelf|--help --version build extract help info
bzelf help|build extract help info
bzelf build --level|1 2 3 4 5 6 7 8 9
bzelf build --cmdline|
bzelf build|kernel.elf kernels
bzelf extract image -o|kernel.elf kernels
EOF
    got=$(complete_words "$completion" bzelf info --j)
    [ "$got" = --json ] || reasons+="'bzelf info --j' offered '$got'; "
  fi
  judge completion
fi

# ---- the kernel hook ---------------------------------------------------

# A fake root: FAKE/boot with a kernel, FAKE/etc/kernel/post{inst,rm}.d
# with the installed hook, FAKE/etc/default/bzelf for the settings, and a
# directory whose only program is bzelf, the installed one.
FAKE=$WORK/fake
KVERSION=6.1.0-99-bzelf-test
HOOK_CMDLINE="console=ttyS0 from-the-hook-settings"
RUN_PARTS=$(command -v run-parts)

# hook_run WHICH [ACTION [SETTING...]]: runs FAKE/etc/kernel/WHICH.d
# through run-parts, as a kernel package's maintainer script does, with the
# version and the image as arguments and, unless ACTION is empty, the
# maintainer script's ACTION in DEB_MAINT_PARAMS; SETTINGs (NAME=VALUE) in
# the environment. What the hooks print in $WORK/out and $WORK/err,
# run-parts' status in $status.
hook_run() {
  local which=$1 action=${2:-}
  shift
  [ $# -gt 0 ] && shift
  local environment=(PATH="$WORK/hook-path:/usr/bin:/bin" BZELF_HOOK_BOOT_DIR="$FAKE/boot"
    BZELF_HOOK_CONFIG="$FAKE/etc/default/bzelf" "$@")
  # As a kernel's maintainer script quotes its arguments (the handbook:
  # "possibly single-quoted").
  [ -n "$action" ] && environment+=(DEB_MAINT_PARAMS="'$action' ''")
  run env -u BZELF_CMDLINE -u BZELF_IMAGE_PREFIX -u BZELF_KERNEL_HOOK -u BZELF_BUILD_OPTIONS \
    -u DEB_MAINT_PARAMS "${environment[@]}" \
    "$RUN_PARTS" --arg="$KVERSION" --arg="$FAKE/boot/vmlinuz-$KVERSION" "$FAKE/etc/kernel/$which.d"
}

# make_fake_root: a new fake root, the kernel in it, the settings file
# with HOOK_CMDLINE.
make_fake_root() {
  rm -rf "$FAKE" "$WORK/hook-path"
  mkdir -p "$FAKE/boot" "$FAKE/etc/kernel/postinst.d" "$FAKE/etc/kernel/postrm.d" \
    "$FAKE/etc/default" "$WORK/hook-path"
  local hook=$INSTALL_ROOT/usr/share/doc/bzelf/examples/kernel-hooks/bzelf
  cp "$hook" "$FAKE/etc/kernel/postinst.d/bzelf"
  cp "$hook" "$FAKE/etc/kernel/postrm.d/bzelf"
  cp "$KERNEL" "$FAKE/boot/vmlinuz-$KVERSION"
  echo "BZELF_CMDLINE=\"$HOOK_CMDLINE\"" >"$FAKE/etc/default/bzelf"
  ln -s "$INSTALL_ROOT/usr/bin/bzelf" "$WORK/hook-path/bzelf"
}

# boot_files: what is in FAKE/boot besides the kernel.
boot_files() {
  find "$FAKE/boot" -mindepth 1 ! -name "vmlinuz-$KVERSION" -printf '%f\n' | sort | tr '\n' ' '
}

# hook_row NAME: unless the hook is installed, a FAIL for NAME and status 1.
hook_row() {
  selected "$1" || return 1
  if [ -z "$installed" ]; then
    fail "$1" "$reason"
    return 1
  fi
  make_fake_root
  reasons=""
}

IMAGE=$FAKE/boot/bzelf-$KVERSION

if hook_row kernel-hook-install; then
  hook_run postinst configure
  [ "$status" -eq 0 ] || reasons+="run-parts: exit status $status: $(oneline "$WORK/err"); "
  [ -s "$WORK/out" ] && reasons+="the hook wrote on stdout (debconf's): $(oneline "$WORK/out"); "
  # The same file: an image names its kernel file (kernel_version).
  "$BZELF" build "$FAKE/boot/vmlinuz-$KVERSION" -o "$WORK/hook-reference.img" \
    --cmdline "$HOOK_CMDLINE"
  if [ ! -f "$IMAGE" ]; then
    reasons+="no image; /boot has: $(boot_files); "
  elif ! cmp -s "$IMAGE" "$WORK/hook-reference.img"; then
    reasons+="the image is not bzelf build --cmdline '$HOOK_CMDLINE'; "
  fi
  [ "$(boot_files)" = "bzelf-$KVERSION " ] || reasons+="/boot has: $(boot_files); "
  judge kernel-hook-install
fi

if hook_row kernel-hook-installkernel; then
  # installkernel runs the hooks without DEB_MAINT_PARAMS; settings from
  # the environment when the file has none.
  rm "$FAKE/etc/default/bzelf"
  hook_run postinst "" BZELF_IMAGE_PREFIX=wrapped- BZELF_BUILD_OPTIONS=--level=1
  [ "$status" -eq 0 ] || reasons+="run-parts: exit status $status: $(oneline "$WORK/err"); "
  "$BZELF" build "$FAKE/boot/vmlinuz-$KVERSION" -o "$WORK/hook-reference.img" --level 1
  if ! cmp -s "$FAKE/boot/wrapped-$KVERSION" "$WORK/hook-reference.img"; then
    reasons+="no wrapped-$KVERSION as bzelf build --level 1 makes it; /boot has: $(boot_files); "
  fi
  judge kernel-hook-installkernel
fi

if hook_row kernel-hook-not-configure; then
  hook_run postinst abort-upgrade
  [ "$status" -eq 0 ] || reasons+="run-parts: exit status $status; "
  [ -z "$(boot_files)" ] || reasons+="postinst abort-upgrade made: $(boot_files); "
  judge kernel-hook-not-configure
fi

if hook_row kernel-hook-without-bzelf; then
  rm "$WORK/hook-path/bzelf"
  if command -v bzelf >/dev/null; then
    # A bzelf elsewhere on this machine's PATH would be found.
    PATH_NO_BZELF=$WORK/hook-path
  else
    PATH_NO_BZELF=$WORK/hook-path:/usr/bin:/bin
  fi
  run env PATH="$PATH_NO_BZELF" BZELF_HOOK_BOOT_DIR="$FAKE/boot" \
    BZELF_HOOK_CONFIG="$FAKE/etc/default/bzelf" DEB_MAINT_PARAMS="'configure' ''" \
    "$RUN_PARTS" --arg="$KVERSION" "$FAKE/etc/kernel/postinst.d"
  [ "$status" -eq 0 ] || reasons+="run-parts: exit status $status: $(oneline "$WORK/err"); "
  [ -z "$(boot_files)" ] || reasons+="without bzelf the hook made: $(boot_files); "
  judge kernel-hook-without-bzelf
fi

if hook_row kernel-hook-off; then
  echo "BZELF_KERNEL_HOOK=no" >>"$FAKE/etc/default/bzelf"
  hook_run postinst configure
  [ "$status" -eq 0 ] || reasons+="run-parts: exit status $status; "
  [ -z "$(boot_files)" ] || reasons+="turned off, the hook made: $(boot_files); "
  judge kernel-hook-off
fi

# A kernel bzelf cannot wrap: a warning, and the kernel's installation
# goes on (run-parts --exit-on-error would stop the initramfs and boot
# loader hooks after this one); with BZELF_KERNEL_HOOK=strict, an error.
if hook_row kernel-hook-bad-kernel; then
  printf 'not a kernel' >"$FAKE/boot/vmlinuz-$KVERSION"
  hook_run postinst configure
  [ "$status" -eq 0 ] || reasons+="run-parts: exit status $status for a kernel bzelf cannot wrap; "
  grep -q "could not wrap $FAKE/boot/vmlinuz-$KVERSION" "$WORK/err" ||
    reasons+="no 'could not wrap' message: $(oneline "$WORK/err"); "
  [ -z "$(boot_files)" ] || reasons+="left in /boot: $(boot_files); "
  hook_run postinst configure BZELF_KERNEL_HOOK=strict
  [ "$status" -ne 0 ] || reasons+="BZELF_KERNEL_HOOK=strict: exit status 0 for a kernel bzelf cannot wrap; "
  [ -z "$(boot_files)" ] || reasons+="left in /boot (strict): $(boot_files); "
  judge kernel-hook-bad-kernel
fi

if hook_row kernel-hook-remove; then
  hook_run postinst configure
  [ -f "$IMAGE" ] || reasons+="postinst made no image; "
  hook_run postrm upgrade
  [ -f "$IMAGE" ] || reasons+="postrm upgrade removed the image; "
  hook_run postrm remove
  [ "$status" -eq 0 ] || reasons+="postrm remove: exit status $status; "
  [ -e "$IMAGE" ] && reasons+="postrm remove left the image; "
  judge kernel-hook-remove
fi

# ---- the Debian package --------------------------------------------------

CLONE=$WORK/clone
DEB_ROOT=$WORK/deb-root
deb_built=""
if any_selected deb deb-lintian deb-source-lintian; then
  clean=""
  if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git clone -q "$ROOT" "$CLONE" 2>"$WORK/err" || fail deb "git clone: $(oneline "$WORK/err")"
    [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ] &&
      clean="; HEAD only: the work tree has uncommitted changes"
  else
    # A tree from a tarball: a copy of it.
    mkdir -p "$CLONE" && tar -C "$ROOT" -c --exclude=./build . | tar -x -C "$CLONE"
    clean="; a copy, not a git clone"
  fi
fi

if selected deb && [ -d "$CLONE" ]; then
  reasons=""
  start=$(date +%s)
  if ! make -C "$CLONE" deb >"$WORK/deb.log" 2>&1; then
    cp "$WORK/deb.log" "$LOG_DIR/install-deb.log"
    reasons+="make deb failed (log in $LOG_DIR/install-deb.log): $(tail -n 3 "$WORK/deb.log" | tr '\n' ' '); "
  fi
  seconds=$(($(date +%s) - start))
  deb=$(ls "$CLONE"/build/deb/bzelf_"$VERSION"_*.deb 2>/dev/null)
  if [ -z "$reasons" ] && [ -z "$deb" ]; then
    reasons+="make deb made no bzelf_${VERSION}_*.deb in build/deb; "
  fi
  if [ -z "$reasons" ]; then
    dpkg-deb -c "$deb" | awk '{print $6}' >"$WORK/deb-files"
    for file in ./usr/bin/bzelf ./usr/share/man/man1/bzelf.1.gz \
      ./usr/share/bash-completion/completions/bzelf ./usr/share/doc/bzelf/copyright \
      ./usr/share/doc/bzelf/examples/kernel-hooks/bzelf; do
      grep -qxF "$file" "$WORK/deb-files" || reasons+="the package has no $file; "
    done
    dpkg-deb -x "$deb" "$DEB_ROOT"
    tool=$DEB_ROOT/usr/bin/bzelf
    [ "$("$tool" --version 2>&1)" = "bzelf $VERSION" ] || reasons+="the packaged --version is wrong; "
    if ! "$tool" build "$KERNEL" -o "$WORK/deb.img" 2>"$WORK/err"; then
      reasons+="the packaged bzelf build failed: $(oneline "$WORK/err"); "
    elif ! "$BZELF" info "$WORK/deb.img" >/dev/null 2>"$WORK/err"; then
      reasons+="build/bin/bzelf info of the packaged tool's image failed: $(oneline "$WORK/err"); "
    elif ! "$tool" extract "$WORK/deb.img" -o "$WORK/deb.elf" 2>"$WORK/err"; then
      reasons+="the packaged bzelf extract failed: $(oneline "$WORK/err"); "
    fi
    MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$DEB_ROOT/usr/share/man/man1/bzelf.1.gz" \
      >/dev/null 2>"$WORK/err"
    [ -s "$WORK/err" ] && reasons+="the packaged manual: $(oneline "$WORK/err"); "
    deb_built=yes
  fi
  if [ -z "$reasons" ]; then
    pass deb "$(basename "$deb"), make deb took ${seconds}s$clean"
  else
    fail deb "${reasons%; }"
  fi
fi

# lintian_row NAME FILE: lintian on FILE; its errors fail NAME, its
# warnings are named in the PASS line.
lintian_row() {
  lintian --fail-on none "$2" >"$WORK/lintian" 2>"$WORK/lintian.err"
  local errors warnings
  errors=$(grep '^E: ' "$WORK/lintian")
  warnings=$(grep '^W: ' "$WORK/lintian" | sed 's/^W: [^:]*: //' | tr '\n' ',')
  if [ -n "$errors" ]; then
    fail "$1" "$(echo "$errors" | head -n 5 | tr '\n' ' ')"
  elif grep -v 'running with root privileges' "$WORK/lintian.err" | grep -q .; then
    fail "$1" "lintian: $(oneline "$WORK/lintian.err")"
  else
    pass "$1" "no errors; warnings: ${warnings:-none}"
  fi
}

if selected deb-lintian; then
  if [ -z "$deb_built" ]; then
    fail deb-lintian "no package (the deb row)"
  else
    lintian_row deb-lintian "$(ls "$CLONE"/build/deb/bzelf_"$VERSION"_*.changes)"
  fi
fi

if selected deb-source-lintian && [ -d "$CLONE" ]; then
  mkdir -p "$WORK/source/bzelf-$VERSION"
  tar -C "$CLONE" -c --exclude=./build --exclude=./.git . | tar -x -C "$WORK/source/bzelf-$VERSION"
  if (cd "$WORK/source" && dpkg-source -b "bzelf-$VERSION") >"$WORK/out" 2>&1; then
    lintian_row deb-source-lintian "$WORK/source/bzelf_$VERSION.dsc"
  else
    fail deb-source-lintian "dpkg-source -b failed: $(oneline "$WORK/out")"
  fi
fi

finish
