/* Unit tests of the streaming matcher and the literal extraction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "matcher/matcher.h"
#include "matcher/matcher_int.h"

/* ---------------------------------------------------------------------- */
/* Literal extraction                                                      */

typedef struct lit_case_s {
  const char *re;
  int count;        /* expected return */
  const char *lits; /* expected literals joined by '|', '~' = caseless */
} lit_case_t;

static const lit_case_t lit_cases[] = {
    {"^PermissionError: \\[Errno (?<e>\\d+)\\]", 1, "PermissionError: [Errno "},
    {"^(?:\\w+\\.)*PermissionError: \\[Errno (?<errno>\\d+)\\] (?<m>[^:]+): "
     "'(?<p>[^']+)'",
     1, "PermissionError: [Errno "},
    {"foo|barbaz", 2, "foo|barbaz"},
    {"(?i)no such file", 1, "~no such file"},
    {"abc?def", 1, "def"},
    {"abcd?ef", 1, "abc"},
    {"x(?:abc)def", 1, "xabcdef"},
    {"(?:abc)?defg", 1, "defg"},
    {"(?:ab|cd)efgh", 1, "efgh"},
    {"^(?:cannot open|can't open) (?<f>\\S+)", 2, "cannot open|can't open"},
    {"\\Qa.b*c\\E+", 1, "a.b*c"},
    {"a\\.b\\x41\\x{42}\\n", 1, "a.bAB\n"},
    {"error(?=: )x{2}", 1, "error"},
    {"(?x) no \\  such # comment\n file", 1, "no suchfile"},
    {"[abc]foo[def]", 1, "foo"},
    {"(?i:ERROR) at line", 1, "~ERROR at line"},
    {"Error (?i)code", 1, "~Error code"},
    {"\\d+ \\w+", 0, ""},
    {"ab|cdef", 0, ""},
    {"(foo)+bar", 1, "foo"},
    {"(?<n>foobar)baz", 1, "foobarbaz"},
    {"a(?1)bcd", 0, ""},
    {"(*UTF)abcd", 0, ""},
    {"[]x]abc", 1, "abc"},
    {"a{2}bcd", 1, "bcd"},
    {"a{,2}bcd", 1, "a{,2}bcd"},
    /* A group every match goes through once lends its leading fixed
     * string to the run before it. */
    {"^(?:\\d+ )?ERROR (?<status>4\\d\\d): ", 1, "ERROR 4"},
    {"x(?<g>abc\\d+)", 1, "xabc"},
    {"xy(?:ab|cd)efgh", 1, "efgh"},
    {"xyz(?:ab)?c", 1, "xyz"},
};

static void test_literals(void **state) {
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(lit_cases) / sizeof(lit_cases[0]); i++) {
    const lit_case_t *c = &lit_cases[i];
    ex_literal_t lits[8];
    char joined[512];
    size_t n = 0;
    int rc = ex_literals_extract(c->re, strlen(c->re), lits, 8);
    int k;

    joined[0] = '\0';
    for (k = 0; k < rc; k++) {
      n += (size_t)snprintf(joined + n, sizeof(joined) - n, "%s%s%.*s",
                            k ? "|" : "", lits[k].caseless ? "~" : "",
                            (int)lits[k].len, (const char *)lits[k].bytes);
    }
    if (rc != c->count || strcmp(joined, c->lits) != 0) {
      print_error("/%s/: got %d \"%s\", want %d \"%s\"\n", c->re, rc, joined,
                  c->count, c->lits);
      fail();
    }
  }
}

#include "matcher_helpers.h"

#define RULES_HEAD "{'format':'explain-rules/1','rules':["
#define RULES_TAIL "]}"

static const char *const base_rules = RULES_HEAD
    "{'id':'py.perm','title':'t','tags':['python'],"
    " 'patterns':['^(?:\\\\w+\\\\.)*PermissionError: \\\\[Errno "
    "(?<errno>\\\\d+)\\\\] (?<message>[^:]+): .(?<path>[^\\']+).'],"
    " 'context':{'before':{'lines':40,'pattern':'^\\\\s*File "
    "\\\\x22(?<file>[^\\\\x22]+)\\\\x22, line (?<line>\\\\d+)','pick':'last'}},"
    " 'event':{'errno':'${errno}','operation':'open','subject':{'kind':'path','"
    "value':'${path}'}},"
    " 'location':{'file':'${file}','line':'${line}'},"
    " 'meaning':'m'},"
    "{'id':'make.fail','title':'t','tags':['make'],'role':'fallout',"
    " 'patterns':['^make(?:\\\\[\\\\d+\\\\])?: \\\\*\\\\*\\\\* "
    "\\\\[(?<target>[^\\\\]]+)\\\\] Error \\\\d+'],"
    " 'event':{'condition':'recipe-failed'},'meaning':'m'},"
    "{'id':'sh.denied','title':'t','tags':['shell'],"
    " 'patterns':['^(?:ba|da)?sh: (?<path>[^:]+): Permission denied',"
    "   {'regex':'^cp: cannot create regular file .(?<path>[^\\']+).: "
    "(?<msg>.+)$','event':{'operation':'create','errno':'${msg}'}}],"
    " 'event':{'errno':'EACCES','operation':'exec','subject':{'kind':'path','"
    "value':'${path}'}},"
    " 'meaning':'m'},"
    "{'id':'gen.nospace','title':'t','tags':['x'],"
    " 'patterns':['(?i)no space left on device'],"
    " 'event':{'errno':'ENOSPC'},'meaning':'m',"
    " 'suppress':[{'pattern':'^npm WARN','where':'same'},"
    "   {'pattern':'^# retrying','where':'before','lines':2},"
    "   {'pattern':'^recovered','where':'after','lines':3}]},"
    "{'id':'gen.after','title':'t','tags':['x'],"
    " 'patterns':['^fatal: unable to access'],"
    " 'context':{'after':{'lines':3,'pattern':'^hint: (?<hint>.+)'}},"
    " 'event':{'condition':'fetch-failed','subject':{'kind':'url','value':'${"
    "hint}'}},'meaning':'m'}" RULES_TAIL;

