/* Internal to wrap/: finding the command on Windows and making the
 * arguments uv_spawn() is given. */
#ifndef EX_WRAP_WIN_SPAWN_H
#define EX_WRAP_WIN_SPAWN_H

/* What was found for the command's name. */
typedef enum ex_win_kind {
  EX_WIN_PROGRAM = 0, /* .exe or .com: CreateProcess runs it */
  EX_WIN_BATCH = 1,   /* .bat or .cmd: cmd.exe runs it */
  EX_WIN_OTHER = 2    /* a file that only a file association would open
                         (.vbs, .js, .ps1, .py, no extension at all): not
                         executable */
} ex_win_kind_t;

/* Finds the file cmd.exe would run for argv0 (UTF-8): a name with a
 * directory part (\, / or a drive's :) is looked up there only; a bare name
 * in the current directory first (unless NoDefaultCurrentDirectoryInExePath
 * is set), then in each directory of PATH. In each directory, a name with
 * an extension is tried as it is, then with each extension of PATHEXT
 * appended (the Windows default list when PATHEXT is unset), in order.
 *
 * Returns 0 with *path (UTF-8, caller frees) and *kind set; -ENOENT when
 * nothing was found; -ENOEXEC when only a file that cannot be run was found
 * (the exact name without an extension Windows runs: *path names it and
 * *kind is EX_WIN_OTHER); -ENOMEM. *searched is set to PATH's value (caller
 * frees) when argv0 is a bare name. */
int ex__win_resolve(const char *argv0, char **path, char **searched,
                    ex_win_kind_t *kind);

/* The command's arguments as uv_spawn() must get them: a new
 * NULL-terminated array of UTF-8 strings (free with ex__win_argv_free()).
 * When argv is the tail of explain's own command line (the front end passes
 * that), the strings are the ones the C runtime parsed from the wide
 * command line, so that a character outside the ANSI code page reaches the
 * command intact; otherwise argv is taken as ANSI text. Returns NULL when
 * out of memory. */
char **ex__win_argv(char *const *argv);

/* For a batch file: cmd.exe's path (the system's, not %ComSpec%) and its
 * arguments, to be passed verbatim (UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS):
 *   cmd.exe /e:ON /v:OFF /d /c ""SCRIPT" ARG..."
 * with each argument quoted and escaped so that cmd.exe neither runs a part
 * of it (& | < > ^ in quotes) nor expands a %variable% in it. argv is the
 * UTF-8 array of ex__win_argv(); argv[0] is replaced by script.
 *
 * Returns 0 with *cmd_path and *args set (caller frees both, args with
 * ex__win_argv_free()); -EINVAL when an argument cannot reach a batch file
 * intact (it holds a line break, which ends cmd.exe's command line) or the
 * script's name holds a quote; -ENOMEM. */
int ex__win_batch_args(const char *script, char *const *argv, char **cmd_path,
                       char ***args);

void ex__win_argv_free(char **argv);

#endif
