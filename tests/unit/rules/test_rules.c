/* Unit tests of the rule loader, errno table, templates and search path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rules/rules.h"

/* Test JSON is written with ' for " (readability); '@' marks where the
 * diagnostic must point and is removed before loading. */
typedef struct prepared_s {
  char text[4096];
  size_t len;
  int line;
  int column;
} prepared_t;

static void prepare(const char *src, prepared_t *p) {
  int line = 1;
  int col = 1;
  size_t i;

  p->len = 0;
  p->line = 0;
  p->column = 0;
  for (i = 0; src[i] != '\0'; i++) {
    char c = src[i];
    if (c == '@') {
      p->line = line;
      p->column = col;
      continue;
    }
    if (c == '\'')
      c = '"';
    assert_true(p->len + 1 < sizeof(p->text));
    p->text[p->len++] = c;
    if (c == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  p->text[p->len] = '\0';
}

#define HEAD "{'format':'explain-rules/1','rules':[\n"
#define PATS "'patterns':['^foo (?<p>\\\\w+)']"
#define BODY "'id':'a.b','title':'t','tags':['x']," PATS ","
#define EVENT "'event':{'errno':'EACCES'}"
#define RULE "{" BODY EVENT ",'meaning':'m ${p}'}"

typedef struct bad_case_s {
  const char *name;
  const char *json;
  const char *message; /* substring of the first diagnostic */
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"syntax", HEAD RULE ",\n@]}", "JSON syntax error"},
    {"unknown key", HEAD "{" BODY EVENT ",'meaning':'m',\n@'bogus':1}]}",
     "unknown key \"bogus\" in rule"},
    {"unknown top key", "{'format':'explain-rules/1',@'rule':[],'rules':[]}",
     "unknown key \"rule\""},
    {"duplicate key", HEAD "{" BODY EVENT ",'meaning':'m',@'title':'u'}]}",
     "duplicate key \"title\""},
    {"wrong type",
     HEAD "{'id':'a.b','title':@5,'tags':['x']," PATS "," EVENT
          ",'meaning':'m'}]}",
     "\"title\" must be a string, not a number"},
    {"missing key", HEAD "@{" BODY EVENT "}]}", "missing key \"meaning\""},
    {"missing format", "@{'rules':[]}", "missing key \"format\""},
    {"bad format", "{'format':@'explain-rules/2','rules':[]}",
     "format must be \"explain-rules/1\""},
    {"bad id",
     HEAD "{'id':@'Python','title':'t','tags':['x']," PATS "," EVENT
          ",'meaning':'m'}]}",
     "must look like ecosystem.name"},
    {"duplicate id",
     HEAD RULE ",\n{'id':@'a.b','title':'t','tags':['x']," PATS "," EVENT
               ",'meaning':'m'}]}",
     "duplicate id \"a.b\" (first defined at line 2)"},
    {"bad confidence",
     HEAD "{" BODY EVENT ",'meaning':'m','confidence':@'sure'}]}",
     "confidence must be"},
    {"bad role", HEAD "{" BODY EVENT ",'meaning':'m','role':@'effect'}]}",
     "role must be"},
    {"bad operation",
     HEAD "{" BODY
          "'event':{'errno':'EACCES','operation':@'frob'},'meaning':'m'}]}",
     "unknown operation \"frob\""},
    {"bad subject kind",
     HEAD
     "{" BODY
     "'event':{'errno':'EACCES','subject':{'kind':@'thing'}},'meaning':'m'}]}",
     "unknown subject kind \"thing\""},
    {"bad errno", HEAD "{" BODY "'event':{'errno':@'EFOO'},'meaning':'m'}]}",
     "unknown errno \"EFOO\""},
    {"no errno nor condition",
     HEAD "{" BODY "'event':@{'operation':'open'},'meaning':'m'}]}",
     "event needs \"errno\" or \"condition\""},
    {"bad condition",
     HEAD "{" BODY "'event':{'condition':@'Not Found'},'meaning':'m'}]}",
     "condition \"Not Found\" must match"},
    {"invalid regex",
     HEAD
     "{'id':'a.b','title':'t','tags':['x'],'patterns':['^foo[z-@a]']," EVENT
     ",'meaning':'m'}]}",
     "invalid regex: range out of order in character class (at offset 7"},
    {"invalid regex after escapes",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'patterns':['\\\\d\\\\d "
          "foo@)']," EVENT ",'meaning':'m'}]}",
     "invalid regex: unmatched closing parenthesis (at offset 8"},
    {"no literal",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'patterns':[@'^\\\\w+: "
          "\\\\d+$']," EVENT ",'meaning':'m'}]}",
     "pattern has no required literal"},
    {"short literal",
     HEAD
     "{'id':'a.b','title':'t','tags':['x'],'patterns':[@'^ab?c\\\\d']," EVENT
     ",'meaning':'m'}]}",
     "pattern has no required literal"},
    {"branch without literal",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'patterns':[@'error: "
          "x|\\\\d+']," EVENT ",'meaning':'m'}]}",
     "pattern has no required literal"},
    {"unknown capture", HEAD "{" BODY EVENT ",'meaning':'m @${nope}'}]}",
     "template names capture \"nope\""},
    {"capture of one pattern only",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'patterns':['^foo "
          "(?<p>\\\\w+)','^bar (?<q>x)']," EVENT ",'meaning':'m @${p}'}]}",
     "template names capture \"p\""},
    {"capture in fix command",
     HEAD "{" BODY EVENT
          ",'meaning':'m','fixes':[{'text':'t','command':'ls @${path}'}]}]}",
     "template names capture \"path\""},
    {"broken template", HEAD "{" BODY EVENT ",'meaning':'m @${p'}]}",
     "without a valid"},
    {"context lines",
     HEAD "{" BODY EVENT
          ",'meaning':'m','context':{'before':{'lines':@500,'pattern':'x'}}}]}",
     "\"lines\" must be an integer from 1 to 200"},
    {"context pick",
     HEAD
     "{" BODY EVENT
     ",'meaning':'m','context':{'after':{'pattern':'x','pick':@'middle'}}}]}",
     "pick must be"},
    {"suppress where",
     HEAD "{" BODY EVENT
          ",'meaning':'m','suppress':[{'pattern':'x','where':@'later'}]}]}",
     "where must be"},
    {"tags empty",
     HEAD "{'id':'a.b','title':'t','tags':@[]," PATS "," EVENT
          ",'meaning':'m'}]}",
     "\"tags\" must be a non-empty array"},
    {"pattern object key",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'patterns':[{'regex':'^foo',@'"
          "evnt':{}}]," EVENT ",'meaning':'m'}]}",
     "unknown key \"evnt\" in pattern"},
    {"pattern override op",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'patterns':[{'regex':'^foo "
          "(?<p>x)','event':{'operation':@'frob'}}]," EVENT ",'meaning':'m'}]}",
     "unknown operation"},
    {"needs_root type",
     HEAD "{" BODY EVENT
          ",'meaning':'m','fixes':[{'text':'t','needs_root':@'yes'}]}]}",
     "\"needs_root\" must be a boolean"},
    /* Line shapes: prefixes and success lines. */
    {"prefixes type", "{'format':'explain-rules/1','rules':[],'prefixes':@{}}",
     "\"prefixes\" must be an array, not an object"},
    {"prefix level",
     "{'format':'explain-rules/1','rules':[],\n'prefixes':[{'id':'ci.ts',"
     "'pattern':'\\\\d+ ','level':@'loud'}]}",
     "level must be \"error\", \"warning\" or \"info\""},
    {"prefix matches nothing",
     "{'format':'explain-rules/1','rules':[],'prefixes':[{'id':'ci.ts',"
     "'pattern':@'\\\\d*'}]}",
     "may match an empty string"},
    {"prefix regex",
     "{'format':'explain-rules/1','rules':[],'prefixes':[{'id':'ci.ts',"
     "'pattern':'[z-@a]'}]}",
     "invalid regex: range out of order"},
    {"prefix key",
     "{'format':'explain-rules/1','rules':[],'prefixes':[{'id':'ci.ts',"
     "'pattern':'x',@'levle':'info'}]}",
     "unknown key \"levle\" in prefix"},
    {"prefix id",
     "{'format':'explain-rules/1','rules':[],'prefixes':[{'id':@'TS',"
     "'pattern':'x'}]}",
     "must look like ecosystem.name"},
    {"prefix duplicate",
     "{'format':'explain-rules/1','rules':[],'prefixes':[\n{'id':'ci.ts',"
     "'pattern':'x'},\n{'id':@'ci.ts','pattern':'y'}]}",
     "duplicate id \"ci.ts\" (first defined at line 2)"},
    {"success has no level",
     "{'format':'explain-rules/1','rules':[],'success':[{'id':'ci.ok',"
     "'pattern':'ok',@'level':'info'}]}",
     "unknown key \"level\" in success line"},
    {"success missing pattern",
     "{'format':'explain-rules/1','rules':[],'success':[@{'id':'ci.ok'}]}",
     "success line: missing key \"pattern\""},
    /* The recogniser's rule. */
    {"recogniser unknown",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'recogniser':@'magic',"
          "'meaning':'m'}]}",
     "unknown recogniser \"magic\""},
    {"recogniser and patterns",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'recogniser':'errno-phrase',"
          "@'patterns':['^foo'],'meaning':'m'}]}",
     "\"patterns\" or a \"recogniser\", not both"},
    {"recogniser and event",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'recogniser':'errno-phrase',"
          "@'event':{'errno':'EACCES'},'meaning':'m'}]}",
     "a recogniser rule has no \"event\""},
    {"recogniser capture",
     HEAD "{'id':'a.b','title':'t','tags':['x'],'recogniser':'errno-phrase',"
          "'meaning':'m ${words} @${path}'}]}",
     "template names capture \"path\""},
    {"rule without patterns",
     HEAD "@{'id':'a.b','title':'t','tags':['x']," EVENT ",'meaning':'m'}]}",
     "rule: missing key \"patterns\""},
};

/* Prefixes and success lines load beside rules, and a later file's id
 * replaces an earlier one in place; a recogniser rule has no pattern. */
static void test_shapes(void **state) {
  static const char a[] =
      "{'format':'explain-rules/1','rules':[{'id':'errno.phrase',"
      "'title':'t','tags':['x'],'recogniser':'errno-phrase',"
      "'meaning':'read ${words}: ${message} (${errno}) ${operation} "
      "${subject}'}],"
      "'prefixes':[{'id':'ci.ts','pattern':'\\\\d+ ','level':'info'},"
      "{'id':'ci.tag','pattern':'\\\\[x\\\\] '}],"
      "'success':[{'id':'ci.ok','pattern':'all good'}]}";
  static const char b[] = "{'format':'explain-rules/1','rules':[],"
                          "'prefixes':[{'id':'ci.ts','pattern':'\\\\d\\\\d ',"
                          "'level':'warning'}]}";
  prepared_t p;
  ex_ruleset_t *set = NULL;
  ex_diags_t d;
  const ex_rule_t *r;

  (void)state;
  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  prepare(a, &p);
  assert_int_equal(ex_rules_load_buffer(set, "a.json", p.text, p.len, 0, &d),
                   0);
  prepare(b, &p);
  assert_int_equal(ex_rules_load_buffer(set, "b.json", p.text, p.len, 0, &d),
                   0);
  assert_int_equal(d.count, 0);
  r = ex_ruleset_find(set, "errno.phrase");
  assert_non_null(r);
  assert_string_equal(r->recogniser, EX_RECOGNISER_ERRNO);
  assert_int_equal(r->npatterns, 0);
  assert_int_equal(ex_ruleset_prefix_count(set), 2);
  assert_string_equal(ex_ruleset_prefix(set, 0)->id, "ci.ts");
  assert_string_equal(ex_ruleset_prefix(set, 0)->pattern, "\\d\\d ");
  assert_int_equal(ex_ruleset_prefix(set, 0)->level, EX_LEVEL_WARNING);
  assert_string_equal(ex_ruleset_prefix(set, 0)->file, "b.json");
  assert_int_equal(ex_ruleset_prefix(set, 1)->level, EX_LEVEL_NONE);
  assert_int_equal(ex_ruleset_success_count(set), 1);
  assert_string_equal(ex_ruleset_success(set, 0)->pattern, "all good");
  ex_diags_release(&d);
  ex_ruleset_free(set);
}

static void test_bad_files(void **state) {
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
    const bad_case_t *c = &bad_cases[i];
    prepared_t p;
    ex_ruleset_t *set = NULL;
    ex_diags_t d;
    int rc;

    prepare(c->json, &p);
    ex_diags_init(&d);
    assert_int_equal(ex_ruleset_new(&set), 0);
    rc = ex_rules_load_buffer(set, "t.json", p.text, p.len, 0, &d);
    if (rc != -EINVAL || d.count == 0 || d.items[0].line != p.line ||
        d.items[0].column != p.column ||
        strstr(d.items[0].message, c->message) == NULL) {
      print_error("case \"%s\": rc %d, want %d:%d \"%s\"; got %zu diags\n",
                  c->name, rc, p.line, p.column, c->message, d.count);
      if (d.count > 0)
        print_error("  first: %d:%d %s\n", d.items[0].line, d.items[0].column,
                    d.items[0].message);
      fail();
    }
    assert_int_equal(ex_ruleset_count(set), 0);
    ex_diags_release(&d);
    ex_ruleset_free(set);
  }
}

/* Exact text of one diagnostic, position written out by hand. */
static void test_diag_format(void **state) {
  const char *json =
      "{\n  \"format\": \"explain-rules/1\",\n  \"rules\": 3\n}\n";
  ex_ruleset_t *set = NULL;
  ex_diags_t d;
  char line[256];

  (void)state;
  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  assert_int_equal(ex_rules_load_buffer(set, "x.json", json, strlen(json),
                                        EX_RULES_BUILTIN, &d),
                   -EINVAL);
  assert_int_equal(d.count, 1);
  ex_diag_format(&d.items[0], line, sizeof(line));
  assert_string_equal(line, "x.json:3:12: built-in rule file: \"rules\" must "
                            "be an array, not a number");
  assert_int_equal(d.items[0].builtin, 1);
  ex_diags_release(&d);
  ex_ruleset_free(set);
}

static void test_valid_file(void **state) {
  ex_ruleset_t *set = NULL;
  ex_diags_t d;
  const ex_rule_t *r;

  (void)state;
  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  assert_int_equal(
      ex_rules_load_file(set, EX_TEST_DATA_DIR "/sample.json", 0, &d), 0);
  assert_int_equal(d.count, 0);
  assert_int_equal(ex_ruleset_count(set), 3);
  r = ex_ruleset_find(set, "python.permission-error");
  assert_non_null(r);
  assert_int_equal(r->npatterns, 1);
  assert_int_equal(r->before.lines, 40);
  assert_int_equal(r->before.pick, EX_PICK_LAST);
  assert_null(r->after.pattern);
  assert_string_equal(r->event.errno_tpl, "${errno}");
  assert_string_equal(r->event.subject_kind, "path");
  assert_string_equal(r->fixes[0].command, "ls -ld -- ${path}");
  assert_int_equal(r->line, 4);
  r = ex_ruleset_find(set, "make.recipe-failed");
  assert_int_equal(r->role, EX_ROLE_FALLOUT);
  r = ex_ruleset_find(set, "shell.permission-denied");
  assert_int_equal(r->npatterns, 2);
  assert_string_equal(r->patterns[1].event.operation, "create");
  assert_null(r->patterns[0].event.operation);
  assert_int_equal(r->suppress[0].where, EX_WHERE_BEFORE);
  assert_int_equal(r->suppress[0].lines, 2);
  ex_diags_release(&d);
  ex_ruleset_free(set);
}

/* Templates may use: names of every pattern, names of a context pattern,
 * and in a pattern's own event override, that pattern's names. */
static void test_template_names_ok(void **state) {
  static const char *const good =
      HEAD "{'id':'a.b','title':'t','tags':['x'],"
           "'patterns':[{'regex':'^foo (?<p>\\\\w+) "
           "(?<only>x)','event':{'subject':{'kind':'path','value':'${only}'}}},"
           "            '^bar (?<p>\\\\w+)'],"
           "'context':{'before':{'pattern':'^in "
           "(?<file>\\\\S+)'},'after':{'pattern':'^hint: (?<hint>.+)'}},"
           "'event':{'errno':'${p}','subject':{'kind':'path','value':'${p}'}},"
           "'location':{'file':'${file}'},"
           "'meaning':'${p} ${file} ${hint} $$5 costs $5'}]}";
  prepared_t p;
  ex_ruleset_t *set = NULL;
  ex_diags_t d;
  const ex_rule_t *r;

  (void)state;
  prepare(good, &p);
  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  ex_rules_load_buffer(set, "t.json", p.text, p.len, 0, &d);
  if (d.count > 0)
    print_error("%d:%d: %s\n", d.items[0].line, d.items[0].column,
                d.items[0].message);
  assert_int_equal(d.count, 0);
  r = ex_ruleset_find(set, "a.b");
  assert_non_null(r);
  assert_int_equal(r->before.lines, 20);
  assert_int_equal(r->after.lines, 5);
  assert_int_equal(r->after.pick, EX_PICK_FIRST);
  assert_string_equal(r->patterns[0].event.subject_value, "${only}");
  assert_null(r->patterns[1].event.subject_value);
  ex_diags_release(&d);
  ex_ruleset_free(set);
}

static void test_load_path_errors(void **state) {
  ex_ruleset_t *set = NULL;
  ex_diags_t d;

  (void)state;
  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  assert_int_equal(ex_rules_load_path(set, "/nonexistent/x.json", 0, &d),
                   -ENOENT);
  assert_int_equal(ex_rules_load_dir(set, "/nonexistent", 0, &d), -ENOENT);
  assert_int_equal(d.count, 1); /* a missing directory is not reported */
  assert_int_equal(d.items[0].line, 0);
  assert_int_equal(
      ex_rules_load_path(set, EX_TEST_DATA_DIR, EX_RULES_BUILTIN, &d), 0);
  assert_int_equal(ex_ruleset_count(set), 3);
  assert_int_equal(ex_ruleset_get(set, 0)->builtin, 1);
  ex_diags_release(&d);
  ex_ruleset_free(set);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static char tmpdir[64];

static void mkrule(const char *dir, const char *file, const char *id,
                   const char *title) {
  char path[256];
  char json[1024];

  snprintf(json, sizeof(json),
           "{\"format\":\"explain-rules/1\",\"rules\":[{\"id\":\"%s\","
           "\"title\":\"%s\",\"tags\":[\"x\"],\"patterns\":[\"^foo bar\"],"
           "\"event\":{\"errno\":\"EPERM\"},\"meaning\":\"m\"}]}",
           id, title);
  snprintf(path, sizeof(path), "%s/%s", dir, file);
  write_file(path, json);
}

static void test_dirs_and_override(void **state) {
  char builtin[128];
  char user[128];
  char extra[128];
  char env[300];
  ex_rules_dirs_t dirs;
  ex_ruleset_t *set = NULL;
  ex_diags_t d;
  int rc;

  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/ex-rules-XXXXXX");
  assert_non_null(mkdtemp(tmpdir));
  snprintf(builtin, sizeof(builtin), "%s/builtin", tmpdir);
  snprintf(user, sizeof(user), "%s/xdg", tmpdir);
  mkdir(builtin, 0755);
  mkdir(user, 0755);
  snprintf(user, sizeof(user), "%s/xdg/explain", tmpdir);
  mkdir(user, 0755);
  snprintf(user, sizeof(user), "%s/xdg/explain/rules", tmpdir);
  mkdir(user, 0755);
  snprintf(extra, sizeof(extra), "%s/extra", tmpdir);
  mkdir(extra, 0755);
  mkrule(builtin, "b.json", "t.one", "builtin one");
  mkrule(builtin, "a.json", "t.two", "builtin two");
  mkrule(user, "z.json", "t.one", "user one");
  {
    char path[256];
    snprintf(path, sizeof(path), "%s/broken.json", extra);
    write_file(path, "{\"format\": \"explain-rules/1\",\n \"rules\": [}\n");
    snprintf(path, sizeof(path), "%s/notes.txt", extra);
    write_file(path, "not a rule file");
  }
  mkrule(extra, "c.json", "t.two", "extra two");

  snprintf(env, sizeof(env), "%s/xdg", tmpdir);
  setenv("XDG_CONFIG_HOME", env, 1);
  snprintf(env, sizeof(env), "%s::/nonexistent", extra);
  setenv("EXPLAIN_RULES_PATH", env, 1);
  ex_rules_dirs_init(&dirs);
  assert_int_equal(ex_rules_dirs_default(&dirs, builtin), 0);
  assert_int_equal(dirs.count, 4);
  assert_int_equal(dirs.items[0].flags, EX_RULES_BUILTIN);
  assert_string_equal(dirs.items[1].path, user);
  assert_string_equal(dirs.items[2].path, extra);
  assert_string_equal(dirs.items[3].path, "/nonexistent");

  ex_diags_init(&d);
  assert_int_equal(ex_ruleset_new(&set), 0);
  rc = ex_rules_load_dirs(set, &dirs, &d);
  assert_int_equal(rc, -EINVAL);
  assert_int_equal(d.count, 1);
  assert_int_equal(d.items[0].line, 2);
  assert_int_equal(d.items[0].column, 12);
  assert_int_equal(d.items[0].builtin, 0);
  assert_non_null(strstr(d.items[0].file, "broken.json"));
  assert_int_equal(ex_ruleset_count(set), 2);
  assert_string_equal(ex_ruleset_find(set, "t.one")->title, "user one");
  assert_string_equal(ex_ruleset_find(set, "t.two")->title, "extra two");
  /* Replaced in place: load order kept (a.json's t.two came first). */
  assert_string_equal(ex_ruleset_get(set, 0)->id, "t.two");
  ex_diags_release(&d);
  ex_ruleset_free(set);
  ex_rules_dirs_release(&dirs);

  /* Without XDG_CONFIG_HOME: ~/.config. */
  unsetenv("XDG_CONFIG_HOME");
  unsetenv("EXPLAIN_RULES_PATH");
  setenv("HOME", "/home/ana", 1);
  ex_rules_dirs_init(&dirs);
  assert_int_equal(ex_rules_dirs_default(&dirs, NULL), 0);
  assert_int_equal(dirs.count, 1);
  assert_string_equal(dirs.items[0].path, "/home/ana/.config/explain/rules");
  ex_rules_dirs_release(&dirs);

  {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
  }
}

static void test_errno(void **state) {
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
      {"13", "EACCES"},
      {"EACCES", "EACCES"},
      {"Permission denied", "EACCES"},
      {"permission denied", "EACCES"},
      {" 2 ", "ENOENT"},
      {"No such file or directory", "ENOENT"},
      {"EWOULDBLOCK", "EAGAIN"},
      {"ENOTSUP", "EOPNOTSUPP"},
      {"98", "EADDRINUSE"},
      {"Address already in use", "EADDRINUSE"},
      {"No space left on device", "ENOSPC"},
      {"Read-only file system", "EROFS"},
      {"133", "EHWPOISON"},
      {"0", NULL},
      {"41", NULL},
      {"999", NULL},
      {"EFOO", NULL},
      {"13x", NULL},
      {"", NULL},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *got = ex_errno_parse(cases[i].in);
    if (cases[i].out == NULL)
      assert_null(got);
    else
      assert_string_equal(got, cases[i].out);
  }
  assert_int_equal(ex_errno_number("EACCES"), 13);
  assert_int_equal(ex_errno_number("EDEADLOCK"), 35);
  assert_string_equal(ex_errno_name(28), "ENOSPC");
  assert_string_equal(ex_errno_message("ETXTBSY"), "Text file busy");
  assert_null(ex_errno_parse(NULL));
}

/* Template captures for the tests: name=value pairs. */
typedef struct kv_s {
  const char *name;
  const char *value;
  size_t len;
} kv_t;

static int kv_lookup(void *ud, const char *name, size_t nlen,
                     const char **value, size_t *len) {
  const kv_t *kv = ud;

  for (; kv->name != NULL; kv++) {
    if (strlen(kv->name) == nlen && memcmp(kv->name, name, nlen) == 0) {
      *value = kv->value;
      *len = kv->len ? kv->len : strlen(kv->value);
      return 1;
    }
  }
  return 0;
}

static void test_template_plain(void **state) {
  static const kv_t kv[] = {
      {"path", "/data/a b", 0}, {"n", "13", 0}, {NULL, NULL, 0}};
  static const struct {
    const char *tpl;
    int flags;
    const char *out;
  } cases[] = {
      {"open ${path} (${n})", 0, "open /data/a b (13)"},
      {"$$HOME and ${missing}.", 0, "$HOME and ."},
      /* Parentheses around a value that is not there go with it. */
      {"its time limit (${missing}).", 0, "its time limit."},
      {"the image (${missing}): the tag", 0, "the image: the tag"},
      {"(${missing}) at the start", 0, " at the start"},
      {"kept (${n}) and (x${missing})", 0, "kept (13) and (x)"},
      {"cost $5 ${ bad} ${9x", 0, "cost $5 ${ bad} ${9x"},
      {"ls -ld -- ${path}", EX_TEMPLATE_SHELL, "ls -ld -- '/data/a b'"},
      {"echo ${missing}", EX_TEMPLATE_SHELL, "echo ''"},
      {"", 0, ""},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(ex_template_expand(cases[i].tpl, kv_lookup, (void *)kv,
                                        cases[i].flags, &out, &len),
                     0);
    assert_string_equal(out, cases[i].out);
    assert_int_equal(len, strlen(cases[i].out));
    free(out);
  }
}

/* Runs `sh -c 'printf "%s\0" "$@"' sh <words>` and checks that the single
 * argument that comes back is `want` byte for byte. */
static void check_roundtrip(const char *value, size_t vlen) {
  kv_t kv[2] = {{"v", value, vlen}, {NULL, NULL, 0}};
  char *words = NULL;
  char *script = NULL;
  char got[4096];
  size_t n = 0;
  int fds[2];
  pid_t pid;
  int status;
  char want[4096];
  size_t wlen = 0;
  size_t i;

  /* NUL cannot travel in an argument: quoting drops it. */
  for (i = 0; i < vlen; i++)
    if (value[i] != '\0')
      want[wlen++] = value[i];
  assert_int_equal(ex_template_expand("printf '%s\\0' ${v}", kv_lookup, kv,
                                      EX_TEMPLATE_SHELL, &words, NULL),
                   0);
  script = words;
  assert_int_equal(pipe(fds), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl("/bin/sh", "sh", "-c", script, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  for (;;) {
    ssize_t r = read(fds[0], got + n, sizeof(got) - n);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fds[0]);
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  assert_int_equal(n, wlen + 1);
  assert_memory_equal(got, want, wlen);
  assert_int_equal(got[wlen], '\0');
  free(words);
}

static void test_template_shell_roundtrip(void **state) {
  static const char *const values[] = {
      "plain",
      "",
      "a b\tc",
      "it's",
      "''",
      "'\\''",
      "$(touch /tmp/ex-pwned) `id` $HOME ${x}",
      "line1\nline2\n",
      "-n",
      "a\"b\\c",
      "*?[a]~",
      "; rm -rf / #",
      "\xff\xfe\x80 not utf-8 \xc3\x28",
      "\x1b[31mred\x1b[0m",
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    check_roundtrip(values[i], strlen(values[i]));
  check_roundtrip("a\0b", 3);
  assert_int_equal(access("/tmp/ex-pwned", F_OK), -1);
}

static int count_refs(void *ud, const char *name, size_t len, size_t off) {
  int *n = ud;

  (void)name;
  (void)off;
  if (len > 0)
    (*n)++;
  return 0;
}

static void test_template_refs(void **state) {
  int n = 0;

  (void)state;
  assert_int_equal(ex_template_refs("${a} $${b} ${c}${d}", count_refs, &n), 0);
  assert_int_equal(n, 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_files),
      cmocka_unit_test(test_shapes),
      cmocka_unit_test(test_diag_format),
      cmocka_unit_test(test_valid_file),
      cmocka_unit_test(test_template_names_ok),
      cmocka_unit_test(test_load_path_errors),
      cmocka_unit_test(test_dirs_and_override),
      cmocka_unit_test(test_errno),
      cmocka_unit_test(test_template_plain),
      cmocka_unit_test(test_template_shell_roundtrip),
      cmocka_unit_test(test_template_refs),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
