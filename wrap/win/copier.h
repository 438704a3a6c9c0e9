/* Internal to wrap/: the copier that takes over a channel a descendant of
 * the command still holds after the linger (ex__os_hand_off). */
#ifndef EX_WRAP_WIN_COPIER_H
#define EX_WRAP_WIN_COPIER_H

#include <windows.h>

/* The argument that makes explain.exe a copier (ex_wrap_helper_main). */
#define EX_WRAP_COPIER_ARG "--wrap-copier"
#define EX_WRAP_COPIER_WARG L"--wrap-copier"

/* Starts explain's own executable as a copier of pipe (explain's read end
 * of a channel) to the handle behind out_fd, and returns at once: the
 * copier outlives explain, reads until every writer is gone and writes
 * each read on unchanged. It gets those two handles and no other, and is
 * not in the job that ends the command with explain. Returns 0 or a
 * negative errno (the channel is then let go: a later write of the
 * descendant fails). */
int ex__win_copier_start(HANDLE pipe, int out_fd);

#endif
