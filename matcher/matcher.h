/* matcher: the streaming matcher of explain.
 *
 * The matcher reads a command's output as arbitrary byte chunks, cuts it into
 * lines, cleans each line (terminal escape sequences and carriage-return
 * overwrites removed, see below), and runs the rules of a loaded rule set on
 * it. The output costs one pass however many rules there are: every pattern
 * has required literals (found at compile time), a multi-literal prefilter
 * searches whole chunks for them and finds the candidate patterns of the
 * few lines where one occurs, and only their JIT-compiled regexes run, on
 * the message behind the line's log prefixes (the normaliser) as well as
 * on the whole line. A rule may instead name the errno-phrase recogniser,
 * which reads operating-system errors wrapped in other tools' words. The
 * last lines of each stream are kept to tell whether the output ends in
 * success. Memory is bounded whatever the input: a line is kept up to
 * EX_MATCH_LINE_MAX bytes for matching (the rest is skipped but the line is
 * still counted), a ring keeps the recent lines that `context.before` and
 * `before` suppressors look at, and at most EX_MATCH_FINDINGS_MAX distinct
 * findings are kept.
 *
 * Line cleaning. CSI sequences (ESC [ ... final byte), OSC sequences (ESC ]
 * ... BEL or ESC \), DCS/SOS/PM/APC strings (ESC P, X, ^, _ ... ESC \) and
 * the other two- and three-byte ESC sequences are removed, across chunk
 * boundaries. A carriage return followed by more text on the same line
 * means the text before it was overwritten on the terminal (progress bars):
 * only the text after the last such `\r` is kept. A `\r` right before the
 * newline (CRLF) or at the end of the output is dropped. NUL bytes and
 * invalid UTF-8 are kept as they are (matching is bytewise).
 *
 * There are two layers. The regex layer (ex_regex_*, ex_literals_*) wraps
 * PCRE2, which lives in one file of this module; the rule loader uses it to
 * validate patterns. The matcher layer (ex_matcher_*) runs a rule set.
 *
 * Conventions: 0 or a negative errno-style code; nothing here prints.
 */
#ifndef EX_MATCHER_H
#define EX_MATCHER_H

#include <stddef.h>

#include "rules/rules.h"

/* ---------------------------------------------------------------------- */
/* Regex layer                                                             */

typedef struct ex_regex_s ex_regex_t;

typedef struct ex_regex_error_s {
  char message[160]; /* PCRE2's message */
  size_t offset;     /* byte offset in the pattern where PCRE2 stopped */
} ex_regex_error_t;

#define EX_REGEX_NOJIT 1    /* compile only (validation) */
#define EX_REGEX_ANCHORED 2 /* matches only at the start of the subject */

/* Match limits: a regex that backtracks catastrophically stops with
 * -ETIMEDOUT instead of hanging. */
#define EX_REGEX_MATCH_LIMIT 200000
#define EX_REGEX_DEPTH_LIMIT 10000

/* Compiles `src` (len bytes, no UTF mode, named groups allowed) into *out.
 * Returns 0, -EINVAL with *err filled (err may be NULL) for an invalid
 * pattern, or -ENOMEM. Free with ex_regex_free(). */
int ex_regex_compile(const char *src, size_t len, int flags, ex_regex_t **out,
                     ex_regex_error_t *err);
void ex_regex_free(ex_regex_t *re);

/* Number of named groups, and the name of the i-th (borrowed, lives as long
 * as the regex). */
size_t ex_regex_name_count(const ex_regex_t *re);
const char *ex_regex_name(const ex_regex_t *re, size_t i);

/* Match data for ex_regex_match(); one per thread, reusable for any regex
 * of up to `groups` capturing groups (grows as needed). */
typedef struct ex_regex_scratch_s ex_regex_scratch_t;
int ex_regex_scratch_new(ex_regex_scratch_t **out);
void ex_regex_scratch_free(ex_regex_scratch_t *s);

/* Matches `re` against subject[0..len). Returns 1 on a match, 0 when there
 * is none, -ETIMEDOUT when the match or depth limit was hit, -ENOMEM or
 * -EINVAL for other failures. After a match, ex_regex_named() gives the span
 * of the i-th named group (returns 0 when the group did not participate). */
int ex_regex_match(const ex_regex_t *re, ex_regex_scratch_t *s,
                   const char *subject, size_t len);
