/* Unit tests of the tools explainers (tools/tool_*.c) and the context
 * facts: each builds a small real scenario in a temporary directory and
 * calls ex_explain() on the event the matcher would produce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform/probe.h"

static char tmp[512];
static char saved_home[1024];

/* ---------------------------------------------------------------------- */
/* Scenario helpers                                                        */

static void path_of(char *out, size_t size, const char *rel) {
  snprintf(out, size, "%s/%s", tmp, rel);
}

static void mkdirs(const char *rel) {
  char p[1024];
  char *s;

  path_of(p, sizeof(p), rel);
  for (s = p + strlen(tmp) + 1; (s = strchr(s, '/')) != NULL; s++) {
    *s = '\0';
    (void)mkdir(p, 0755);
    *s = '/';
  }
  (void)mkdir(p, 0755);
}

static void put(const char *rel, const char *text) {
  char p[1024];
  FILE *f;

  path_of(p, sizeof(p), rel);
  f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int rm_rf(const char *dir) {
  char cmd[1100];

  /* Test scaffolding only; the explainers never run programs. */
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd);
}

static int setup(void **state) {
  (void)state;
  snprintf(tmp, sizeof(tmp), "/tmp/explain-probe-tools-XXXXXX");
  if (mkdtemp(tmp) == NULL)
    return -1;
  chmod(tmp, 0755);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  unsetenv("GITHUB_ACTIONS");
  unsetenv("GIT_CONFIG_NOSYSTEM");
  unsetenv("VIRTUAL_ENV");
  setenv("HOME", saved_home, 1);
  return rm_rf(tmp);
}

static void fake_proc(ex_proc_t *p, const char *exe, const char *cwd) {
  memset(p, 0, sizeof(*p));
  p->valid = 1;
  p->pid = 999999;
  ex_strlcpy(p->exe, exe, sizeof(p->exe));
  ex_strlcpy(p->cwd, cwd, sizeof(p->cwd));
  p->euid = p->ruid = p->fsuid = geteuid();
  p->egid = p->rgid = p->fsgid = getegid();
  ex_strlcpy(p->uid_map, "0 0 4294967295", sizeof(p->uid_map));
}

static void fake_host(ex_host_t *h, const char *container) {
  memset(h, 0, sizeof(*h));
  ex_strlcpy(h->os, "linux", sizeof(h->os));
  ex_strlcpy(h->arch, "x86_64", sizeof(h->arch));
  ex_strlcpy(h->container, container, sizeof(h->container));
}

static void event(ex_probe_event_t *ev, const char *rule,
                  const char *condition, const char *subject,
                  char *const *command) {
  memset(ev, 0, sizeof(*ev));
  ev->rule_id = rule;
  ev->condition = condition;
  ev->subject_value = subject;
  ev->command = command;
  ev->exit_code = 1;
}

static const ex_cause_t *cause(const ex_explanation_t *e, const char *id) {
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    if (strcmp(e->causes[i].id, id) == 0)
      return &e->causes[i];
  }
  return NULL;
}

static void assert_verdict(const ex_explanation_t *e, const char *id,
                           ex_verdict_t v) {
  const ex_cause_t *c;

  c = cause(e, id);
  if (c == NULL)
    fail_msg("no cause %s", id);
  if (c->verdict != v)
    fail_msg("cause %s is %s (%s), expected %s", id,
             ex_verdict_name(c->verdict), c->text, ex_verdict_name(v));
}

static const ex_fact_t *fact(const ex_facts_t *f, const char *key) {
  size_t i;

  for (i = 0; i < f->count; i++) {
    if (strcmp(f->items[i].key, key) == 0)
      return &f->items[i];
  }
  return NULL;
}

/* 1 when some fix command contains needle. */
static int fix_has(const ex_explanation_t *e, const char *needle) {
  size_t i;

  for (i = 0; i < e->nfixes; i++) {
    if (e->fixes[i].command != NULL && strstr(e->fixes[i].command, needle))
      return 1;
  }
  return 0;
}

static void dump(const ex_explanation_t *e) {
  size_t i;

  printf("  [%s] %s%s\n", e->explainer, e->summary ? e->summary : "",
         e->stale ? " (stale)" : "");
  for (i = 0; i < e->ncauses; i++)
    printf("    %s %s: %s\n", ex_verdict_name(e->causes[i].verdict),
           e->causes[i].id, e->causes[i].text);
  for (i = 0; i < e->nfixes; i++)
    printf("    fix%s: %s -- %s\n", e->fixes[i].needs_root ? " (root)" : "",
           e->fixes[i].text,
           e->fixes[i].command ? e->fixes[i].command : "(none)");
}

