# fish completion for explain(1). Installed in
# share/fish/vendor_completions.d.

# True while no command has been given yet: only options so far.
function __explain_no_command_yet
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case --
                return 1
            case --log --rule --report --format --scan --rules --color
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# The command line from the command on, completed as fish would.
function __explain_complete_command
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    while set -q words[1]
        set -l w $words[1]
        if test $skip -eq 1
            set skip 0
        else if test "$w" = --
            set -e words[1]
            break
        else if contains -- $w --log --rule --report --format --scan --rules --color
            set skip 1
        else if not string match -q -- '-*' $w
            break
        end
        set -e words[1]
    end
    set -q words[1]; or return
    complete -C (string join ' ' -- (string escape -- $words) (commandline -ct))
end

function __explain_rule_ids
    set -l exe (commandline -opc)[1]
    command $exe --list-rules 2>/dev/null | string replace -r '\t.*' ''
end

complete -c explain -f
set -l opt -n __explain_no_command_yet
complete -c explain $opt -l always -d 'Diagnose even when the command succeeds'
complete -c explain $opt -l scan -x -a 'stderr both' -d 'What to scan'
complete -c explain $opt -l subreaper -d 'Reap orphaned descendants'
complete -c explain $opt -l no-probe -d 'Do not look at the system'
complete -c explain $opt -l trace -d 'Record the failed system calls as evidence'
complete -c explain $opt -s q -l quiet -d 'Print no diagnosis'
complete -c explain $opt -l log -r -F -d 'Explain the output in FILE'
complete -c explain $opt -l format -x -a 'text json github' -d 'Report format'
complete -c explain $opt -l report -r -F -d 'Also write the JSON report to FILE'
complete -c explain $opt -l color -x -a 'auto always never' -d 'When to use colours'
complete -c explain $opt -s v -l verbose -d 'Show every fact the probes saw'
complete -c explain $opt -l history -d 'List the recent diagnoses'
complete -c explain $opt -l rules -x -a '(__fish_complete_directories)' -d 'Read rule files from DIR too'
complete -c explain $opt -l list-rules -d 'List the rules'
complete -c explain $opt -l rule -x -a '(__explain_rule_ids)' -d 'Show one rule'
complete -c explain $opt -l check-rules -r -F -d 'Validate rule files'
complete -c explain $opt -s h -l help -d 'Show the help'
complete -c explain $opt -l version -d 'Show the version'
complete -c explain $opt -x -a '(__fish_complete_command)'
complete -c explain -n 'not __explain_no_command_yet' -x -a '(__explain_complete_command)'
