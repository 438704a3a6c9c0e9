/* history: explain's memory of the diagnoses it made.
 *
 * Each diagnosis of a command appends one JSON line (report/history_json.c,
 * docs/history.md) to $XDG_STATE_HOME/explain/history.jsonl (by default
 * ~/.local/state/explain/history.jsonl); EXPLAIN_HISTORY=0 turns it off.
 * Before appending, the recent lines are read to tell whether the same
 * error (same id and subject) came back in the same directory, and which
 * fix was offered the last time.
 *
 * Many explain processes may write at once: the file is opened with
 * O_APPEND, locked with flock(LOCK_EX), and each run's lines go out in one
 * write(2). When the file grows past EX_HISTORY_ROTATE_SIZE it is renamed to
 * history.jsonl.1 (replacing the older one) under the lock; a writer that
 * locked the renamed file notices and opens the new one. Reading is bounded
 * to the last EX_HISTORY_READ_MAX bytes of the two files.
 *
 * The history never matters more than the command: nothing here prints, and
 * every failure (no home, a read-only or foreign directory, a full disk, a
 * file size limit) only means that nothing is recorded.
 */
#ifndef EX_HISTORY_H
#define EX_HISTORY_H

#include <stddef.h>

#include "report/report.h"

#define EX_HISTORY_ROTATE_SIZE (1024 * 1024) /* rotate past 1 MiB */
#define EX_HISTORY_READ_MAX (256 * 1024)     /* bytes read for recurrence
                                                and --history */
#define EX_HISTORY_FILE "history.jsonl"

/* Writes the path of the history file into buf (size bytes). Returns 0,
 * -ENOENT when the history is off (EXPLAIN_HISTORY=0) or there is no state
 * directory (no XDG_STATE_HOME and no home), or -ENAMETOOLONG. Creates
 * nothing. */
int ex_history_path(char *buf, size_t size);

/* Records the diagnoses of r (a command's: r->command not NULL; nothing is
 * recorded for --log) and fills recs[i] (r->ndiags entries; zeroed here)
 * with what the history held about diagnosis i before this run. now is the
 * Unix time of the run. Returns 0 when the lines were written, 1 when the
 * history is off or there is nothing to record, or a negative errno (recs
 * then still hold what could be read). Never prints. */
int ex_history_record(const ex_report_t *r, long long now,
                      ex_report_recurrence_t *recs);

/* Reads the last EX_HISTORY_READ_MAX bytes of the history (older rotated
 * lines first) into *buf (NUL-terminated; the caller frees it) and *len;
 * the first, possibly partial, line is dropped. Returns 0 (an empty buffer
 * when there is no history yet), -ENOENT when the history is off, or a
 * negative errno. */
int ex_history_read(char **buf, size_t *len);

#endif
