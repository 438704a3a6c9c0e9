/* rules: the rule loader of explain.
 *
 * Rule files (format `explain-rules/1`, see docs/rules.md) are JSON data that
 * teach explain error messages, the line prefixes that tools put before
 * them (`prefixes`) and the lines that say a run succeeded (`success`). A
 * rule is either patterns or the name of a recogniser of the matcher. This
 * module reads them strictly: every
 * problem is reported as a diagnostic with the file, the 1-based line and
 * the 1-based (byte) column of the offending value or key, and a file with
 * any problem is skipped as a whole while the other files still load.
 *
 * It also owns three small helpers the rest of explain shares: the errno
 * table (symbol <-> Linux number <-> glibc message), template expansion
 * (`${name}`, with optional POSIX shell quoting of substituted values) and the
 * rule search path.
 *
 * Conventions: functions return 0 or a negative errno-style code (-ENOMEM,
 * -EINVAL, -ENOENT...). Nothing here prints. cJSON is private to this module.
 */
#ifndef EX_RULES_H
#define EX_RULES_H

#include <stddef.h>

#define EX_RULES_FORMAT "explain-rules/1"

/* Limits of the format (docs/rules.md). */
#define EX_RULES_BEFORE_MAX 200   /* context.before.lines */
#define EX_RULES_AFTER_MAX 50     /* context.after.lines */
#define EX_RULES_SUPPRESS_MAX 200 /* suppress[].lines */
#define EX_RULES_FILE_MAX                                                      \
  (4 << 20)                     /* a rule file larger than 4 MiB is refused */
#define EX_RULES_DIAG_MAX 1000  /* diagnostics kept per list */
#define EX_RULES_FILES_MAX 4096 /* *.json files read per directory */

/* ---------------------------------------------------------------------- */
/* Diagnostics                                                             */

typedef struct ex_diag_s {
  char *file;    /* path as given (or the buffer name) */
  int line;      /* 1-based; 0 when the problem concerns the whole file */
  int column;    /* 1-based byte column; 0 with line 0 */
  int builtin;   /* 1 when the file comes from the built-in directory */
  char *message; /* one line, no trailing newline */
} ex_diag_t;

/* A growable list of diagnostics, capped at EX_RULES_DIAG_MAX entries
 * (`dropped` counts the ones that did not fit). Plain data: zero it or call
 * ex_diags_init(), release with ex_diags_release(). */
typedef struct ex_diags_s {
  ex_diag_t *items;
  size_t count;
  size_t cap;
  size_t dropped;
} ex_diags_t;

void ex_diags_init(ex_diags_t *d);
void ex_diags_release(ex_diags_t *d);

/* Formats diagnostic `i` as "file:line:column: message" (or "file: message"
 * when line is 0) into buf (always NUL-terminated when size > 0). Returns the
 * length that the full text needs, like snprintf. */
int ex_diag_format(const ex_diag_t *d, char *buf, size_t size);

/* ---------------------------------------------------------------------- */
/* Rules (read-only data owned by a rule set)                              */

typedef enum { EX_CONF_HIGH = 0, EX_CONF_MEDIUM, EX_CONF_LOW } ex_confidence_t;
typedef enum { EX_ROLE_CAUSE = 0, EX_ROLE_FALLOUT } ex_role_t;
typedef enum { EX_PICK_LAST = 0, EX_PICK_FIRST } ex_pick_t;
typedef enum { EX_WHERE_SAME = 0, EX_WHERE_BEFORE, EX_WHERE_AFTER } ex_where_t;
/* The level a line prefix gives its line (`level` of a prefix). */
typedef enum {
  EX_LEVEL_NONE = 0,
  EX_LEVEL_ERROR,
  EX_LEVEL_WARNING,
  EX_LEVEL_INFO
} ex_level_t;

/* The recogniser a rule names instead of patterns ("recogniser"). */
#define EX_RECOGNISER_ERRNO "errno-phrase"

/* An event or a per-pattern override of it. Every member may be NULL: in the
 * rule's event NULL means "not given"; in a pattern's override it means "use
 * the rule's". errno_tpl and subject_value are templates. */
typedef struct ex_rule_event_s {
  char *errno_tpl;
  char *condition;
  char *operation;
  char *subject_kind;
  char *subject_value;
} ex_rule_event_t;

typedef struct ex_rule_pattern_s {
  char *regex;           /* PCRE2 source, as written */
  ex_rule_event_t event; /* overrides (members NULL when not overridden) */
} ex_rule_pattern_t;

typedef struct ex_rule_context_s {
  int lines;     /* 0: no such context */
  char *pattern; /* NULL: no such context */
  ex_pick_t pick;
} ex_rule_context_t;

typedef struct ex_rule_cause_s {
  char *id;
  char *text; /* template */
} ex_rule_cause_t;

typedef struct ex_rule_fix_s {
  char *text;    /* template */
  char *command; /* template, substitutions shell-quoted; NULL if none */
  int needs_root;
} ex_rule_fix_t;