/* Probe time is measured by bench/probe.sh, not here: a timed assertion
 * fails on a loaded CI machine and proves nothing about speed. */
static void run(const ex_probe_event_t *ev, const ex_proc_t *p,
                const ex_host_t *h, ex_explanation_t *e) {
  assert_int_equal(ex_explain(ev, p, h, e), 1);
  dump(e);
  assert_int_equal(e->nomem, 0);
}

/* ---------------------------------------------------------------------- */
/* Python                                                                  */

static void test_py_inactive_venv(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char script[1024];
  char *cmd[] = {"/usr/bin/python3", script, NULL};

  (void)state;
  mkdirs(".venv/bin");
  mkdirs(".venv/lib/python3.11/site-packages/zzexplainmod");
  put(".venv/pyvenv.cfg", "home = /usr/bin\n"
                          "include-system-site-packages = false\n"
                          "version = 3.11.2\n");
  put(".venv/lib/python3.11/site-packages/zzexplainmod/__init__.py", "");
  put("app.py", "import zzexplainmod\n");
  path_of(script, sizeof(script), "app.py");
  fake_proc(&p, "/usr/bin/python3.11", tmp);
  fake_host(&h, "");
  event(&ev, "python.module-not-found", "module-not-found", "zzexplainmod",
        cmd);
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "python-module-not-found");
  assert_int_equal(e.stale, 0);
  assert_verdict(&e, "venv-inactive", EX_VERDICT_CONFIRMED);
  assert_int_equal(fact(&cause(&e, "venv-inactive")->facts,
                        "venv_has_module")->num, 1);
  assert_verdict(&e, "other-interpreter", EX_VERDICT_RULED_OUT);
  assert_true(fix_has(&e, "/.venv/bin/python"));
  assert_true(fix_has(&e, "app.py"));
  ex_explanation_release(&e);

  /* Run with the venv's own python: not inactive, and the module is there
   * now, so the error is stale. */
  {
    char vpy[1024];
    char *cmd2[] = {vpy, script, NULL};

    path_of(vpy, sizeof(vpy), ".venv/bin/python");
    (void)symlink("/usr/bin/python3", vpy);
    event(&ev, "python.module-not-found", "module-not-found", "zzexplainmod",
          cmd2);
    run(&ev, &p, &h, &e);
    assert_int_equal(e.stale, 1);
    assert_verdict(&e, "venv-inactive", EX_VERDICT_RULED_OUT);
    ex_explanation_release(&e);
  }
}

static void test_py_local_package_and_shadowing(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char script[1024];
  char *cmd[] = {"/usr/bin/python3", script, NULL};

  (void)state;
  mkdirs("src");
  mkdirs("zzlocalpkg");
  put("zzlocalpkg/__init__.py", "");
  put("src/main.py", "import zzlocalpkg\n");
  put("src/zzshadow.py", "");
  path_of(script, sizeof(script), "src/main.py");
  fake_proc(&p, "/usr/bin/python3.11", tmp);
  fake_host(&h, "");
  event(&ev, "python.module-not-found", "module-not-found", "zzlocalpkg",
        cmd);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "local-package", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "venv-inactive", EX_VERDICT_RULED_OUT);
  assert_true(fix_has(&e, "PYTHONPATH="));
  ex_explanation_release(&e);

  event(&ev, "python.module-not-found", "module-not-found", "zzshadow.sub",
        cmd);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "shadowing", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);

  event(&ev, "python.module-not-found", "module-not-found", "cv2", cmd);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "dist-name", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);
}

