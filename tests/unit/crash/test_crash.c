/* Unit tests of the crash reports (platform/linux/crash): the report parser, the classification, the memory
 * cgroup reader and the ELF/DWARF lookups (on this test binary itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/crash.h"

/* A function to look up: its address, file and line are known here. */
__attribute__((noinline)) int ex_test_lookup_target(int x);
__attribute__((noinline)) int ex_test_lookup_target(int x) {
  return x * 3 + 1; /* LOOKUP-LINE */
}

static int lookup_line(void) {
  FILE *f;
  char line[512];
  int n;

  f = fopen(__FILE__, "r");
  if (f == NULL)
    return -1;
  for (n = 1; fgets(line, sizeof(line), f) != NULL; n++) {
    if (strstr(line, "/* LOOKUP-LINE */") != NULL &&
        strstr(line, "strstr") == NULL) {
      fclose(f);
      return n;
    }
  }
  fclose(f);
  return -1;
}

/* The file offset of addr in this executable, from /proc/self/maps. */
static int self_offset(uintptr_t addr, char *path, size_t size,
                       uint64_t *off) {
  FILE *f;
  char line[1024];
  unsigned long s, e, o;
  int pos;

  f = fopen("/proc/self/maps", "r");
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL) {
    pos = 0;
    if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &s, &e, &o, &pos) < 3)
      continue;
    if (addr >= s && addr < e) {
      line[strcspn(line, "\n")] = '\0';
      snprintf(path, size, "%s", line + pos);
      *off = addr - s + o;
      fclose(f);
      return 0;
    }
  }
  fclose(f);
  return -1;
}

static void test_elf_lookup_and_lines(void **state) {
  char path[1024];
  char func[128];
  char file[512];
  uint64_t off;
  uint64_t vaddr;
  uint64_t foff;
  uintptr_t a;
  int line;
  int want;

  (void)state;
  assert_int_equal(ex_test_lookup_target(1), 4);
  a = (uintptr_t)&ex_test_lookup_target + 4;
  assert_int_equal(self_offset(a, path, sizeof(path), &off), 0);
  assert_int_equal(ex_crash_elf_lookup(path, off, &vaddr, func, sizeof(func),
                                       &foff),
                   0);
  assert_string_equal(func, "ex_test_lookup_target");
  assert_int_equal(foff, 4);
  assert_int_equal(ex_crash_addr2line(path, vaddr, file, sizeof(file), &line),
                   0);
  assert_non_null(strstr(file, "test_crash.c"));
  want = lookup_line();
  /* The address 4 bytes in is in the prologue: the line of the opening. */
  assert_true(line >= want - 2 && line <= want);
}

static void test_lookup_errors(void **state) {
  char file[64];
  int line;
  uint64_t vaddr;

  (void)state;
  assert_true(ex_crash_addr2line("/nonexistent", 0, file, sizeof(file),
                                 &line) < 0);
  assert_true(ex_crash_elf_lookup("/etc/hostname", 0, &vaddr, NULL, 0,
                                  NULL) < 0);
}

static const char report_null[] =
    "explain-crash 1\n"
    "pid 100\n"
    "tid 100\n"
    "signal 11\n"
    "code 1\n"
    "addr 0x8\n"
    "pc 0x401136\n"
    "sp 0x7ffc0000f000\n"
    "err 0x4\n"
    "trapno 14\n"
    "frame 0x401136 0x7ffc0000f000 parse_line+0x1c\n"
    "frame 0x401200 0x7ffc0000f020 main+0x30\n"
    "end-frames\n"
    "maps\n"
    "00400000-00401000 r--p 00000000 08:01 1 /nonexistent/prog\n"
    "00401000-00402000 r-xp 00001000 08:01 1 /nonexistent/prog\n"
    "7ffbfff00000-7ffc00010000 rw-p 00000000 00:00 0 [stack]\n";

static void test_parse_report(void **state) {
  ex_crash_t *c;

  (void)state;
  assert_int_equal(ex_crash_new(&c), 0);
  assert_int_equal(ex_crash_parse_report(c, report_null,
                                         sizeof(report_null) - 1),
                   0);
  assert_int_equal(c->have_report, 1);
  assert_int_equal(c->signo, SIGSEGV);
  assert_int_equal(c->addr, 8);
  assert_int_equal(c->nframes, 2);
  assert_string_equal(c->frames[0].func, "parse_line");
  assert_int_equal(c->frames[0].func_off, 0x1c);
  assert_string_equal(c->frames[1].module, "/nonexistent/prog");
  assert_int_equal(c->main_thread, 1);
  assert_non_null(strstr(c->stack_map, "[stack]"));
  assert_string_equal(c->addr_map, "");
  ex_crash_free(c);

  assert_int_equal(ex_crash_new(&c), 0);
  assert_int_equal(ex_crash_parse_report(c, "garbage\n", 8), -EINVAL);
  ex_crash_free(c);
}

/* Classification through collect() on a report written to a real pid's
 * file: a child that dies of the signal. */
typedef struct class_case {
  const char *name;
  int sig;
  const char *report;
  const char *want;
} class_case_t;