typedef struct ex_rule_suppress_s {
  char *pattern;
  ex_where_t where;
  int lines; /* 0 for EX_WHERE_SAME */
} ex_rule_suppress_t;

typedef struct ex_rule_s {
  char *id;
  char *title;
  char **tags;
  size_t ntags;
  ex_rule_pattern_t *patterns; /* none when `recogniser` is set */
  size_t npatterns;
  char *recogniser; /* EX_RECOGNISER_ERRNO: the matcher's built-in
                       recogniser finds the lines and fills the event;
                       NULL for a rule of patterns */
  ex_rule_context_t before;
  ex_rule_context_t after;
  ex_rule_event_t event;
  char *location_file; /* template or NULL */
  char *location_line; /* template or NULL */
  ex_confidence_t confidence;
  ex_role_t role;
  char *meaning; /* template */
  ex_rule_cause_t *causes;
  size_t ncauses;
  ex_rule_fix_t *fixes;
  size_t nfixes;
  ex_rule_suppress_t *suppress;
  size_t nsuppress;
  int fatal_on_success;
  char *file; /* the file the rule came from */
  int line;   /* line of the rule object in that file */
  int builtin;
} ex_rule_t;

/* A line shape of a rule file: a prefix that the matcher strips before the
 * rules see a line (`prefixes`), or a line that says the run succeeded
 * when it ends the output (`success`). */
typedef struct ex_shape_s {
  char *id;
  char *pattern;    /* PCRE2 source, matched anchored (as if it began with
                       \A) at the start of what is left of the line */
  ex_level_t level; /* prefixes: the level it says its line has */
  char *file;
  int line;
  int builtin;
} ex_shape_t;

/* ---------------------------------------------------------------------- */
/* Rule sets                                                               */

typedef struct ex_ruleset_s ex_ruleset_t;

/* Creates an empty rule set in *out. Returns 0 or -ENOMEM. Free it with
 * ex_ruleset_free(). */
int ex_ruleset_new(ex_ruleset_t **out);

/* Frees the set and every rule in it. NULL is accepted. */
void ex_ruleset_free(ex_ruleset_t *set);

/* Number of rules, and rule i (0 <= i < count) in load order (a replaced rule
 * takes the place of the one it replaced). The rule is owned by the set and
 * lives until ex_ruleset_free(). */
size_t ex_ruleset_count(const ex_ruleset_t *set);
const ex_rule_t *ex_ruleset_get(const ex_ruleset_t *set, size_t i);

/* The rule with this id, or NULL. */
const ex_rule_t *ex_ruleset_find(const ex_ruleset_t *set, const char *id);

/* The line prefixes and the success lines of the set, in load order (an id
 * already loaded is replaced in place, as for rules). Owned by the set. */
size_t ex_ruleset_prefix_count(const ex_ruleset_t *set);
const ex_shape_t *ex_ruleset_prefix(const ex_ruleset_t *set, size_t i);
size_t ex_ruleset_success_count(const ex_ruleset_t *set);
const ex_shape_t *ex_ruleset_success(const ex_ruleset_t *set, size_t i);

/* Flags for the loaders. */
#define EX_RULES_BUILTIN                                                       \
  1 /* the file is part of explain (diagnostics say so) */

/* Parses and validates one rule file held in memory. `name` is used in
 * diagnostics and as ex_rule_t.file (copied). When the file is valid its
 * rules are added to `set` (an id already in the set is replaced) and 0 is
 * returned. When it is not, nothing is added, every problem found is
 * appended to `diags` (may be NULL) and -EINVAL is returned. -ENOMEM on
 * allocation failure. `buf` is borrowed for the call and need not be
 * NUL-terminated. */
int ex_rules_load_buffer(ex_ruleset_t *set, const char *name, const char *buf,
                         size_t len, int flags, ex_diags_t *diags);

/* Same for a file on disk. A file that cannot be read adds one diagnostic
 * (line 0) and returns its negative errno; a file larger than
 * EX_RULES_FILE_MAX returns -EFBIG. */
int ex_rules_load_file(ex_ruleset_t *set, const char *path, int flags,
                       ex_diags_t *diags);

/* Loads every `*.json` file of `dir` in byte order of their names (files
 * whose name starts with '.' are ignored). Broken files are reported and
 * skipped; the others load. Returns 0 when every file loaded, -EINVAL when
 * some were skipped, -ENOENT when the directory does not exist (no
 * diagnostic: a missing user directory is normal), another negative errno
 * when it cannot be read (one diagnostic). */
int ex_rules_load_dir(ex_ruleset_t *set, const char *dir, int flags,
                      ex_diags_t *diags);

/* Validates a path for `--check-rules`: a directory is loaded as by
 * ex_rules_load_dir() (a missing one is an error here), anything else as a
 * file. Same return values. */
int ex_rules_load_path(ex_ruleset_t *set, const char *path, int flags,
                       ex_diags_t *diags);

/* ---------------------------------------------------------------------- */
/* Search path                                                             */