/* ---------------------------------------------------------------------- */

static const char sample_text[] =
    "starting\n"
    "Traceback (most recent call last):\n"
    "  File \"/home/ana/lib.py\", line 9, in <module>\n"
    "  File \"/home/ana/save.py\", line 3, in save\n"
    "PermissionError: [Errno 13] Permission denied: '/data/out.csv'\n"
    "\x1b[1;31mbash: ./run.sh: Permission denied\x1b[0m\r\n"
    "\x1b]0;window title\x07"
    "cp: cannot create regular file '/etc/x': No space left on device\n"
    "progress 10%\rprogress 55%\rbash: ./b: Permission denied\n"
    "make[1]: *** [all] Error 1\n"
    "bash: ./run.sh: Permission denied\n"
    "\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\ fatal: unable to "
    "access\n"
    "fatal: unable to access 'https://x/'\n"
    "noise\n"
    "hint: check the proxy\n"
    "hint: second\n"
    "npm WARN no space left on device\n"
    "No space left on device\n"
    "last line without newline: DISK: NO SPACE LEFT ON DEVICE";

static const char sample_expected[] =
    "py.perm x1 L5 EACCES op=open s=/data/out.csv at=/home/ana/save.py:3 +L4\n"
    "  make.fail x1 L9\n"
    "sh.denied x2 L6 EACCES op=exec s=./run.sh\n"
    "sh.denied x1 L7 ENOSPC op=create s=/etc/x\n"
    "gen.nospace x3 L7 ENOSPC\n"
    "sh.denied x1 L8 EACCES op=exec s=./b\n"
    "gen.after x1 L12 s=check the proxy +L14\n";

static void test_sample(void **state) {
  ex_ruleset_t *set = load(base_rules);
  char out[4096];
  ex_matcher_stats_t st;

  (void)state;
  run_matcher(set, sample_text, sizeof(sample_text) - 1, 65536, out,
              sizeof(out), &st);
  assert_string_equal(out, sample_expected);
  assert_int_equal(st.lines, 18);
  ex_ruleset_free(set);
}

static void test_chunking(void **state) {
  ex_ruleset_t *set = load(base_rules);
  char out[4096];
  size_t chunk;

  (void)state;
  for (chunk = 1; chunk <= 64; chunk++) {
    run_matcher(set, sample_text, sizeof(sample_text) - 1, chunk, out,
                sizeof(out), NULL);
    if (strcmp(out, sample_expected) != 0) {
      print_error("chunk %zu:\n%s", chunk, out);
      fail();
    }
  }
  ex_ruleset_free(set);
}

/* Evidence text is the cleaned line. */
static void test_cleaning(void **state) {
  static const struct {
    const char *in;
    const char *want;
  } cases[] = {
      {"\x1b[1;31mbash: ./a: Permission denied\x1b[0m\n",
       "bash: ./a: Permission denied"},
      {"bash: ./a: Permission denied\r\n", "bash: ./a: Permission denied"},
      {"10%\r20%\rbash: ./a: Permission denied\n",
       "bash: ./a: Permission denied"},
      {"\x1b]0;t\x1b\\bash: ./a: \x1b(BPermission denied\x1b"
       "7\n",
       "bash: ./a: Permission denied"},
      {"bash: ./a: Permission\x1bP1$r\x1b\\ denied\n",
       "bash: ./a: Permission denied"},
      {"bash: ./\xff\x00"
       "a: Permission denied\n",
       "bash: ./\xff"},
  };
  ex_ruleset_t *set = load(base_rules);
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ex_matcher_t *m = NULL;
    const ex_finding_t *f;
    size_t len = strlen(cases[i].in);
    if (i == 5)
      len = 31; /* the string holds a NUL */
    assert_int_equal(ex_matcher_new(set, &m), 0);
    assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDOUT, cases[i].in, len), 0);
    assert_int_equal(ex_matcher_finish(m), 0);
    assert_int_equal(ex_matcher_count(m), 1);
    f = ex_matcher_get(m, 0);
    assert_int_equal(f->evidence[0].stream, EX_STREAM_STDOUT);
    if (i == 5) {
      /* NUL and invalid UTF-8 are kept. */
      assert_int_equal(f->evidence[0].len, 30);
      assert_memory_equal(f->evidence[0].text, cases[i].in, 30);
    } else {
      assert_string_equal(f->evidence[0].text, cases[i].want);
    }
    ex_matcher_free(m);
  }
  ex_ruleset_free(set);
}

