# bash completion for explain(1). Installed as
# share/bash-completion/completions/explain; or source it from ~/.bashrc.
#
# Options until the command; rule ids for --rule (from `explain
# --list-rules`); after the first word that is not an option (or after
# --), the command and its arguments as bash would complete them.

_explain_options="--always --scan --subreaper --no-probe --trace -q --quiet --log
  --format --report --color -v --verbose --history --rules --list-rules
  --rule --check-rules -h --help --version --"

# The rule ids, first column of --list-rules, asked of the explain being
# completed (it may not be the one on PATH).
_explain_rule_ids() {
  local exe=${COMP_WORDS[0]}
  if ! command -v -- "$exe" >/dev/null 2>&1; then
    exe=explain
  fi
  "$exe" --list-rules 2>/dev/null | cut -f1
}

_explain() {
  local cur prev i w start
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()

  # Where does the command start? Skip options and their values.
  start=
  i=1
  while ((i < COMP_CWORD)); do
    w=${COMP_WORDS[i]}
    case $w in
    --)
      start=$((i + 1))
      break
      ;;
    --check-rules)
      # Every word after it is a rule file or directory.
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
      ;;
    --log | --rule | --report | --format | --scan | --rules | --color)
      i=$((i + 2))
      ;;
    -*)
      i=$((i + 1))
      ;;
    *)
      start=$i
      break
      ;;
    esac
  done

  if [[ -n $start ]] && ((start <= COMP_CWORD)); then
    if declare -F _command_offset >/dev/null; then
      _command_offset "$start" # from the bash-completion package
    elif ((start == COMP_CWORD)); then
      COMPREPLY=($(compgen -c -- "$cur"))
    else
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi

  case $prev in
  --rule)
    COMPREPLY=($(compgen -W "$(_explain_rule_ids)" -- "$cur"))
    return 0
    ;;
  --format)
    COMPREPLY=($(compgen -W "text json github" -- "$cur"))
    return 0
    ;;
  --scan)
    COMPREPLY=($(compgen -W "stderr both" -- "$cur"))
    return 0
    ;;
  --color)
    COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
    return 0
    ;;
  --log | --report)
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
    ;;
  --rules)
    COMPREPLY=($(compgen -d -- "$cur"))
    return 0
    ;;
  esac

  case $cur in
  --rule=*)
    COMPREPLY=($(compgen -W "$(_explain_rule_ids)" -- "${cur#--rule=}"))
    ;;
  -*)
    COMPREPLY=($(compgen -W "$_explain_options" -- "$cur"))
    ;;
  *)
    COMPREPLY=($(compgen -c -- "$cur"))
    ;;
  esac
  return 0
}

complete -F _explain -o bashdefault -o default explain