static void test_pip_externally_managed(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char *cmd[] = {"/usr/bin/python3", "-m", "pip", "install", "requests",
                 NULL};

  (void)state;
  if (access("/usr/lib/python3.11/EXTERNALLY-MANAGED", F_OK) != 0 ||
      access("/usr/bin/python3.11", X_OK) != 0)
    skip();
  fake_proc(&p, "/usr/bin/python3.11", tmp);
  fake_host(&h, "docker");
  event(&ev, "python.pip-externally-managed", "externally-managed", "",
        cmd);
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "pip-externally-managed");
  assert_verdict(&e, "no-venv", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "venv-inactive", EX_VERDICT_RULED_OUT);
  assert_verdict(&e, "ci-image", EX_VERDICT_CONFIRMED);
  assert_true(fix_has(&e, "-m venv .venv && .venv/bin/python -m pip "
                          "install requests"));
  assert_true(fix_has(&e, "--break-system-packages requests"));
  ex_explanation_release(&e);

  /* With a venv in the project: use it first. */
  mkdirs(".venv/bin");
  put(".venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n");
  fake_host(&h, "");
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "venv-inactive", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "ci-image",
                 getenv("CI") ? EX_VERDICT_CONFIRMED : EX_VERDICT_RULED_OUT);
  assert_true(fix_has(&e, "/.venv/bin/python -m pip install requests"));
  assert_false(fix_has(&e, "--break-system-packages"));
  ex_explanation_release(&e);
}

/* ---------------------------------------------------------------------- */
/* git                                                                     */

static void test_git_dubious_ownership(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char repo[1024];
  char home[1024];
  char cfg[2200];
  char *cmd[] = {"git", "status", NULL};

  (void)state;
  if (geteuid() != 0)
    skip();
  mkdirs("repo/.git");
  mkdirs("home");
  path_of(repo, sizeof(repo), "repo");
  path_of(home, sizeof(home), "home");
  assert_int_equal(chown(repo, 12345, 12345), 0);
  setenv("HOME", home, 1);
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  fake_proc(&p, "/usr/bin/git", repo);
  fake_host(&h, "docker");
  event(&ev, "git.dubious-ownership", "dubious-ownership", repo, cmd);
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "git-dubious-ownership");
  assert_int_equal(e.stale, 0);
  assert_verdict(&e, "owner-mismatch", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "no-exception", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "ci-container", EX_VERDICT_CONFIRMED);
  assert_int_equal(fact(&e.facts, "owner_uid")->num, 12345);
  assert_true(fix_has(&e, "git config --global --add safe.directory "));
  assert_true(fix_has(&e, "chown -R 0:0 -- "));
  ex_explanation_release(&e);

  /* The exception exists now: stale. */
  snprintf(cfg, sizeof(cfg), "[user]\n\tname = x\n[safe]\n\tdirectory = %s\n",
           repo);
  put("home/.gitconfig", cfg);
  run(&ev, &p, &h, &e);
  assert_int_equal(e.stale, 1);
  assert_verdict(&e, "no-exception", EX_VERDICT_RULED_OUT);
  ex_explanation_release(&e);

  /* "*" covers everything; an empty value resets the list. */
  put("home/.gitconfig", "[safe]\n\tdirectory = *\n\tdirectory =\n");
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "no-exception", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);
  unsetenv("GIT_CONFIG_NOSYSTEM");
}

static void test_git_index_lock(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char lock[1024];
  char repo[1024];
  char *cmd[] = {"git", "commit", "-m", "x", NULL};

  (void)state;
  mkdirs("repo/.git");
  put("repo/.git/index.lock", "");
  path_of(lock, sizeof(lock), "repo/.git/index.lock");
  path_of(repo, sizeof(repo), "repo");
  fake_proc(&p, "/usr/bin/git", repo);
  fake_host(&h, "");
  event(&ev, "git.index-lock", NULL, lock, cmd);
  ev.errno_name = "EEXIST";
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "git-lock-file");
  assert_int_equal(e.stale, 0);
  assert_verdict(&e, "running", EX_VERDICT_RULED_OUT);
  assert_verdict(&e, "crashed", EX_VERDICT_CONFIRMED);
  assert_true(fix_has(&e, "rm -f -- "));
  assert_non_null(fact(&e.facts, "lock_age_seconds"));
  ex_explanation_release(&e);

  unlink(lock);
  run(&ev, &p, &h, &e);
  assert_int_equal(e.stale, 1);
  assert_verdict(&e, "crashed", EX_VERDICT_RULED_OUT);
  assert_int_equal(e.nfixes, 0);
  ex_explanation_release(&e);
}

/* ---------------------------------------------------------------------- */
/* Node                                                                    */