int ex_regex_named(const ex_regex_t *re, const ex_regex_scratch_t *s, size_t i,
                   size_t *start, size_t *len);

/* The span of the whole last match. */
void ex_regex_span(const ex_regex_scratch_t *s, size_t *start, size_t *len);

/* The bytes a match can start with: fills set (a 256-bit map) and returns
 * 1 when PCRE2 knows them, 0 when a match may start with any byte. */
int ex_regex_first_bytes(const ex_regex_t *re, unsigned char set[32]);

/* A lower bound of the length of a subject that can match (0 when the
 * pattern may match an empty string). */
size_t ex_regex_min_length(const ex_regex_t *re);

/* Required literals. */

#define EX_LITERAL_MIN 3  /* a usable literal has at least this many bytes */
#define EX_LITERAL_MAX 64 /* longer literals are cut (still required) */

typedef struct ex_literal_s {
  unsigned char bytes[EX_LITERAL_MAX];
  size_t len;
  int caseless; /* compare with ASCII case folded */
} ex_literal_t;

/* Finds text that every match of the pattern must contain: one literal, or
 * one per branch of a top-level alternation (or of an alternation group
 * that every match must go through). Handles escapes, \Q...\E, classes,
 * optional atoms (?, *, {0,...}), groups, (?i)/(?i:...) and (?x). Returns
 * the number of literals (>= 1) with the list in lits[0..max), 0 when some
 * branch has no literal of at least EX_LITERAL_MIN bytes, -E2BIG when more
 * than `max` literals would be needed (at most 16 are ever returned).
 * Among the possible choices it takes the one expected least often in
 * program output (byte frequencies, longer literals preferred). Patterns it
 * does not understand give 0 (never a wrong literal). */
int ex_literals_extract(const char *src, size_t len, ex_literal_t *lits,
                        size_t max);

/* ---------------------------------------------------------------------- */
/* Normaliser: log prefixes stripped before the rules see a line           */

/* A line of a CI log often starts with what another tool put in front of
 * the message: a timestamp, `##[error]`, a klog header, BuildKit's step
 * and time, Docker Compose's service name, `remote: `, `[ERROR] `, pip's
 * indentation, and several of them in turn. The prefixes are data (the
 * `prefixes` of rule files, docs/rules.md): each is a regex matched
 * anchored where the rest of the line starts, and the normaliser strips
 * them one after the other, at most EX_NORM_DEPTH, keeping where each
 * ended. The line itself is not changed: evidence shows it as printed. */

#define EX_NORM_DEPTH 8

typedef struct ex_norm_s {
  size_t depth;                           /* prefixes stripped */
  size_t off[EX_NORM_DEPTH + 1];          /* off[0] = 0; off[k]: where the text
                                             after k prefixes starts */
  ex_level_t level[EX_NORM_DEPTH + 1];    /* the level at each off[k]: that of
                                             the innermost of the first k
                                             prefixes that gives one */
  const ex_shape_t *shape[EX_NORM_DEPTH]; /* the prefixes, outermost first
                                             (borrowed from the rule set) */
} ex_norm_t;

typedef struct ex_normaliser_s ex_normaliser_t;

/* Compiles the prefixes of `set` (borrowed; it must outlive the
 * normaliser). A prefix that does not compile is left out. Returns 0 or
 * -ENOMEM. */
int ex_normaliser_new(const ex_ruleset_t *set, ex_normaliser_t **out);
void ex_normaliser_free(ex_normaliser_t *n);

/* Number of prefixes in use. */
size_t ex_normaliser_count(const ex_normaliser_t *n);

/* Strips the prefixes of line[0..len) into *out (never fails: a prefix
 * whose regex fails, or hits its match limit, simply does not match). */
void ex_normalise(ex_normaliser_t *n, const char *line, size_t len,
                  ex_norm_t *out);

/* ---------------------------------------------------------------------- */
/* The errno-phrase recogniser                                             */