static void test_long_lines(void **state) {
  ex_ruleset_t *set = load(base_rules);
  size_t big = 200 * 1024;
  char *text = malloc(3 * big);
  char out[4096];
  ex_matcher_stats_t st;
  size_t n = 0;
  size_t chunk;

  (void)state;
  assert_non_null(text);
  /* 1: a long line whose match is past the cap: not matched. */
  memset(text + n, 'x', big);
  n += big;
  n += (size_t)sprintf(text + n, "bash: ./late: Permission denied\n");
  /* 2: a long line that starts with a match: matched, evidence cut. */
  n += (size_t)sprintf(text + n, "bash: ./early: Permission denied");
  memset(text + n, 'y', big);
  n += big;
  text[n++] = '\n';
  /* 3: line numbers still count the long lines. */
  n += (size_t)sprintf(text + n, "bash: ./after: Permission denied\n");
  for (chunk = 4096; chunk <= 65536 * 4; chunk *= 4) {
    run_matcher(set, text, n, chunk, out, sizeof(out), &st);
    assert_string_equal(out, "sh.denied x1 L2 EACCES op=exec s=./early\n"
                             "sh.denied x1 L3 EACCES op=exec s=./after\n");
    assert_int_equal(st.lines, 3);
    assert_int_equal(st.lines_cut, 2);
  }
  {
    ex_matcher_t *m = NULL;
    assert_int_equal(ex_matcher_new(set, &m), 0);
    assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, text, n), 0);
    assert_int_equal(ex_matcher_finish(m), 0);
    assert_int_equal(ex_matcher_get(m, 0)->evidence[0].cut, 1);
    assert_int_equal(ex_matcher_get(m, 0)->evidence[0].len,
                     EX_MATCH_EVIDENCE_MAX);
    ex_matcher_free(m);
  }
  free(text);
  ex_ruleset_free(set);
}

/* Appends n lines of output that no rule matches: plain, coloured and
 * progress lines in turn. */
static size_t noise(char *text, size_t n, int lines) {
  static const char *const kinds[] = {
      "gcc -O2 -Wall -c src/io/link.c -o link.o\n",
      "\x1b[32mPASSED\x1b[0m tests/test_cache.py::test_layer_7\n",
      "Downloading step-1.2.tar.gz 10%\r50%\r100%\n",
      "2024-05-03 12:00:01 INFO [build] running the cache step\n",
  };
  int i;

  for (i = 0; i < lines; i++)
    n += (size_t)sprintf(text + n, "%s", kinds[i % 4]);
  return n;
}

/* Whole chunks are searched at once and the lines without a literal are
 * passed over: line numbers, context from passed-over lines (coloured and
 * progress ones cleaned), suppressors, the after context and the count of
 * cut lines must come out as if each line had been looked at. */
static void test_skipped_lines(void **state) {
  ex_ruleset_t *set = load(base_rules);
  size_t cap = 1 << 20;
  char *text = malloc(cap);
  char out[4096];
  ex_matcher_stats_t st;
  size_t chunks[] = {1, 7, 100, 4096, 65536, 1 << 20};
  size_t n = 0;
  size_t c;
  int i;

  (void)state;
  assert_non_null(text);
  n = noise(text, n, 1000);
  /* L1001: a frame, coloured; L1012: the error it explains. */
  n += (size_t)sprintf(text + n, "\x1b[2m  File \"/home/ci/x.py\", line 7, "
                                 "in f\x1b[0m\n");
  n = noise(text, n, 10);
  n += (size_t)sprintf(text + n, "PermissionError: [Errno 13] Permission "
                                 "denied: '/data/a'\n");
  /* L1013-1312; L1313: a frame too far from the error at L1400. */
  n = noise(text, n, 300);
  n += (size_t)sprintf(text + n, "  File \"/home/ci/far.py\", line 1, in g\n");
  n = noise(text, n, 86);
  n += (size_t)sprintf(text + n, "PermissionError: [Errno 13] Permission "
                                 "denied: '/data/b'\n");
  /* L1401-1403: long lines; only the first and third are cut. */
  memset(text + n, 'x', 70000);
  n += 70000;
  text[n++] = '\n';
  memset(text + n, 'x', 70000);
  n += 70000;
  n += (size_t)sprintf(text + n, "\rshort\n");
  for (i = 0; i < 700; i++)
    n += (size_t)sprintf(text + n, "\x1b[0mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  text[n++] = '\n';
  /* L1404-1405; L1406: suppressed by the progress line before it. */
  n = noise(text, n, 2);
  n += (size_t)sprintf(text + n, "# retrying 1%%\r# retrying 2%%\n");
  n += (size_t)sprintf(text + n, "No space left on device\n");
  /* L1408-1409; L1410: an error whose hint comes two lines later. */
  n = noise(text, n, 2);
  n += (size_t)sprintf(text + n, "fatal: unable to access 'u'\n");
  n = noise(text, n, 1);
  n += (size_t)sprintf(text + n, "hint: \x1b[1muse a proxy\x1b[0m\n");
  /* L1413-2412; L2413: no newline at the end. */
  n = noise(text, n, 1000);
  n += (size_t)sprintf(text + n, "bash: ./z: Permission denied");
  assert_true(n < cap);
  for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
    run_matcher(set, text, n, chunks[c], out, sizeof(out), &st);
    if (strcmp(out, "py.perm x1 L1012 EACCES op=open s=/data/a "
                    "at=/home/ci/x.py:7 +L1001\n"
                    "py.perm x1 L1400 EACCES op=open s=/data/b\n"
                    "gen.after x1 L1410 s=use a proxy +L1412\n"
                    "sh.denied x1 L2413 EACCES op=exec s=./z\n") != 0) {
      print_error("chunk %zu:\n%s", chunks[c], out);
      fail();
    }
    assert_int_equal(st.lines, 2413);
    assert_int_equal(st.lines_cut, 2);
  }
  free(text);
  ex_ruleset_free(set);
}