static void test_node_module_not_found(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char proj[1024];
  char *cmd[] = {"node", "index.js", NULL};

  (void)state;
  mkdirs("proj");
  put("proj/package.json",
      "{\n  \"name\": \"x\",\n  \"dependencies\": {\n"
      "    \"zz-left-pad\": \"^1.0.0\"\n  }\n}\n");
  put("proj/package-lock.json", "{}\n");
  path_of(proj, sizeof(proj), "proj");
  fake_proc(&p, "/usr/bin/node", proj);
  fake_host(&h, "");
  event(&ev, "node.module-not-found", "module-not-found", "zz-left-pad",
        cmd);
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "node-module-not-found");
  assert_verdict(&e, "not-installed", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "not-declared", EX_VERDICT_RULED_OUT);
  assert_true(fix_has(&e, "&& npm ci"));
  ex_explanation_release(&e);

  event(&ev, "node.module-not-found", "module-not-found", "zz-undeclared",
        cmd);
  mkdirs("proj/node_modules");
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "not-installed", EX_VERDICT_RULED_OUT);
  assert_verdict(&e, "not-declared", EX_VERDICT_CONFIRMED);
  assert_true(fix_has(&e, "npm install zz-undeclared"));
  ex_explanation_release(&e);

  /* Installed since: stale. */
  mkdirs("proj/node_modules/zz-left-pad");
  event(&ev, "node.module-not-found", "module-not-found", "zz-left-pad/x",
        cmd);
  run(&ev, &p, &h, &e);
  assert_int_equal(e.stale, 1);
  ex_explanation_release(&e);

  /* A relative import whose case differs. */
  put("proj/Utils.js", "");
  event(&ev, "node.module-not-found", "module-not-found", "./utils", cmd);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "relative-path", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);
}

/* ---------------------------------------------------------------------- */
/* C toolchain                                                             */

static void test_cc_header(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char *cmd[] = {"gcc", "-c", "x.c", NULL};

  (void)state;
  fake_proc(&p, "/usr/bin/gcc", tmp);
  fake_host(&h, "");
  event(&ev, "cc.header-not-found", "header-not-found",
        "zz_explain_nowhere.h", cmd);
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "cc-header-not-found");
  assert_verdict(&e, "include-path", EX_VERDICT_RULED_OUT);
  assert_verdict(&e, "dev-package", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "source-build", EX_VERDICT_RULED_OUT);
  ex_explanation_release(&e);

  if (access("/usr/include/python3.11/Python.h", F_OK) == 0) {
    event(&ev, "cc.header-not-found", "header-not-found", "Python.h", cmd);
    run(&ev, &p, &h, &e);
    assert_verdict(&e, "include-path", EX_VERDICT_CONFIRMED);
    assert_string_equal(fact(&cause(&e, "include-path")->facts,
                             "include_dir")->str,
                        "/usr/include/python3.11");
    assert_true(fix_has(&e, "CPATH=/usr/include/python3.11"));
    ex_explanation_release(&e);
  }

  /* Present in a -I directory now: stale. */
  mkdirs("inc");
  put("inc/zz_now.h", "");
  {
    char inc[1024];
    char flag[1100];
    char *cmd2[] = {"gcc", flag, "-c", "x.c", NULL};

    path_of(inc, sizeof(inc), "inc");
    snprintf(flag, sizeof(flag), "-I%s", inc);
    event(&ev, "cc.header-not-found", "header-not-found", "zz_now.h", cmd2);
    run(&ev, &p, &h, &e);
    assert_int_equal(e.stale, 1);
    ex_explanation_release(&e);
  }
}

static void test_ld_cannot_find_lib(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char dir[1024];
  char flag[1100];
  char *cmd[] = {"gcc", "main.o", flag, "-lzzrt", NULL};

  (void)state;
  mkdirs("lib");
  put("lib/libzzrt.so.1", "");
  path_of(dir, sizeof(dir), "lib");
  snprintf(flag, sizeof(flag), "-L%s", dir);
  fake_proc(&p, "/usr/bin/gcc", tmp);
  fake_host(&h, "");
  event(&ev, "ld.cannot-find-lib", "library-not-found", "zzrt", cmd);
  run(&ev, &p, &h, &e);
  assert_string_equal(e.explainer, "ld-cannot-find-library");
  assert_verdict(&e, "dev-package", EX_VERDICT_CONFIRMED);
  assert_verdict(&e, "search-path", EX_VERDICT_RULED_OUT);
  ex_explanation_release(&e);

  put("lib/libzzrt.so", "");
  run(&ev, &p, &h, &e);
  assert_int_equal(e.stale, 1);
  ex_explanation_release(&e);

  event(&ev, "ld.cannot-find-lib", "library-not-found", "OpenSSL::Crypto",
        cmd);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "cmake-target", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);
}