/* Finds an operating-system error reported anywhere in a message: a
 * strerror text of glibc (in any case) or a resolver's, or one of Node's
 * codes, in the shape of an error report (Go's `op path: text` chains,
 * Node's `EACCES: text, op 'path'` and `connect ECONNREFUSED host:port`,
 * Python's `[Errno N] text: 'path'`, Java's `path (text)`, Rust's `Os {
 * code, kind, message }`, coreutils' `prog: cannot VERB 'path': text`).
 * Bare words, warnings and quotations in prose are left alone (see
 * errphrase.c for the shapes). The rule with `"recogniser":
 * "errno-phrase"` uses it; docs/rules.md says what it reads. */
typedef struct ex_errphrase_s {
  const char *errno_name;   /* canonical symbol ("EACCES"); NULL for a
                               failed name resolution */
  const char *condition;    /* "name-resolution-failed", or NULL */
  const char *operation;    /* one of the rule format's operations, or
                               NULL */
  const char *subject_kind; /* "path", "address", "port", "host"; NULL when
                               the message names no subject */
  size_t subject_off;       /* offsets into the message given */
  size_t subject_len;
  size_t port_off; /* an address printed apart from its host (urllib3's
                      `host='db', port=5432`): its port, after the
                      subject; port_len is 0 otherwise */
  size_t port_len;
  size_t words_off; /* the words read: operation, subject, code, phrase */
  size_t words_len;
  size_t phrase_off; /* the error text itself, as printed */
  size_t phrase_len;
  int warning; /* the line is a warning by its own words (apt's `W: `):
                  a finding of it is quiet */
} ex_errphrase_t;

/* Looks for the first error report in s[0..len). Returns 1 with *out
 * filled (static strings), or 0. */
int ex_errphrase_find(const char *s, size_t len, ex_errphrase_t *out);

/* Whether a match that ends at s[end] is an error a sentence speaks of,
 * not one that happened: the words after it make it the sentence's
 * subject ("... is the Go TLS stack's way of saying", "... means"), or
 * a conditional sentence quotes it ('If a request fails with "x509:
 * ...", return the error': the match ends inside double quotes or
 * backticks of a line that starts with "If", "When", "Whenever" or
 * "Unless" and a lower-case word). */
int ex_errphrase_quoted(const char *s, size_t len, size_t end);

/* Whether the line s[0..len) holds an error aside from a failure: a
 * sample of one in a JSON or YAML member ('"signature": "ERROR: ..."'),
 * a program that says it goes on another way ("reverting to polling",
 * "falling back to"), a test that expected it and passed ("TPASS",
 * "XFAIL", "expected failure"), or a document's table that says after a
 * run of spaces what prints it ("address already in use      (Go)"). */
int ex_errphrase_aside(const char *s, size_t len);

/* The literals a line must contain to be read: each phrase as glibc
 * writes it, each English one in any case after ": ", Node's codes,
 * the heads of numbered reports ("[Errno "). Fills lits[0..max) and
 * keys[0..max) (the offset of the trigram to index each by, 0xFF: the
 * rarest) with literals from..from+max-1, and returns how many there are
 * in all (the caller takes them in small batches: they are many). */
size_t ex_errphrase_literals(ex_literal_t *lits, unsigned char *keys,
                             size_t from, size_t max);

/* ---------------------------------------------------------------------- */
/* Matcher layer                                                           */

#define EX_MATCH_LINE_MAX (64 * 1024) /* bytes of a line used for matching */
#define EX_MATCH_FINDINGS_MAX 64      /* distinct findings kept */
#define EX_MATCH_PENDING_MAX 256      /* findings waiting for later lines */
#define EX_MATCH_EVIDENCE_MAX 1024    /* bytes of text kept per evidence */
#define EX_MATCH_CAPTURE_MAX 4096     /* bytes kept per capture */
#define EX_MATCH_RING_LINES 256       /* recent lines kept per stream */
#define EX_MATCH_RING_BYTES (256 * 1024) /* and their bytes */
#define EX_MATCH_TAIL_BYTES 8192      /* bytes kept of each stream's end */
#define EX_MATCH_SUCCESS_LINES                                                 \
  5 /* last non-blank lines that may say                                       \
       the run succeeded */
#define EX_MATCH_GENERIC_NEAR                                                  \
  20 /* lines within which a specific                                          \
        finding of the same event hides a                                      \
        generic one */
#define EX_MATCH_LIMIT_HITS_MAX                                                \
  16 /* a pattern hitting the match limit                                      \
        this often is switched off */

typedef enum { EX_STREAM_STDERR = 0, EX_STREAM_STDOUT = 1 } ex_stream_t;
#define EX_STREAM_COUNT 2

