"""Crashes and kills: real C programs built here crash under
explain; the report names the crashing functions and classifies the fault,
while the command's output, environment, descriptors and exit status stay
as they were."""
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import unittest

from helpers import PYTHON, TempDirTest, run

CC = shutil.which("cc") or shutil.which("gcc")
CXX = shutil.which("g++") or shutil.which("c++")

SOURCES = {
    "null": r"""
#include <stdio.h>
struct rec { int n; char *name; };
static int parse_line(struct rec *r) {
  return r->n + 1;
}
int main(int argc, char **argv) {
  struct rec *r = argc > 5 ? (struct rec *)argv : NULL;
  printf("before the crash\n");
  fflush(stdout);
  printf("%d\n", parse_line(r));
  return 0;
}
""",
    "chain": r"""
#include <stdio.h>
static int crash_here(int *p) {
  return *p + 1;
}
static int caller_fn(int *p) {
  return crash_here(p) * 2;
}
int main(int argc, char **argv) {
  (void)argv;
  printf("%d\n", caller_fn(argc > 5 ? &argc : NULL));
  return 0;
}
""",
    "overflow": r"""
#include <stdio.h>
static int recurse(int n) {
  volatile char pad[256];
  pad[0] = (char)n;
  return recurse(n + 1) + pad[0];
}
int main(void) { printf("%d\n", recurse(0)); return 0; }
""",
    "assert": r"""
#include <assert.h>
static void check_config(int port) {
  assert(port > 0 && "port must be positive");
}
int main(void) { check_config(0); return 0; }
""",
    "divide": r"""
#include <stdio.h>
static int ratio(int a, int b) { return a / b; }
int main(int argc, char **argv) {
  (void)argv;
  printf("%d\n", ratio(10, argc - 1));
  return 0;
}
""",
    "illegal": r"""
static void bad_instruction(void) { __builtin_trap(); }
int main(void) { bad_instruction(); return 0; }
""",
    "threads": r"""
#include <pthread.h>
#include <unistd.h>
static void worker_crash(int *p) { *p = 42; }
static void *worker_main(void *arg) {
  (void)arg;
  usleep(10000);
  worker_crash(NULL);
  return NULL;
}
int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, worker_main, NULL);
  pthread_join(t, NULL);
  return 0;
}
""",
    "ownhandler": r"""
#include <signal.h>
#include <string.h>
#include <unistd.h>
static void on_segv(int sig) {
  static const char m[] = "own handler ran\n";
  (void)sig;
  write(2, m, sizeof(m) - 1);
  _exit(42);
}
int main(void) {
  struct sigaction sa;
  volatile int *p = NULL;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_segv;
  sigaction(SIGSEGV, &sa, NULL);
  return *p;
}
""",
    "forkcrash": r"""
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
static void child_crash(int *p) { *p = 1; }
int main(void) {
  int st = 0;
  pid_t pid = fork();
  if (pid == 0) {
    child_crash(NULL);
    _exit(0);
  }
  waitpid(pid, &st, 0);
  printf("child signalled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));
  return 0;
}
""",
    "hog": r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  for (int i = 0; i < 4096; i++) {
    char *p = malloc(1 << 20);
    if (p == NULL) return 3;
    memset(p, 1, 1 << 20);
  }
  puts("survived");
  return 0;
}
""",
}


def crash_diag(report):
    for d in report["diagnoses"]:
        if d["id"] in ("native.crash", "proc.killed"):
            return d
    return None


class CrashBase(TempDirTest):
    def build(self, name, extra=()):
        src = self.write(name + ".c", SOURCES[name].lstrip())
        exe = self.path(name)
        subprocess.run([CC, "-g", "-O0", "-pthread", "-o", exe, src] +
                       list(extra), check=True)
        return exe

    def explain(self, argv, **kw):
        rep = self.path("report.json")
        r = run(["--report", rep, "--"] + argv, cwd=self.tmp, **kw)
        with open(rep) as f:
            return r, json.load(f)

    def frames(self, d):
        """The backtrace as "function+offset module:line" strings."""
        out = []
        for i, fr in enumerate(d["facts"]["backtrace"]):
            self.assertEqual(fr["index"], i)
            out.append("%s+%s %s %s:%s" % (fr["function"], fr["offset"],
                                           fr["module"],
                                           os.path.basename(fr["file"] or ""),
                                           fr["line"]))
        return out


@unittest.skipIf(CC is None, "no C compiler")
class CrashTest(CrashBase):
    def test_null_dereference(self):
        exe = self.build("null")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGSEGV)
        self.assertEqual(r.stdout, b"before the crash\n")
        d = crash_diag(rep)
        self.assertIsNotNone(d)
        self.assertEqual(d["facts"]["classification"],
                         "null-pointer-dereference")
        self.assertEqual(d["facts"]["signal"], "SIGSEGV")
        self.assertEqual(d["facts"]["fault_address"], "0x0")
        fr = self.frames(d)
        self.assertIn("parse_line+", fr[0])
        self.assertIn("null.c:4", fr[0])
        self.assertIn("main+", fr[1])
        # Each frame is an object with typed fields, null when unknown.
        top = d["facts"]["backtrace"][0]
        self.assertEqual((top["function"], top["line"], top["module"],
                          top["program"]), ("parse_line", 4, exe, True))
        self.assertTrue(top["file"].endswith("null.c"))
        self.assertIsInstance(top["offset"], int)
        self.assertIsInstance(top["module_offset"], int)
        self.assertRegex(top["address"], "^0x[0-9a-f]+$")
        libc = [f for f in d["facts"]["backtrace"] if not f["program"]]
        self.assertTrue(libc)
        self.assertTrue(all(f["line"] is None for f in libc
                            if "libc.so" in (f["module"] or "")))
        self.assertFalse(any(k.startswith("frame_") for k in d["facts"]))
        self.assertIn("in parse_line (null.c:4)", d["summary"])
        causes = {c["id"]: c["verdict"] for c in d["causes"]}
        self.assertEqual(causes["null-pointer-dereference"], "confirmed")
        self.assertIn("core-dump", causes)
        # The text report too, on stderr.
        r = run([exe], cwd=self.tmp)
        self.assertIn(b"read through a NULL pointer in parse_line (null.c:4)",
                      r.stderr)

    def test_stack_overflow(self):
        exe = self.build("overflow")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGSEGV)
        d = crash_diag(rep)
        self.assertEqual(d["facts"]["classification"], "stack-overflow")
        self.assertIn("recurse+", self.frames(d)[0])
        # A number of bytes (or "unlimited"), not "8192 KiB".
        self.assertIn(d["facts"]["stack_limit"], (resource.getrlimit(
            resource.RLIMIT_STACK)[0], "unlimited"))

    def test_assert(self):
        exe = self.build("assert")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGABRT)
        self.assertIn(b"Assertion", r.stderr)
        d = crash_diag(rep)
        self.assertEqual(d["facts"]["classification"], "abort")
        self.assertIn("Assertion", d["facts"]["abort_message"])
        self.assertTrue(any("check_config+" in f for f in self.frames(d)))
        self.assertIn("check_config", d["summary"])
        causes = {c["id"]: c["verdict"] for c in d["causes"]}
        self.assertEqual(causes["assertion-failed"], "confirmed")

    def test_divide_by_zero(self):
        exe = self.build("divide")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGFPE)
        d = crash_diag(rep)
        self.assertEqual(d["facts"]["classification"], "division-by-zero")
        self.assertIn("ratio+", self.frames(d)[0])

    def test_illegal_instruction(self):
        exe = self.build("illegal")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGILL)
        d = crash_diag(rep)
        self.assertEqual(d["facts"]["classification"], "deliberate-trap")
        self.assertIn("bad_instruction+", self.frames(d)[0])
        causes = {c["id"]: c["verdict"] for c in d["causes"]}
        self.assertEqual(causes["cpu-lacks-feature"], "ruled-out")

    def text_report(self, argv, *opts):
        env = dict(os.environ, EXPLAIN_HISTORY="0", LC_ALL="C.UTF-8",
                   COLUMNS="100")
        r = run(["--color", "never"] + list(opts) + ["--"] + argv,
                cwd=self.tmp, env=env)
        return r.stderr.decode()

    def test_backtrace_shown_by_default(self):
        exe = self.build("chain")
        out = self.text_report([exe])
        lines = out.splitlines()
        start = lines.index("  backtrace (main thread):")
        frames = []
        for line in lines[start + 1:]:
            if not line.startswith("    "):
                break
            frames.append(line.strip())
        # The program's own frames, innermost first, with file:line...
        self.assertEqual(frames[:3], ["#0 crash_here (chain.c:3)",
                                      "#1 caller_fn (chain.c:6)",
                                      "#2 main (chain.c:10)"])
        # ... and the C library's start-up folded into one line.
        self.assertEqual(len(frames), 4, frames)
        self.assertRegex(frames[3], r"^#3-\d+ libc\.so\.6.*\(.*"
                                    r"__libc_start_main.*\)$")
        # The answer still comes first: the confirmed cause, then the fix.
        self.assertLess(out.index("\u2714 read through a NULL pointer in "
                                  "crash_here (chain.c:3)"),
                        out.index("  fix: check the pointer"))
        self.assertLess(out.index("  fix: check the pointer"), start and
                        out.index("  backtrace (main thread):"))

    def test_every_frame_with_verbose(self):
        exe = self.build("chain")
        out = self.text_report([exe], "-v")
        frames = [l.strip() for l in out.splitlines()
                  if re.match(r"^    #\d+ ", l)]
        self.assertGreaterEqual(len(frames), 5, out)
        self.assertRegex(frames[0], r"^#0 crash_here\+0x[0-9a-f]+ \(%s\+0x"
                                    r"[0-9a-f]+\) .*chain\.c:3$"
                         % re.escape(exe))
        self.assertTrue(any("libc.so.6+0x" in f and "__libc_start_main" in f
                            for f in frames), frames)
        self.assertFalse(any(re.match(r"^#\d+-\d+ ", f) for f in frames))

    def test_deep_backtrace_is_cut_at_ten_frames(self):
        exe = self.build("overflow")
        out = self.text_report([exe])
        frames = [l for l in out.splitlines() if re.match(r"^    #\d+ ", l)]
        self.assertEqual(len(frames), 10, out)
        self.assertTrue(all("recurse (overflow.c:" in f for f in frames))
        self.assertRegex(out, r"\n    \.\.\. \d+ more frames \(-v shows "
                              r"them\)\n")

    def test_crashing_thread_is_shown(self):
        exe = self.build("threads")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGSEGV)
        d = crash_diag(rep)
        fr = self.frames(d)
        self.assertIn("worker_crash+", fr[0])
        self.assertIn("worker_main+", fr[1])
        self.assertFalse(any(f.startswith("main+") for f in fr))
        self.assertEqual(d["facts"]["backtrace_thread"], "crashing thread")
        self.assertEqual(d["facts"]["classification"],
                         "null-pointer-dereference")

    def test_own_handler_untouched(self):
        exe = self.build("ownhandler")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, 42)
        self.assertEqual(r.stderr, b"own handler ran\n")
        self.assertIsNone(crash_diag(rep))

    def test_static_binary(self):
        try:
            exe = self.build("null", ["-static"])
        except subprocess.CalledProcessError:
            self.skipTest("no static libc to link with")
        r, rep = self.explain([exe])
        self.assertEqual(r.returncode, -signal.SIGSEGV)
        self.assertEqual(r.stdout, b"before the crash\n")
        d = crash_diag(rep)
        self.assertEqual(d["facts"]["backtrace_missing"], "static binary")
        # The kernel log, when readable, may still give the faulting frame.
        self.assertIsInstance(d["facts"]["backtrace"], list)
        if os.access("/dev/kmsg", os.R_OK) and \
                "kernel_log" not in d["facts"] and \
                d["facts"]["classification"] != "segmentation-fault":
            # With the kernel log, the fault is still classified.
            self.assertEqual(d["facts"]["classification"],
                             "null-pointer-dereference")
            self.assertIn("parse_line", self.frames(d)[0])

    def test_sigsegv_sent_by_kill(self):
        r, rep = self.explain([PYTHON, "-c",
                               "import os, signal; "
                               "os.kill(os.getpid(), signal.SIGSEGV)"])
        self.assertEqual(r.returncode, -signal.SIGSEGV)
        d = crash_diag(rep)
        self.assertEqual(d["facts"]["classification"], "signal-sent")

    def test_environment_and_descriptors_unchanged(self):
        code = ("import json, os; print(json.dumps({'env': dict(os.environ),"
                " 'fds': sorted(os.listdir('/proc/self/fd'))}))")
        for preload in (None, "", "libc.so.6"):
            env = {"PATH": os.environ["PATH"], "HOME": "/nonexistent",
                   "A": "1", "LC_ALL": "C.UTF-8"}
            if preload is not None:
                env["LD_PRELOAD"] = preload
            r = run([PYTHON, "-c", code], env=env, close_fds=True)
            got = json.loads(r.stdout)
            with self.subTest(preload=preload):
                self.assertEqual(got["env"], env)
                self.assertEqual(got["fds"], ["0", "1", "2", "3"])
        self.assertEqual(os.listdir(self.tmp), [])

    @unittest.skipIf(CXX is None, "no C++ compiler")
    def test_cxx_exceptions_unaffected(self):
        src = self.write("exc.cc", '#include <cstdio>\n#include <stdexcept>\n'
                         'int main() { try { throw std::runtime_error("x"); }'
                         ' catch (const std::exception &e) { puts(e.what()); }'
                         ' return 0; }\n')
        exe = self.path("exc")
        subprocess.run([CXX, "-o", exe, src], check=True)
        r = run([exe])
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"x\n", b""))

    def test_sigkill_sender_unknown(self):
        r, rep = self.explain(["sh", "-c", "kill -KILL $$"])
        self.assertEqual(r.returncode, -signal.SIGKILL)
        d = crash_diag(rep)
        self.assertEqual(d["id"], "proc.killed")
        self.assertEqual(d["facts"]["classification"], "killed")
        causes = {c["id"]: c["verdict"] for c in d["causes"]}
        self.assertEqual(causes["sent-by-a-process"], "unknown")
        self.assertIn(causes["oom-kill"], ("ruled-out", "unknown"))

    def test_no_temporary_files_left(self):
        exe = self.build("null")
        tmpdir = self.path("t")
        os.mkdir(tmpdir)
        env = dict(os.environ, TMPDIR=tmpdir)
        run([exe], env=env, cwd=self.tmp)
        run(["true"], env=env)
        self.assertEqual(os.listdir(tmpdir), [])

    def test_forked_child_crash_leaves_nothing(self):
        # The child keeps the handler across fork (no exec), dies of its
        # SIGSEGV as it would without explain, and writes no report: the
        # command exits 0 and explain looks for no directory after that.
        exe = self.build("forkcrash")
        tmpdir = self.path("t")
        os.mkdir(tmpdir)
        env = dict(os.environ, TMPDIR=tmpdir)
        r = run([exe], env=env, cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"child signalled=1 sig=11\n")
        self.assertEqual(os.listdir(tmpdir), [])


def memory_cgroup_parent():
    """(version, directory) where a memory cgroup can be made, or None."""
    if os.geteuid() != 0:
        return None
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        with open("/sys/fs/cgroup/cgroup.subtree_control") as f:
            if "memory" in f.read().split():
                return 2, "/sys/fs/cgroup"
    if os.path.exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        return 1, "/sys/fs/cgroup/memory"
    return None


@unittest.skipIf(CC is None, "no C compiler")
class OomKill(CrashBase):
    def test_oom_kill_in_memory_cgroup(self):
        where = memory_cgroup_parent()
        if where is None:
            self.skipTest("cannot create a memory cgroup (needs root and a "
                          "writable v1 memory or v2 hierarchy with the "
                          "memory controller)")
        version, parent = where
        cg = os.path.join(parent, "explain-test-oom-%d" % os.getpid())
        try:
            os.mkdir(cg)
        except OSError as e:
            self.skipTest("cannot create a memory cgroup: %s" % e)
        try:
            limit = 64 * 1024 * 1024
            if version == 2:
                with open(os.path.join(cg, "memory.max"), "w") as f:
                    f.write(str(limit))
                try:
                    with open(os.path.join(cg, "memory.swap.max"), "w") as f:
                        f.write("0")
                except OSError:
                    pass
            else:
                with open(os.path.join(cg, "memory.limit_in_bytes"), "w") as f:
                    f.write(str(limit))
                for name, val in (("memory.memsw.limit_in_bytes", limit),
                                  ("memory.swappiness", 0)):
                    try:
                        with open(os.path.join(cg, name), "w") as f:
                            f.write(str(val))
                    except OSError:
                        pass
            exe = self.build("hog")
            procs = os.path.join(cg, "cgroup.procs")

            def enter():
                with open(procs, "w") as f:
                    f.write(str(os.getpid()))

            r, rep = self.explain([exe], preexec_fn=enter, timeout=120)
            self.assertEqual(r.returncode, -signal.SIGKILL)
            d = crash_diag(rep)
            self.assertEqual(d["id"], "proc.killed")
            self.assertEqual(d["facts"]["classification"], "oom-kill")
            self.assertEqual(d["facts"]["memory_max"], limit)
            self.assertEqual(d["facts"]["cgroup_version"], version)
            self.assertGreaterEqual(d["facts"]["oom_kill_delta"], 1)
            causes = {c["id"]: c["verdict"] for c in d["causes"]}
            self.assertEqual(causes["cgroup-oom-kill"], "confirmed")
            self.assertIn("64.0 MiB", d["summary"])
        finally:
            # Move anything left back, then remove the cgroup.
            try:
                with open(os.path.join(cg, "cgroup.procs")) as f:
                    pids = f.read().split()
                for p in pids:
                    with open(os.path.join(parent, "cgroup.procs"), "w") as f:
                        f.write(p)
            except OSError:
                pass
            try:
                os.rmdir(cg)
            except OSError:
                pass

if __name__ == "__main__":
    unittest.main()