static const class_case_t class_cases[] = {
    {"null", SIGSEGV,
     "explain-crash 1\npid P\ntid P\nsignal 11\ncode 1\naddr 0x0\n"
     "pc 0x1000\nsp 0x7000000\nerr 0x4\nend-frames\nmaps\n",
     "null-pointer-dereference"},
    {"stack", SIGSEGV,
     "explain-crash 1\npid P\ntid P\nsignal 11\ncode 1\naddr 0x6fffff8\n"
     "pc 0x1000\nsp 0x7000000\nerr 0x6\nend-frames\nmaps\n"
     "07000000-07800000 rw-p 00000000 00:00 0 [stack]\n",
     "stack-overflow"},
    {"rodata", SIGSEGV,
     "explain-crash 1\npid P\ntid P\nsignal 11\ncode 2\naddr 0x402010\n"
     "pc 0x1000\nsp 0x7000000\nerr 0x7\nend-frames\nmaps\n"
     "00402000-00403000 r--p 00002000 08:01 1 /bin/x\n",
     "write-to-read-only-memory"},
    {"wild", SIGSEGV,
     "explain-crash 1\npid P\ntid P\nsignal 11\ncode 1\naddr 0xdead0000\n"
     "pc 0x1000\nsp 0x7000000\nerr 0x4\nend-frames\nmaps\n",
     "unmapped-address"},
    {"gpf", SIGSEGV,
     "explain-crash 1\npid P\ntid P\nsignal 11\ncode 128\naddr 0x0\n"
     "pc 0x1000\nsp 0x7000000\nend-frames\nmaps\n",
     "non-canonical-address"},
    {"sent", SIGSEGV,
     "explain-crash 1\npid P\ntid P\nsignal 11\ncode 0\naddr 0x4d2\n"
     "sender 1234\npc 0x1000\nsp 0x7000000\nend-frames\nmaps\n",
     "signal-sent"},
    {"align", SIGBUS,
     "explain-crash 1\npid P\ntid P\nsignal 7\ncode 1\naddr 0x1001\n"
     "pc 0x1000\nsp 0x7000000\nend-frames\nmaps\n",
     "misaligned-access"},
    {"div", SIGFPE,
     "explain-crash 1\npid P\ntid P\nsignal 8\ncode 1\naddr 0x1000\n"
     "pc 0x1000\nsp 0x7000000\nend-frames\nmaps\n",
     "division-by-zero"},
    {"ud2", SIGILL,
     "explain-crash 1\npid P\ntid P\nsignal 4\ncode 2\naddr 0x1000\n"
     "pc 0x1000\nsp 0x7000000\ninsn 0f0b0000000000000000000000000000\n"
     "end-frames\nmaps\n",
     "deliberate-trap"},
    {"avx", SIGILL,
     "explain-crash 1\npid P\ntid P\nsignal 4\ncode 2\naddr 0x1000\n"
     "pc 0x1000\nsp 0x7000000\ninsn c5fd6f0000000000000000000000000000\n"
     "end-frames\nmaps\n",
     "illegal-instruction"},
    {"abort", SIGABRT,
     "explain-crash 1\npid P\ntid P\nsignal 6\ncode -6\naddr 0x0\n"
     "end-frames\nmaps\n",
     "abort"},
};

static pid_t dead_child(int sig, int *wstatus) {
  pid_t pid;

  pid = fork();
  if (pid == 0) {
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(0);
  }
  while (waitpid(pid, wstatus, 0) == -1)
    ;
  return pid;
}

static void write_report(const char *dir, pid_t pid, const char *tmpl) {
  char path[512];
  char num[16];
  const char *p;
  FILE *f;

  snprintf(path, sizeof(path), "%s/%d", dir, (int)pid);
  snprintf(num, sizeof(num), "%d", (int)pid);
  f = fopen(path, "w");
  assert_non_null(f);
  for (p = tmpl; *p; p++) {
    if (*p == 'P' && (p[-1] == ' '))
      fputs(num, f);
    else
      fputc(*p, f);
  }
  fclose(f);
}

static void test_classify(void **state) {
  const class_case_t *k;
  ex_crash_t *c;
  ex_explanation_t e;
  char *argv[] = {"/bin/true", NULL};
  int wstatus;
  pid_t pid;
  size_t i;
  size_t j;
  int found;

  (void)state;
  for (i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
    k = &class_cases[i];
    assert_int_equal(ex_crash_new(&c), 0);
    assert_int_equal(ex_crash_prepare(c, argv), 0);
    if (c->dir[0] == '\0') {
      /* The preload library is not built next to this test: use a
       * directory of our own. */
      snprintf(c->dir, sizeof(c->dir), "/tmp/explain-crash-unit-XXXXXX");
      assert_non_null(mkdtemp(c->dir));
    }
    pid = dead_child(k->sig, &wstatus);
    write_report(c->dir, pid, k->report);
    assert_int_equal(ex_crash_collect(c, pid, wstatus, NULL), 1);
    if (strcmp(ex_crash_class_name(c->cls), k->want) != 0)
      fail_msg("%s: got %s, want %s", k->name, ex_crash_class_name(c->cls),
               k->want);
    assert_string_equal(ex_crash_diag_id(c, NULL, NULL), "native.crash");
    assert_int_equal(ex_crash_explain(c, NULL, &e), 0);
    assert_non_null(e.summary);
    found = 0;
    for (j = 0; j < e.facts.count; j++) {
      if (strcmp(e.facts.items[j].key, "classification") == 0)
        found = strcmp(e.facts.items[j].str, k->want) == 0;
    }
    assert_true(found);
    /* Every cause is shown with its claim (platform/common/claims.c). */
    for (j = 0; j < e.ncauses; j++) {
      if (e.causes[j].claim == NULL)
        fail_msg("%s: cause %s has no claim", k->name, e.causes[j].id);
    }
    ex_explanation_release(&e);
    /* The directory is gone after collect. */
    assert_string_equal(c->dir, "");
    ex_crash_free(c);
  }
}