static void test_ld_undefined_reference(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  char *before[] = {"cc", "-lm", "main.c", "-o", "prog", NULL};
  char *missing[] = {"cc", "main.c", "-o", "prog", NULL};
  char *after[] = {"cc", "main.c", "-o", "prog", "-lm", NULL};

  (void)state;
  fake_proc(&p, "/usr/bin/cc", tmp);
  fake_host(&h, "");
  event(&ev, "ld.undefined-reference", "undefined-symbol", "sqrt", before);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "library-order", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);

  event(&ev, "ld.undefined-reference", "undefined-symbol", "sqrt", missing);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "library-missing", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);

  event(&ev, "ld.undefined-reference", "undefined-symbol", "sqrt", after);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "library-missing", EX_VERDICT_RULED_OUT);
  assert_verdict(&e, "library-order", EX_VERDICT_RULED_OUT);
  ex_explanation_release(&e);

  put("util.c", "#include <stdio.h>\n\nint zz_helper(int x) {\n"
                "  return x;\n}\n");
  put("main.c", "int zz_helper(int x);\nint main(void) {\n"
                "  return zz_helper(0);\n}\n");
  event(&ev, "ld.undefined-reference", "undefined-symbol", "zz_helper",
        missing);
  run(&ev, &p, &h, &e);
  assert_verdict(&e, "object-missing", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&e);
}

/* ---------------------------------------------------------------------- */
/* Context                                                                 */

static void test_context_facts(void **state) {
  ex_proc_t p;
  ex_host_t h;
  ex_facts_t f;
  const ex_fact_t *x;

  (void)state;
  memset(&f, 0, sizeof(f));
  fake_proc(&p, "/bin/true", tmp);
  p.userns = 1;
  ex_strlcpy(p.uid_map, "0 100000 65536", sizeof(p.uid_map));
  fake_host(&h, "podman");
  setenv("GITHUB_ACTIONS", "true", 1);
  ex_probe_context_facts(&p, &h, &f);
  x = fact(&f, "container");
  assert_non_null(x);
  assert_string_equal(x->str, "podman");
  assert_string_equal(fact(&f, "ci")->str, "github-actions");
  assert_int_equal(fact(&f, "rootless")->num, 1);
  assert_int_equal(fact(&f, "host_uid_of_root")->num, 100000);
  assert_non_null(fact(&f, "wsl"));
  ex_facts_release(&f);

  unsetenv("GITHUB_ACTIONS");
  fake_proc(&p, "/bin/true", tmp);
  fake_host(&h, "");
  ex_probe_context_facts(&p, &h, &f);
  assert_int_equal(fact(&f, "container")->kind, EX_FACT_BOOL);
  assert_int_equal(fact(&f, "container")->num, 0);
  assert_int_equal(fact(&f, "userns")->num, 0);
  assert_null(fact(&f, "rootless"));
  ex_facts_release(&f);
}

/* Events of other families are not taken by the tools explainers. */
static void test_not_applicable(void **state) {
  ex_probe_event_t ev;
  ex_proc_t p;
  ex_host_t h;
  ex_explanation_t e;
  int rc;

  (void)state;
  fake_proc(&p, "/bin/true", tmp);
  fake_host(&h, "");
  event(&ev, "python.module-not-found", "module-not-found", NULL, NULL);
  rc = ex_explain(&ev, &p, &h, &e);
  if (rc == 1) {
    assert_true(strncmp(e.explainer, "python", 6) != 0);
    ex_explanation_release(&e);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_py_inactive_venv, setup, teardown),
      cmocka_unit_test_setup_teardown(test_py_local_package_and_shadowing,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_pip_externally_managed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_git_dubious_ownership, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_git_index_lock, setup, teardown),
      cmocka_unit_test_setup_teardown(test_node_module_not_found, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_cc_header, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ld_cannot_find_lib, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_ld_undefined_reference, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_context_facts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_applicable, setup, teardown),
  };

  /* The tests set HOME for git; keep the caller's for the others. */
  ex_strlcpy(saved_home, getenv("HOME") != NULL ? getenv("HOME") : "/",
             sizeof(saved_home));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