typedef struct ex_capture_s {
  const char *name; /* borrowed from the compiled regex (matcher lifetime) */
  char *value;      /* owned copy, NUL-terminated, cut at
                       EX_MATCH_CAPTURE_MAX */
  size_t len;
} ex_capture_t;

typedef struct ex_evidence_s {
  ex_stream_t stream;
  unsigned long line; /* 1-based, per stream */
  char *text;         /* cleaned line, owned, NUL-terminated (may contain
                         NUL bytes and invalid UTF-8: use len) */
  size_t len;
  int cut; /* the line was longer than EX_MATCH_EVIDENCE_MAX */
} ex_evidence_t;

/* The event of a finding. Strings borrowed from the rule set or the static
 * errno table are const; subject_value is owned by the finding. A member
 * is NULL when the rule does not give it (subject_value NULL also when the
 * template expanded to nothing: "no subject"). */
typedef struct ex_finding_event_s {
  const char *errno_name; /* canonical symbol ("EACCES") or NULL */
  const char *condition;
  const char *operation;
  const char *subject_kind;
  char *subject_value;
} ex_finding_event_t;

typedef struct ex_finding_s ex_finding_t;
struct ex_finding_s {
  const ex_rule_t *rule;  /* borrowed from the rule set */
  size_t pattern;         /* index in rule->patterns of the pattern matched */
  ex_capture_t *captures; /* main pattern's named groups, then the context
                             patterns' new names; non-participating groups
                             are absent */
  size_t ncaptures;
  ex_finding_event_t event;
  char *location_file; /* expanded rule->location_file, NULL if none/empty */
  char *location_line;
  ex_evidence_t *evidence; /* [0] is the matching line, then the context
                              lines that gave captures */
  size_t nevidence;
  unsigned long count;     /* 1 + duplicates (same id and subject; for the
                              recogniser also the same errno) merged */
  unsigned long last_line; /* line of the last duplicate merged */
  unsigned long seq;       /* detection order, 0-based */
  ex_finding_t **children; /* findings folded under this one, in order */
  size_t nchildren;
  int quiet; /* read behind a warning or informational prefix: reported
                only when the output has a finding that is not */
  /* What the errno-phrase recogniser read on the matching line, for a
   * rule whose own pattern names no subject there (see resolve()). */
  char *line_subject;
  const char *line_subject_kind;
  const char *line_errno;
};

/* A tail buffer: the last `cap` bytes put into it, in a circular buffer
 * of `cap` bytes (plain data: the caller sets buf and cap; with buf NULL
 * nothing is kept, only counted). The matcher keeps one per stream for
 * the lines the output ends with; the launcher's relay for what the
 * scanner had no room for. */
typedef struct ex_tailbuf_s {
  char *buf;
  size_t cap;
  size_t head;              /* where the next byte goes */
  unsigned long long total; /* bytes ever put */
} ex_tailbuf_t;

void ex_tailbuf_put(ex_tailbuf_t *t, const char *p, size_t len);

/* The bytes kept, oldest first, into out (room for t->cap bytes); returns
 * how many. */
size_t ex_tailbuf_copy(const ex_tailbuf_t *t, char *out);

typedef struct ex_matcher_s ex_matcher_t;

/* Prepares a matcher for `set`: extracts every pattern's literals and
 * builds the prefilter (about 2 ms for 230 rules). The regexes themselves
 * are compiled and JIT-compiled on first use, when the prefilter first
 * makes them a candidate (most never run), so that the matcher is ready
 * almost at once. `set` is borrowed and must outlive the matcher and its
 * findings. A rule with a pattern that has no literal, or a regex that
 * fails to compile (the loader refuses both, so only for sets built by
 * hand) is left out: counted in rules_skipped or patterns_disabled.
 * Returns 0 or -ENOMEM. */
int ex_matcher_new(const ex_ruleset_t *set, ex_matcher_t **out);

/* Frees the matcher and all its findings. NULL is accepted. */
void ex_matcher_free(ex_matcher_t *m);

/* Forgets all output and findings: the matcher is as ex_matcher_new()
 * left it, with the regexes it compiled so far kept (the fuzz target
 * reuses one matcher for every input). */
void ex_matcher_reset(ex_matcher_t *m);