typedef struct {
  const char *text;
  const char *want;
} text_case_t;

/* Runs each text through a matcher of `rules`, in chunks of 1 to 7 bytes,
 * and compares the findings with the case's. */
static void expect_cases(const char *rules, const text_case_t *cases,
                         size_t n) {
  ex_ruleset_t *set = load(rules);
  char out[1024];
  size_t i;
  size_t chunk;

  for (i = 0; i < n; i++) {
    for (chunk = 1; chunk < 8; chunk++) {
      run_matcher(set, cases[i].text, strlen(cases[i].text), chunk, out,
                  sizeof(out), NULL);
      assert_string_equal(out, cases[i].want);
    }
  }
  ex_ruleset_free(set);
}

static void test_context(void **state) {
  static const char *const rules =
      RULES_HEAD "{'id':'t.ctx','title':'t','tags':['x'],'patterns':['^ERROR "
                 "(?<what>\\\\w+)'],"
                 " 'context':{'before':{'lines':3,'pattern':'^at "
                 "(?<where>\\\\S+)','pick':'first'},"
                 "            'after':{'lines':2,'pattern':'^cause: "
                 "(?<why>.+)','pick':'last'}},"
                 " 'event':{'condition':'c','subject':{'kind':'file','value':'$"
                 "{what}/${where}/${why}'}},"
                 " 'meaning':'m'}" RULES_TAIL;
  static const text_case_t cases[] = {
      /* before: pick first within 3 lines; after: pick last within 2 */
      {"at a\nat b\nx\nat c\nERROR one\ncause: p\ncause: q\ncause: r\n",
       "t.ctx x1 L5 s=one/b/q +L2 +L7\n"},
      /* nothing in the windows */
      {"at a\n1\n2\n3\nERROR two\nx\ny\ncause: late\n",
       "t.ctx x1 L5 s=two//\n"},
      /* end of output before the after window closes */
      {"ERROR three\ncause: z", "t.ctx x1 L1 s=three//z +L2\n"},
  };
  (void)state;
  expect_cases(rules, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Subjects a rule's own pattern does not name: the errno-phrase reading of
 * the same line (when it is written as a path), a later line of the same
 * rule, a fallout of the same errno folded under the cause. */
static void test_subjects_from_elsewhere(void **state) {
  static const char rules[] =
      RULES_HEAD
      "{'id':'t.layer','title':'t','tags':['x'],"
      " 'patterns':['^failed to register layer: .*no space left on "
      "device(?<path>)$'],"
      " 'event':{'errno':'ENOSPC','subject':{'kind':'path','value':'${path}'}},"
      " 'meaning':'m'},"
      "{'id':'t.none','title':'t','tags':['x'],"
      " 'patterns':['^sync: .*Read-only file system$'],"
      " 'event':{'errno':'EROFS','subject':{'kind':'none','value':''}},"
      " 'meaning':'m'},"
      "{'id':'t.cat','title':'t','tags':['x'],"
      " 'patterns':['^cat: write error: No space left on device(?<path>)$'],"
      " 'event':{'errno':'ENOSPC','subject':{'kind':'path','value':'${path}'}},"
      " 'meaning':'m'},"
      "{'id':'t.manifest','title':'t','tags':['x'],"
      " 'patterns':['manifest unknown(?<image>)$',"
      "             'manifest for (?<image>\\\\S+) not found$'],"
      " 'event':{'condition':'c','subject':{'kind':'image',"
      "'value':'${image}'}},"
      " 'meaning':'m'},"
      "{'id':'t.code','title':'t','tags':['x'],'role':'fallout',"
      " 'patterns':['^npm ERR! code (?<errno>E[A-Z]+)$'],"
      " 'context':{'after':{'lines':2,"
      "'pattern':'^npm ERR! path (?<path>\\\\S+)'}},"
      " 'event':{'errno':'${errno}','subject':{'kind':'path',"
      "'value':'${path}'}},"
      " 'meaning':'m'},"
      "{'id':'t.eperm','title':'t','tags':['x'],"
      " 'patterns':['^Error: EPERM: operation not permitted(?<path>)$'],"
      " 'event':{'errno':'EPERM','subject':{'kind':'path','value':'${path}'}},"
      " 'meaning':'m'},"
      "{'id':'t.addr','title':'t','tags':['x'],"
      " 'patterns':['^refused (?<host>\\\\w+):(?<port>\\\\d+)$',"
      "             '^refused(?<host>)(?<port>)$'],"
      " 'event':{'condition':'c','subject':{'kind':'address',"
      "'value':'${host}:${port}'}},"
      " 'meaning':'m'},"
      "{'id':'errno.phrase','title':'t','tags':['errno'],"
      " 'recogniser':'errno-phrase','confidence':'low','meaning':'m'}"
      RULES_TAIL;
  static const text_case_t cases[] = {
      /* a subject whose every capture is empty names nothing, not ":" */
      {"refused db:5432\n", "t.addr x1 L1 s=db:5432\n"},
      {"refused\n", "t.addr x1 L1\n"},
      {"failed to register layer: stderr: mkdir /root/.npm/x: no space left "
       "on device\n",
       "t.layer x1 L1 ENOSPC s=/root/.npm/x\n"},
      /* "write error" reads as an operation and a word, not a file */
      {"cat: write error: No space left on device\n", "t.cat x1 L1 ENOSPC\n"},
      /* a rule that says it names no subject takes none */
      {"sync: open /mnt/x: Read-only file system\n", "t.none x1 L1 EROFS\n"},
      {"pull: manifest unknown\nerror: manifest for db:10.1 not found\n",
       "t.manifest x2 L2 s=db:10.1\n"},
      {"Error: EPERM: operation not permitted\nnpm ERR! code EPERM\n"
       "npm ERR! path /srv/app.zip\n",
       "t.eperm x1 L1 EPERM s=/srv/app.zip\n"
       "  t.code x1 L2 EPERM s=/srv/app.zip +L3\n"},
      /* a broken pipe says the reader went away: the cause comes first,
       * even after it; alone, the broken pipe is said */
      {"rsync: writefd_unbuffered failed to write 4 bytes to socket "
       "[sender]: Broken pipe (32)\n"
       "rsync: write failed on \"/srv/x.deb\": No space left on device "
       "(28)\n",
       "errno.phrase x1 L2 ENOSPC op=write s=/srv/x.deb\n"
       "  errno.phrase x1 L1 EPIPE\n"},
      {"tar: write error: Broken pipe\n",
       "errno.phrase x1 L1 EPIPE op=write\n"},
  };
  (void)state;
  expect_cases(rules, cases, sizeof(cases) / sizeof(cases[0]));
}

/* The kept lines reach as far back as a context may look (200 lines) for
 * lines as long as a log's usual ones, and a few lines as long as a line
 * may be matched (EX_MATCH_LINE_MAX) still fit. */
static void test_context_reach(void **state) {
  static const char rules[] =
      RULES_HEAD "{'id':'t.far','title':'t','tags':['x'],"
                 " 'patterns':['^ERROR$'],"
                 " 'context':{'before':{'lines':200,"
                 "'pattern':'^at (?<where>\\\\w+)'}},"
                 " 'event':{'condition':'c','subject':{'kind':'file','value':'$"
                 "{where}'}},"
                 " 'meaning':'m'}" RULES_TAIL;
  ex_ruleset_t *set = load(rules);
  size_t cap = 2 * 1024 * 1024;
  char *text = malloc(cap);
  char out[1024];
  size_t n;
  size_t i;

  (void)state;
  assert_non_null(text);
  n = (size_t)snprintf(text, cap, "at here\n");
  for (i = 0; i < 199; i++) {
    memset(text + n, 'x', 1000);
    n += 1000;
    text[n++] = '\n';
  }
  n += (size_t)snprintf(text + n, cap - n, "ERROR\n");
  run_matcher(set, text, n, 4096, out, sizeof(out), NULL);
  assert_string_equal(out, "t.far x1 L201 s=here +L1\n");
  n = (size_t)snprintf(text, cap, "at long\n");
  for (i = 0; i < 3; i++) {
    memset(text + n, 'y', EX_MATCH_LINE_MAX - 1);
    n += EX_MATCH_LINE_MAX - 1;
    text[n++] = '\n';
  }
  n += (size_t)snprintf(text + n, cap - n, "ERROR\n");
  run_matcher(set, text, n, 4096, out, sizeof(out), NULL);
  assert_string_equal(out, "t.far x1 L5 s=long +L1\n");
  free(text);
  ex_ruleset_free(set);
}

/* With pick last, each name takes its value from the nearest line that sets
 * it: libpq names the host on one line and the port on the next. */
static void test_context_names_from_several_lines(void **state) {
  static const char rules[] =
      RULES_HEAD "{'id':'t.two','title':'t','tags':['x'],"
                 " 'patterns':['^refused$'],"
                 " 'context':{'after':{'lines':3,"
                 "'pattern':'^host (?<host>\\\\w+)|"
                 "^port (?<port>\\\\d+)','pick':'last'}},"
                 " 'event':{'condition':'c','subject':{'kind':'port','value':'$"
                 "{host}:${port}'}},"
                 " 'meaning':'m'}" RULES_TAIL;
  static const text_case_t cases[] = {
      {"refused\nhost db\nport 5432\n", "t.two x1 L1 s=db:5432 +L2 +L3\n"},
      /* a later host replaces the earlier one and its line */
      {"refused\nhost a\nhost b\nport 1\n", "t.two x1 L1 s=b:1 +L3 +L4\n"},
      {"refused\nport 7\n", "t.two x1 L1 s=:7 +L2\n"},
  };
  (void)state;
  expect_cases(rules, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Lines inside a Markdown code block are a document's quotation; a fence
 * left open for more than 100 lines is no quotation, and what follows is
 * read again. */
/* A document's lead ("looks for these log fragments:") makes the lines
 * after it examples; a person's "I get this error:" does not. */
static void test_quotation_leads(void **state) {
  static const text_case_t cases[] = {
      {"Faultline looks for one or more of these log fragments:\n"
       "No space left on device\n",
       ""},
      {"If your error looks similar to this, then this is a match:\n\n"
       "No space left on device\n",
       ""},
      {"Typical error messages:\nNo space left on device\n", ""},
      {"In a Node.js app it usually surfaces as an uncaught exception:\n"
       "No space left on device\n",
       ""},
      {"The message shows up wherever the write happened:\n"
       "No space left on device\n",
       ""},
      {"You will see it from almost any program that writes:\n"
       "No space left on device\n",
       ""},
      /* a heading of examples */
      {"expected output\n\nNo space left on device\n", ""},
      {"trigger \u2014 this will error\n$ cp a /mnt/full/\n"
       "No space left on device\n",
       ""},
      /* a lead that says "like this" may end in a full stop */
      {"Messages like this appear in the UI.\nNo space left on device\n", ""},
      /* a document speaks to "you"; a reason to do something says what
       * it avoids; a Chinese tutorial heads its list of symptoms */
      {"You start your dev server and get this:\n\n"
       "No space left on device\n",
       ""},
      {"Added an instruction to remove the container along with stopping it "
       "to avoid error - \nNo space left on device\n",
       ""},
      {"\u5178\u578b\u8d85\u65f6\u73b0\u8c61\nNo space left on device\n",
       ""},
      {"I get this error:\nNo space left on device\n",
       "gen.nospace x1 L2 ENOSPC\n"},
      {"I start the server and get this:\nNo space left on device\n",
       "gen.nospace x1 L2 ENOSPC\n"},
      {"s = socket.create_connection(('127.0.0.1', 9999))expected output\n"
       "No space left on device\n",
       ""},
      {"What the error looks like\n\nNo space left on device\n", ""},
      {"  - This prevents the error \"cannot write '/x':\n"
       "  No space left on device\" when the disk is full\n",
       ""},
      {"It failed like this.\nNo space left on device\n",
       "gen.nospace x1 L2 ENOSPC\n"},
      /* a list introduced by "such as:", "comme :", "Confirm this is your
       * error"; a person who gets errors such as these reports them */
      {"Docker's messages are often short, such as:\n"
       "No space left on device\n",
       ""},
      {"Les messages de Docker sont souvent courts, comme :\n"
       "No space left on device\n",
       ""},
      {"1. Confirm this is your error\nNo space left on device\n", ""},
      {"I get errors such as:\nNo space left on device\n",
       "gen.nospace x1 L2 ENOSPC\n"},
      /* a sentence about the message; a test that expected it; a table
       * of messages with what prints each */
      {"No space left on device is the kernel's way of saying so\n", ""},
      {"open08  5  TPASS  :  expected failure - errno = 28 : No space left "
       "on device\n",
       ""},
      {"write: No space left on device            (Go)\n", ""},
      {"write: No space left on device (Go)\n", "gen.nospace x1 L1 ENOSPC\n"},
      /* a conditional sentence that quotes an error is about it; a person
       * who says what happened to them reports one */
      {"If a request fails with \"No space left on device\", return\n", ""},
      {"When running \"make\", I get \"No space left on device\" here\n",
       "gen.nospace x1 L1 ENOSPC\n"},
      /* the words without the colon that ends a lead */
      {"It looks for error messages in the log\nNo space left on device\n",
       "gen.nospace x1 L2 ENOSPC\n"},
      /* a lead's examples are short: what comes long after is read */
      {"Look for these messages:\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n"
       "12\n13\n14\n15\n16\n17\n18\n19\n20\n21\nNo space left on "
       "device\n",
       "gen.nospace x1 L23 ENOSPC\n"},
  };
  (void)state;
  expect_cases(base_rules, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_fenced_blocks(void **state) {
  char text[8192];
  char out[1024];
  size_t n;
  size_t i;
  size_t chunk;
  ex_ruleset_t *set = load(base_rules);

  (void)state;
  n = (size_t)snprintf(text, sizeof(text),
                       "Problem:\n```log\nNo space left on device\n```\n"
                       "done\n");
  for (chunk = 1; chunk < 8; chunk++) {
    run_matcher(set, text, n, chunk, out, sizeof(out), NULL);
    assert_string_equal(out, "");
  }
  /* After the block, the same words are output again. */
  n += (size_t)snprintf(text + n, sizeof(text) - n,
                        "No space left on device\n");
  run_matcher(set, text, n, 3, out, sizeof(out), NULL);
  assert_string_equal(out, "gen.nospace x1 L6 ENOSPC\n");
  /* HTML's and DocBook's verbatim blocks, in any case and with
   * attributes; a tag among other text is no block. */
  n = (size_t)snprintf(text, sizeof(text),
                       "<screen>\nNo space left on device\n</screen>\n"
                       "  <PRE class=\"log\">\nNo space left on device\n"
                       "</pre>\n<pre>x</pre>\nNo space left on device\n");
  run_matcher(set, text, n, 5, out, sizeof(out), NULL);
  assert_string_equal(out, "gen.nospace x1 L8 ENOSPC\n");
  /* One stray fence, then a long run that fails. */
  n = (size_t)snprintf(text, sizeof(text), "```\n");
  for (i = 0; i < 150; i++)
    n += (size_t)snprintf(text + n, sizeof(text) - n, "step %zu\n", i);
  n += (size_t)snprintf(text + n, sizeof(text) - n,
                        "No space left on device\n");
  for (chunk = 1; chunk < 4096; chunk *= 7) {
    run_matcher(set, text, n, chunk, out, sizeof(out), NULL);
    assert_string_equal(out, "gen.nospace x1 L152 ENOSPC\n");
  }
  ex_ruleset_free(set);
}

static void test_suppressors(void **state) {
  static const struct {
    const char *text;
    const char *want;
  } cases[] = {
      {"No space left on device\n", "gen.nospace x1 L1 ENOSPC\n"},
      {"npm WARN No space left on device\n", ""},
      {"# retrying\nx\nNo space left on device\n", ""},
      {"# retrying\nx\ny\nNo space left on device\n",
       "gen.nospace x1 L4 ENOSPC\n"},
      {"No space left on device\na\nb\nrecovered\n", ""},
      {"No space left on device\na\nb\nc\nrecovered\n",
       "gen.nospace x1 L1 ENOSPC\n"},
      {"No space left on device\nrecovered", ""},
  };
  ex_ruleset_t *set = load(base_rules);
  char out[1024];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    run_matcher(set, cases[i].text, strlen(cases[i].text), 3, out, sizeof(out),
                NULL);
    if (strcmp(out, cases[i].want) != 0) {
      print_error("case %zu: got \"%s\"\n", i, out);
      fail();
    }
  }
  ex_ruleset_free(set);
}

static void test_ranking(void **state) {
  static const char *const text =
      "make: *** [a] Error 1\n"        /* fallout before any cause */
      "bash: ./x: Permission denied\n" /* cause 1 */
      "PermissionError: [Errno 13] Permission denied: './x'\n" /* same subject
                                                                */
      "No space left on device\n" /* cause 2, no subject */
      "make: *** [b] Error 2\n"
      "bash: ./x: Permission denied\n" /* duplicate of cause 1 */
      "NO SPACE LEFT ON DEVICE\n";     /* duplicate of cause 2 */
  ex_ruleset_t *set = load(base_rules);
  char out[2048];

  (void)state;
  run_matcher(set, text, strlen(text), 7, out, sizeof(out), NULL);
  assert_string_equal(out, "sh.denied x2 L2 EACCES op=exec s=./x\n"
                           "  py.perm x1 L3 EACCES op=open s=./x\n"
                           "  make.fail x2 L1\n"
                           "gen.nospace x2 L4 ENOSPC\n");
  /* Only fallout: it stays on top. */
  run_matcher(set, "make: *** [a] Error 1\n", 22, 5, out, sizeof(out), NULL);
  assert_string_equal(out, "make.fail x1 L1\n");
  ex_ruleset_free(set);
}

static void test_findings_cap(void **state) {
  ex_ruleset_t *set = load(base_rules);
  ex_matcher_t *m = NULL;
  ex_matcher_stats_t st;
  char line[64];
  int i;

  (void)state;
  assert_int_equal(ex_matcher_new(set, &m), 0);
  for (i = 0; i < 100; i++) {
    int n = snprintf(line, sizeof(line), "bash: ./f%d: Permission denied\n", i);
    assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, line, (size_t)n), 0);
  }
  assert_int_equal(ex_matcher_finish(m), 0);
  ex_matcher_stats(m, &st);
  assert_int_equal(ex_matcher_count(m), EX_MATCH_FINDINGS_MAX);
  assert_int_equal(st.findings_dropped, 100 - EX_MATCH_FINDINGS_MAX);
  assert_string_equal(ex_matcher_get(m, 0)->event.subject_value, "./f0");
  /* finish is idempotent; feeding after it is refused */
  assert_int_equal(ex_matcher_finish(m), 0);
  assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, "x", 1), -EINVAL);
  ex_matcher_free(m);
  ex_ruleset_free(set);
}

static void test_streams_and_expand(void **state) {
  ex_ruleset_t *set = load(base_rules);
  ex_matcher_t *m = NULL;
  const ex_finding_t *f;
  char *s = NULL;

  (void)state;
  assert_int_equal(ex_matcher_new(set, &m), 0);
  ex_matcher_feed(m, EX_STREAM_STDOUT, "out1\nout2\nbash: ./o", 20);
  ex_matcher_feed(m, EX_STREAM_STDERR, "bash: ./it's here: Perm", 23);
  ex_matcher_feed(m, EX_STREAM_STDOUT, "ut: Permission denied\n", 22);
  ex_matcher_feed(m, EX_STREAM_STDERR, "ission denied\n", 14);
  assert_int_equal(ex_matcher_finish(m), 0);
  assert_int_equal(ex_matcher_count(m), 2);
  /* The stdout line was complete first. */
  f = ex_matcher_get(m, 1);
  assert_int_equal(f->evidence[0].stream, EX_STREAM_STDERR);
  assert_int_equal(f->evidence[0].line, 1);
  assert_string_equal(ex_finding_capture(f, "path", NULL), "./it's here");
  assert_null(ex_finding_capture(f, "nope", NULL));
  assert_int_equal(
      ex_finding_expand(f, "ls -l ${path}", EX_TEMPLATE_SHELL, &s, NULL), 0);
  assert_string_equal(s, "ls -l './it'\\''s here'");
  free(s);
  assert_int_equal(ex_finding_expand(f, "${path} denied", 0, &s, NULL), 0);
  assert_string_equal(s, "./it's here denied");
  free(s);
  f = ex_matcher_get(m, 0);
  assert_int_equal(f->evidence[0].stream, EX_STREAM_STDOUT);
  assert_int_equal(f->evidence[0].line, 3);
  ex_matcher_free(m);
  ex_ruleset_free(set);
}

static void test_catastrophic(void **state) {
  static const char *const rules = RULES_HEAD
      "{'id':'t.slow','title':'t','tags':['x'],'patterns':['^error: (a+)+b'],"
      " 'event':{'condition':'c'},'meaning':'m'}" RULES_TAIL;
  ex_ruleset_t *set = load(rules);
  ex_matcher_t *m = NULL;
  ex_matcher_stats_t st;
  char *line = malloc(40000);
  struct timespec t0;
  struct timespec t1;
  double secs;
  int i;

  (void)state;
  assert_non_null(line);
  memcpy(line, "error: ", 7);
  /* A 'b' after the run: PCRE2 cannot rule the line out up front. */
  memset(line + 7, 'a', 40000 - 10);
  memcpy(line + 40000 - 3, "!b\n", 3);
  assert_int_equal(ex_matcher_new(set, &m), 0);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < 100; i++)
    assert_int_equal(ex_matcher_feed(m, EX_STREAM_STDERR, line, 40000), 0);
  ex_matcher_feed(m, EX_STREAM_STDERR, "error: aab\n", 11);
  assert_int_equal(ex_matcher_finish(m), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  ex_matcher_stats(m, &st);
  assert_true(secs < 5.0);
  assert_true(st.limit_hits >= 1);
  assert_int_equal(st.patterns_disabled, 1);
  ex_matcher_free(m);
  ex_ruleset_free(set);
  free(line);
}

/* ---------------------------------------------------------------------- */
/* Prefilter: the vector loop and the portable one agree with a naive
 * search, on random text full of near-misses. */

static unsigned prng_state = 12345u;
static unsigned prng(void) {
  prng_state = prng_state * 1103515245u + 12345u;
  return prng_state >> 8;
}

static int lit_occurs_at(const ex_literal_t *l, const unsigned char *s,
                         size_t len, size_t p) {
  size_t k;

  if (p + l->len > len)
    return 0;
  for (k = 0; k < l->len; k++) {
    unsigned a = s[p + k];
    unsigned b = l->bytes[k];
    if (l->caseless) {
      a = (a >= 'A' && a <= 'Z') ? a + 32 : a;
      b = (b >= 'A' && b <= 'Z') ? b + 32 : b;
    }
    if (a != b)
      return 0;
  }
  return 1;
}

static void test_prefilter_find(void **state) {
  static const char *const words[] = {
      "EIO",       "ERROR 4",  "denied",   "No such file", ".json",
      "abcab",     "bca",      "cabbage",  "xyzzy",        "ERR",
      "Timeout",   "aab",      "bbbbbbbb", "cc\tdd",      "Zz9",
  };
  enum { NW = sizeof(words) / sizeof(words[0]) };
  ex_literal_t lits[NW];
  ex_prefilter_t *pf;
  unsigned char text[3000];
  size_t i;
  int round;
  int found_any = 0;

  (void)state;
  assert_int_equal(ex__prefilter_new(&pf), 0);
  for (i = 0; i < NW; i++) {
    memset(&lits[i], 0, sizeof(lits[i]));
    lits[i].len = strlen(words[i]);
    memcpy(lits[i].bytes, words[i], lits[i].len);
    lits[i].caseless = (i % 3) == 1;
    assert_int_equal(ex__prefilter_add(pf, &lits[i], (uint32_t)i), 0);
  }
  assert_int_equal(ex__prefilter_build(pf, NW), 0);

  for (round = 0; round < 4000; round++) {
    static const char alpha[] = "abcERORxyzjson. \n4deiN";
    size_t len = 1 + prng() % sizeof(text);
    size_t naive = len;
    size_t got_simd;
    size_t got_plain;
    size_t p;
    size_t w;

    for (i = 0; i < len; i++)
      text[i] = (unsigned char)alpha[prng() % (sizeof(alpha) - 1)];
    /* Most rounds plant a literal, sometimes case-flipped, sometimes
     * cut off by the end of the text. */
    if (round % 4 != 0) {
      w = prng() % NW;
      p = prng() % len;
      for (i = 0; i < lits[w].len && p + i < len; i++) {
        unsigned c = lits[w].bytes[i];
        if (lits[w].caseless && (prng() & 1) && ((c | 32) >= 'a' &&
                                                 (c | 32) <= 'z'))
          c ^= 32;
        text[p + i] = (unsigned char)c;
      }
    }
    for (p = 0; p < len && naive == len; p++)
      for (w = 0; w < NW; w++)
        if (lit_occurs_at(&lits[w], text, len, p))
          naive = p;
    ex__prefilter_set_simd(pf, 0);
    got_plain = ex__prefilter_find(pf, text, len);
    ex__prefilter_set_simd(pf, 1);
    got_simd = ex__prefilter_find(pf, text, len);
    assert_int_equal(got_simd, got_plain);
    assert_int_equal(got_plain < len, naive < len);
    if (naive < len) {
      /* The first occurrence holds the position found (its key). */
      assert_true(got_plain >= naive);
      found_any++;
    }
  }
  assert_true(found_any > 1000);
  ex__prefilter_free(pf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_literals),
      cmocka_unit_test(test_sample),
      cmocka_unit_test(test_chunking),
      cmocka_unit_test(test_cleaning),
      cmocka_unit_test(test_long_lines),
      cmocka_unit_test(test_skipped_lines),
      cmocka_unit_test(test_context),
      cmocka_unit_test(test_context_names_from_several_lines),
      cmocka_unit_test(test_subjects_from_elsewhere),
      cmocka_unit_test(test_context_reach),
      cmocka_unit_test(test_fenced_blocks),
      cmocka_unit_test(test_quotation_leads),
      cmocka_unit_test(test_suppressors),
      cmocka_unit_test(test_ranking),
      cmocka_unit_test(test_findings_cap),
      cmocka_unit_test(test_streams_and_expand),
      cmocka_unit_test(test_catastrophic),
      cmocka_unit_test(test_prefilter_find),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