/* The crash explainer uses the class names as cause ids: each has a claim
 * (tests/e2e/test_claims.py checks the literal ids). */
static void test_class_names_have_claims(void **state) {
  const char *name;
  const char *claim;
  int cls;

  (void)state;
  for (cls = EX_CRASH_SEGV; cls <= EX_CRASH_KILLED; cls++) {
    name = ex_crash_class_name((ex_crash_class_t)cls);
    claim = ex_cause_claim(name);
    if (claim == NULL || claim[0] == '\0')
      fail_msg("the crash class %s has no claim", name);
  }
}

static void test_exit_is_not_a_crash(void **state) {
  ex_crash_t *c;
  char *argv[] = {"/bin/true", NULL};

  (void)state;
  assert_int_equal(ex_crash_new(&c), 0);
  assert_int_equal(ex_crash_prepare(c, argv), 0);
  assert_int_equal(ex_crash_collect(c, 1, 0, NULL), 0);
  assert_null(ex_crash_diag_id(c, NULL, NULL));
  ex_crash_free(c);
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[512];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_memcg_v1_v2(void **state) {
  char dir[] = "/tmp/explain-memcg-XXXXXX";
  ex_crash_memcg_t m;
  char path[512];

  (void)state;
  assert_non_null(mkdtemp(dir));
  assert_int_equal(ex_crash_read_memcg(dir, &m), -ENOENT);
  write_file(dir, "memory.limit_in_bytes", "67108864\n");
  write_file(dir, "memory.max_usage_in_bytes", "67100000\n");
  write_file(dir, "memory.usage_in_bytes", "1000\n");
  write_file(dir, "memory.oom_control",
             "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
  assert_int_equal(ex_crash_read_memcg(dir, &m), 0);
  assert_int_equal(m.version, 1);
  assert_int_equal(m.limit, 67108864);
  assert_int_equal(m.peak, 67100000);
  assert_int_equal(m.oom_kill, 3);
  write_file(dir, "memory.limit_in_bytes", "9223372036854771712\n");
  assert_int_equal(ex_crash_read_memcg(dir, &m), 0);
  assert_int_equal(m.limit, -1);

  write_file(dir, "memory.events",
             "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n");
  write_file(dir, "memory.max", "max\n");
  write_file(dir, "memory.peak", "5000\n");
  write_file(dir, "memory.current", "100\n");
  assert_int_equal(ex_crash_read_memcg(dir, &m), 0);
  assert_int_equal(m.version, 2);
  assert_int_equal(m.limit, -1);
  assert_int_equal(m.peak, 5000);
  assert_int_equal(m.oom_kill, 2);

  snprintf(path, sizeof(path), "rm -rf '%s'", dir);
  assert_int_equal(system(path), 0);
}

static void test_env_and_tail(void **state) {
  ex_crash_t *c;
  char big[EX_CRASH_TAIL + 100];

  (void)state;
  assert_int_equal(ex_crash_new(&c), 0);
  assert_null(ex_crash_env(c));
  ex_crash_feed(c, "abc", 3);
  ex_crash_feed(c, "def\n", 4);
  assert_int_equal(c->tail_len, 7);
  assert_memory_equal(c->tail, "abcdef\n", 7);
  memset(big, 'x', sizeof(big));
  big[sizeof(big) - 1] = 'y';
  ex_crash_feed(c, big, sizeof(big));
  assert_int_equal(c->tail_len, EX_CRASH_TAIL);
  assert_int_equal(c->tail[EX_CRASH_TAIL - 1], 'y');
  ex_crash_feed(c, "z", 1);
  assert_int_equal(c->tail[EX_CRASH_TAIL - 1], 'z');
  assert_int_equal(c->tail[EX_CRASH_TAIL - 2], 'y');
  ex_crash_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_elf_lookup_and_lines),
      cmocka_unit_test(test_lookup_errors),
      cmocka_unit_test(test_parse_report),
      cmocka_unit_test(test_classify),
      cmocka_unit_test(test_class_names_have_claims),
      cmocka_unit_test(test_exit_is_not_a_crash),
      cmocka_unit_test(test_memcg_v1_v2),
      cmocka_unit_test(test_env_and_tail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