/* Feeds `len` bytes of `stream` (any chunking: the findings do not depend on
 * where chunks end). `buf` is borrowed for the call. Returns 0, -EINVAL after
 * ex_matcher_finish() or for a bad stream, -ENOMEM (the matcher stays
 * usable; the lines of this chunk after the failure are not matched). */
int ex_matcher_feed(ex_matcher_t *m, ex_stream_t stream, const void *buf,
                    size_t len);

/* Records that `bytes` bytes of `stream`, holding `lines` newlines, were
 * not fed (the scanner fell behind and they were passed on unscanned).
 * The line being cut is dropped, line numbers go on counting, context and
 * recent lines start again; the next byte fed must start a line. Counted
 * in the stats. Returns 0 or -EINVAL (after finish, bad stream). */
int ex_matcher_skip(ex_matcher_t *m, ex_stream_t stream,
                    unsigned long long bytes, unsigned long long lines);

/* Newlines in s[0..len) (sixteen bytes at a time where SSE2 is there). */
unsigned long ex_matcher_newlines(const char *s, size_t len);

/* Ends the output: the last unterminated line of each stream is matched,
 * pending findings are decided, a generic finding that a specific one
 * covers is dropped (same line, or the same errno or subject within
 * EX_MATCH_GENERIC_NEAR lines), the findings are ranked (specific causes,
 * then generic ones, then fallout), and the last lines are compared with
 * the success lines of the rule set. Idempotent. Returns 0 or -ENOMEM. */
int ex_matcher_finish(ex_matcher_t *m);

/* How the output ended, when it ends in success: one of the last
 * EX_MATCH_SUCCESS_LINES non-blank lines of a stream (prefixes stripped)
 * is a success line of the rule set (`success` in rule files) and no
 * finding comes after it. */
typedef struct ex_match_ending_s {
  const ex_shape_t *shape; /* the success line's shape (borrowed) */
  ex_stream_t stream;
  unsigned long line; /* 1-based, per stream */
  const char *text;   /* the cleaned line, owned by the matcher */
  size_t len;
} ex_match_ending_t;

/* After ex_matcher_finish(): 1 with *out filled when the output ends in
 * success, else 0. */
int ex_matcher_ending(const ex_matcher_t *m, ex_match_ending_t *out);

/* Ranked findings (valid after ex_matcher_finish(); before it, 0). Causes
 * come before fallout, each kind in detection order; a later finding with
 * the subject of an earlier cause, and fallout findings when a cause exists,
 * are folded under the first cause (in its children) and are not listed
 * here. Findings are owned by the matcher. */
size_t ex_matcher_count(const ex_matcher_t *m);
const ex_finding_t *ex_matcher_get(const ex_matcher_t *m, size_t i);

/* The value of the capture `name` of a finding, or NULL (then *len is 0).
 * len may be NULL. */
const char *ex_finding_capture(const ex_finding_t *f, const char *name,
                               size_t *len);

/* Expands a template of the finding's rule with its captures
 * (ex_template_expand(); flags EX_TEMPLATE_SHELL for fix commands). The
 * caller frees *out. Returns 0, -ENOMEM or -E2BIG. */
int ex_finding_expand(const ex_finding_t *f, const char *tpl, int flags,
                      char **out, size_t *out_len);

typedef struct ex_matcher_stats_s {
  unsigned long long bytes;            /* fed */
  unsigned long long lines;            /* complete lines, all streams */
  unsigned long long lines_cut;        /* longer than EX_MATCH_LINE_MAX */
  unsigned long long candidates;       /* regex runs after the prefilter */
  unsigned long long limit_hits;       /* runs stopped by the match limit */
  unsigned long long findings_dropped; /* beyond EX_MATCH_FINDINGS_MAX */
  unsigned long long generic_dropped;  /* generic findings a specific one
                                          covered */
  unsigned long long bytes_unscanned;  /* ex_matcher_skip() */
  unsigned long long lines_unscanned;
  size_t rules; /* rules compiled */
  size_t rules_skipped;
  size_t patterns_disabled; /* after EX_MATCH_LIMIT_HITS_MAX match
                               limit hits, or not compilable */
} ex_matcher_stats_t;

void ex_matcher_stats(const ex_matcher_t *m, ex_matcher_stats_t *st);

#endif