typedef struct ex_rules_dir_s {
  char *path;
  int flags; /* EX_RULES_BUILTIN or 0 */
} ex_rules_dir_t;

/* An ordered list of rule directories (plain data; zero it or call
 * ex_rules_dirs_init(), release with ex_rules_dirs_release()). At most 64
 * directories. */
typedef struct ex_rules_dirs_s {
  ex_rules_dir_t *items;
  size_t count;
} ex_rules_dirs_t;

void ex_rules_dirs_init(ex_rules_dirs_t *dirs);
void ex_rules_dirs_release(ex_rules_dirs_t *dirs);

/* Appends a copy of `path` (empty paths are ignored). Returns 0, -ENOMEM, or
 * -E2BIG when the list is full. */
int ex_rules_dirs_add(ex_rules_dirs_t *dirs, const char *path, int flags);

/* Appends the default search path, read from the environment: `builtin_dir`
 * (flagged EX_RULES_BUILTIN; skipped when NULL), then
 * $XDG_CONFIG_HOME/explain/rules or $HOME/.config/explain/rules (when
 * XDG_CONFIG_HOME is unset, empty or relative), then each non-empty entry of
 * the colon-separated EXPLAIN_RULES_PATH. The caller appends `--rules`
 * directories after it with ex_rules_dirs_add(). Returns 0 or -ENOMEM. */
int ex_rules_dirs_default(ex_rules_dirs_t *dirs, const char *builtin_dir);

/* Loads every directory of `dirs` in order (later ids replace earlier ones).
 * Missing directories are skipped silently. Returns 0 when nothing was
 * reported, -EINVAL when some file was skipped, -ENOMEM. */
int ex_rules_load_dirs(ex_ruleset_t *set, const ex_rules_dirs_t *dirs,
                       ex_diags_t *diags);

/* ---------------------------------------------------------------------- */
/* errno table (Linux numbers, glibc messages)                            */

/* Maps a number ("13"), a symbol ("EACCES", also the aliases EWOULDBLOCK,
 * EDEADLOCK, ENOTSUP) or a glibc message ("Permission denied", compared
 * without regard to ASCII case) to the canonical symbol, a static string.
 * Leading and trailing blanks are ignored. Returns NULL when the text is none
 * of them. */
const char *ex_errno_parse(const char *text);

/* The symbol of a Linux errno number, or NULL. */
const char *ex_errno_name(int num);

/* The number of a symbol (or alias), or 0 when unknown. */
int ex_errno_number(const char *name);

/* The glibc message of a symbol (or alias), or NULL. */
const char *ex_errno_message(const char *name);

/* glibc's translations of the strerror texts CI failures are made of (and
 * of two resolver texts), generated into errno_l10n.c by errno_l10n.py:
 * how many there are, and the i-th text (NULL past the end) with its
 * symbol in *name (NULL for a failed name resolution) and the languages
 * that print it in *langs ("pt_BR pt"); all static. They are not among
 * the messages ex_errno_parse() and ex_errno_message() know: a rule
 * names errnos by glibc's English texts. */
size_t ex_errno_l10n_count(void);
const char *ex_errno_l10n_text(size_t i, const char **name,
                               const char **langs);

/* ---------------------------------------------------------------------- */
/* Templates                                                               */

/* Looks up the capture `name` (name_len bytes, not NUL-terminated). Sets
 * *value / *len (borrowed until the expansion returns) and returns 1 when
 * the capture exists, 0 otherwise (the reference expands to nothing). */
typedef int (*ex_template_lookup_fn)(void *ud, const char *name,
                                     size_t name_len, const char **value,
                                     size_t *len);

#define EX_TEMPLATE_SHELL 1          /* shell-quote every substituted value */
#define EX_TEMPLATE_MAX (256 * 1024) /* expansions are cut at this size */

/* Expands `tpl`: `${name}` is replaced by the capture's value, `$$` by `$`,
 * any other `$` is kept. With EX_TEMPLATE_SHELL each value is written as one
 * POSIX shell word in single quotes ('it'\''s'), which `sh -c` reads back
 * byte for byte (NUL bytes, which no argument can hold, are dropped); the
 * literal parts are copied as written. *out receives a NUL-terminated string
 * the caller frees with free(), *out_len (may be NULL) its length. Returns 0,
 * -ENOMEM, or -E2BIG when the result would exceed EX_TEMPLATE_MAX. */
int ex_template_expand(const char *tpl, ex_template_lookup_fn lookup, void *ud,
                       int flags, char **out, size_t *out_len);

/* Calls fn for each `${name}` of tpl with the name and the byte offset of the
 * `$` in tpl. Stops and returns fn's value when it is not 0; returns 0 at
 * the end. An unterminated `${` is reported with name_len == 0. */
typedef int (*ex_template_ref_fn)(void *ud, const char *name, size_t name_len,
                                  size_t offset);
int ex_template_refs(const char *tpl, ex_template_ref_fn fn, void *ud);

#endif
