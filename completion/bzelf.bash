# shellcheck shell=bash
# bash completion for bzelf(1): its commands, each command's options (as
# `bzelf help COMMAND` lists them), the levels of --level, and file names
# for everything else. It needs only bash, not the bash-completion package,
# which loads it from its completions directory when bzelf is first
# completed.

_bzelf() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD - 1]}
  local commands='build info extract help'
  # The command: the first word after "bzelf" that is not an option.
  local command='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ ${COMP_WORDS[i]} != -* ]]; then
      command=${COMP_WORDS[i]}
      break
    fi
  done
  COMPREPLY=()
  if [[ -z $command ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
    return
  fi
  local options
  case $command in
    build) options='-o --cmdline --paddr-offset --level --floppy --relocs --kernel-alignment --load-address --virtual-offset --help' ;;
    info) options='--json --help' ;;
    extract) options='-o --help' ;;
    help)
      mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
      return
      ;;
    *) return ;;
  esac
  case $prev in
    --level)
      mapfile -t COMPREPLY < <(compgen -W '1 2 3 4 5 6 7 8 9' -- "$cur")
      return
      ;;
    --cmdline | --paddr-offset | --kernel-alignment | --load-address | --virtual-offset)
      # The user's own words: nothing to offer.
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    return
  fi
  # -o's value and the input file: file names, with a slash after a
  # directory.
  compopt -o filenames 2>/dev/null
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _bzelf bzelf
