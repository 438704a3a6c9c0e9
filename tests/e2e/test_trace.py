"""--trace: the failing system calls of the command and of all its
descendants, as evidence. C programs are compiled here with gcc; failures
that need an unprivileged user run as nobody (setpriv)."""
import json
import os
import shutil
import signal
import subprocess
import unittest

from helpers import EXPLAIN, PYTHON, TempDirTest, run

try:
    import jsonschema
    from test_report_schema import SCHEMA_PATH, closed
except ImportError:  # Debian: apt-get install python3-jsonschema
    jsonschema = None

ROOT = os.geteuid() == 0
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def have(prog):
    return shutil.which(prog) is not None


def ptrace_works():
    """--trace is usable here (not refused by the sandbox running the
    tests)."""
    r = run(["--trace", "true"])
    return b"--trace:" not in r.stderr


FAILED_C = r"""
#include <fcntl.h>
#include <stdio.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) { fprintf(stderr, "failed\n"); return 1; }
  return 0;
}
"""

THREAD_C = r"""
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
static const char *path;
static int ok;
static void *work(void *arg) {
  (void)arg;
  ok = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666) >= 0;
  return NULL;
}
int main(int argc, char **argv) {
  pthread_t t;
  path = argv[1];
  pthread_create(&t, NULL, work, NULL);
  pthread_join(t, NULL);
  if (!ok) { fprintf(stderr, "worker failed\n"); return 1; }
  return 0;
}
"""

FORK_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int st;
  pid_t pid = fork();
  if (pid == 0)
    _exit(open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0666) >= 0 ? 0 : 1);
  waitpid(pid, &st, 0);
  if (WEXITSTATUS(st) != 0) { fprintf(stderr, "failed\n"); return 1; }
  return 0;
}
"""

NOPTRACE_C = r"""
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
/* Runs argv[1...] with ptrace(2) failing with EPERM, as in a container
 * whose seccomp profile forbids it. */
int main(int argc, char **argv) {
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ptrace, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog p = {4, f};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p) != 0)
    return 99;
  execvp(argv[1], argv + 1);
  return 127;
}
"""


@unittest.skipUnless(have("gcc"), "needs gcc")
class TraceTest(TempDirTest):
    def setUp(self):
        super().setUp()
        if not ptrace_works():
            self.skipTest("ptrace is not allowed where the tests run")

    def compile(self, name, source, *flags):
        src = self.write(name + ".c", source)
        exe = self.path(name)
        subprocess.run(["gcc", "-o", exe, src] + list(flags), check=True)
        os.chmod(exe, 0o755)
        return exe

    def denied_dir(self):
        """A directory the test's user may not write (as root: run the
        command as nobody)."""
        d = self.path("ro")
        os.mkdir(d)
        os.chmod(d, 0o555)
        return d

    def as_user(self, argv):
        if ROOT:
            if not have("setpriv"):
                self.skipTest("needs setpriv to drop root")
            return NOBODY + argv
        return argv

    def report(self, argv, *opts, env=None):
        rep = self.path("report.json")
        full = [EXPLAIN, "--report", rep] + list(opts) + ["--"] + argv
        r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=60,
                           env=env or dict(os.environ, HOME=self.tmp),
                           cwd=self.tmp)
        with open(rep) as f:
            report = json.load(f)
        self.validate(report)
        return r, report

    def validate(self, report):
        """Every report here matches the shipped schema, and the closed one
        (no field left undocumented)."""
        if jsonschema is None:
            return
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        for s in (schema, closed(schema)):
            errors = list(cls(s).iter_errors(report))
            if errors:
                self.fail("report does not match the schema at %s: %s" %
                          ("/".join(map(str, errors[0].path)),
                           errors[0].message))

    def test_c_program_that_prints_only_failed(self):
        exe = self.compile("failed", FAILED_C)
        target = os.path.join(self.denied_dir(), "out.csv")
        r, rep = self.report(self.as_user([exe, target]), "--trace")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"failed\n", r.stderr)
        d = rep["diagnoses"][0]
        self.assertEqual(d["id"], "trace.failed-call")
        self.assertEqual(d["errno"], "EACCES")
        self.assertEqual(d["subject"], {"kind": "path", "value": target})
        sc = d["syscall"]
        self.assertEqual(sc["path"], target)
        self.assertEqual(sc["comm"], "failed")
        self.assertTrue(sc["call"].startswith('openat(AT_FDCWD, "%s", '
                                              'O_WRONLY|O_CREAT|O_TRUNC'
                                              % target), sc["call"])
        self.assertTrue(sc["call"].endswith("= -1 EACCES"), sc["call"])
        # The explainer ran on the path the message did not name.
        self.assertEqual(d["explainer"], "fs.permission")
        # And the text report shows the call as evidence.
        self.assertIn(b"call: openat(AT_FDCWD, ", r.stderr)
        self.assertIn(b"= -1 EACCES in pid %d (failed)" % sc["pid"], r.stderr)

    def test_finding_without_subject_takes_the_call(self):
        target = os.path.join(self.denied_dir(), "data.csv")
        code = ("import sys\n"
                "try:\n"
                "    open(%r, 'w')\n"
                "except OSError:\n"
                "    print('PermissionError: [Errno 13] Permission denied',"
                " file=sys.stderr)\n"
                "    sys.exit(1)\n" % target)
        script = self.write("save.py", code)
        r, rep = self.report(self.as_user([PYTHON, script]), "--trace")
        self.assertEqual(r.returncode, 1)
        d = rep["diagnoses"][0]
        self.assertEqual(d["id"], "python.permission-error")
        self.assertEqual(d["subject"]["value"], target)
        self.assertEqual(d["syscall"]["errno"], "EACCES")
        self.assertEqual(d["syscall"]["comm"], "python3"
                         if os.path.basename(PYTHON).startswith("python3")
                         else d["syscall"]["comm"])
        self.assertEqual(d["explainer"], "fs.permission")

    def test_shell_script_whose_grandchild_fails(self):
        exe = self.compile("failed", FAILED_C)
        target = os.path.join(self.denied_dir(), "out.csv")
        script = self.write("run.sh", "#!/bin/sh\nsh -c '%s %s'\nexit $?\n"
                            % (exe, target), 0o755)
        r, rep = self.report(self.as_user([script]), "--trace")
        self.assertEqual(r.returncode, 1)
        sc = rep["diagnoses"][0]["syscall"]
        self.assertEqual(sc["path"], target)
        self.assertEqual(sc["comm"], "failed")

    def test_multithreaded_program(self):
        exe = self.compile("threads", THREAD_C, "-pthread")
        target = os.path.join(self.denied_dir(), "t.csv")
        r, rep = self.report(self.as_user([exe, target]), "--trace")
        self.assertEqual(r.returncode, 1)
        sc = rep["diagnoses"][0]["syscall"]
        self.assertEqual(sc["path"], target)
        self.assertEqual(sc["errno"], "EACCES")

    def test_forking_program(self):
        exe = self.compile("forks", FORK_C)
        target = os.path.join(self.denied_dir(), "f.csv")
        r, rep = self.report(self.as_user([exe, target]), "--trace")
        self.assertEqual(r.returncode, 1)
        sc = rep["diagnoses"][0]["syscall"]
        self.assertEqual(sc["path"], target)
        self.assertEqual(sc["comm"], "forks")

    def test_relative_path_resolved_against_cwd(self):
        exe = self.compile("failed", FAILED_C)
        self.denied_dir()
        r, rep = self.report(self.as_user([exe, "ro/rel.csv"]), "--trace")
        sc = rep["diagnoses"][0]["syscall"]
        self.assertIn('"ro/rel.csv"', sc["call"])
        self.assertEqual(sc["path"], self.path("ro/rel.csv"))

    def test_path_search_enoents_are_not_reported(self):
        empty = [self.path("bin%d" % i) for i in range(3)]
        for d in empty:
            os.mkdir(d)
        env = dict(os.environ, HOME=self.tmp,
                   PATH=os.pathsep.join(empty + [os.environ["PATH"]]))
        r, rep = self.report(["env", "sh", "-c", "exit 1"], "--trace",
                             env=env)
        self.assertEqual(r.returncode, 1)
        for c in rep["trace"]["calls"]:
            self.assertNotIn(self.tmp, c["path"] or "", c)
        self.assertTrue(rep["trace"]["complete"])
        self.assertGreater(rep["trace"]["stops"], 0)

    def test_output_and_exit_status_unchanged(self):
        code = ("import sys\n"
                "for i in range(200):\n"
                "    print('out', i)\n"
                "    print('err', i, file=sys.stderr)\n"
                "sys.exit(42)\n")
        script = self.write("talk.py", code)
        bare = run(["-q", PYTHON, script])
        traced = run(["-q", "--trace", PYTHON, script])
        self.assertEqual(traced.returncode, 42)
        self.assertEqual(traced.returncode, bare.returncode)
        self.assertEqual(traced.stdout, bare.stdout)
        self.assertEqual(traced.stderr, bare.stderr)

    def test_signal_death_mirrored(self):
        r = run(["-q", "--trace", "sh", "-c", "kill -TERM $$"])
        self.assertEqual(r.returncode, -signal.SIGTERM)

    def test_env_turns_tracing_on(self):
        exe = self.compile("failed", FAILED_C)
        target = os.path.join(self.denied_dir(), "out.csv")
        env = dict(os.environ, HOME=self.tmp, EXPLAIN_TRACE="1")
        r, rep = self.report(self.as_user([exe, target]), env=env)
        self.assertEqual(rep["diagnoses"][0]["syscall"]["path"], target)

    def test_no_trace_without_option(self):
        r, rep = self.report(["sh", "-c", "exit 1"])
        self.assertNotIn("trace", rep)

    @unittest.skipUnless(have("strace"), "needs strace")
    def test_refused_when_already_traced(self):
        r = subprocess.run(["strace", "-f", "-o", "/dev/null", EXPLAIN,
                            "--trace", "sh", "-c",
                            "echo out; echo err >&2; exit 3"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, b"out\n")
        lines = r.stderr.decode().splitlines()
        self.assertEqual(lines[0],
                         "explain: --trace: the command is already traced "
                         "(explain itself is traced by pid %s); running the "
                         "command untraced" % lines[0].split("pid ")[1]
                         .split(")")[0])
        self.assertEqual(lines[1:], ["err"])

    def test_refused_when_ptrace_is_forbidden(self):
        wrapper = self.compile("noptrace", NOPTRACE_C)
        r = subprocess.run([wrapper, EXPLAIN, "--trace", "sh", "-c",
                            "echo out; echo err >&2; exit 3"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, b"out\n")
        self.assertEqual(r.stderr.decode().splitlines(), [
            "explain: --trace: ptrace is not permitted here (EPERM: a "
            "seccomp profile, or no CAP_SYS_PTRACE); running the command "
            "untraced", "err"])


if __name__ == "__main__":
    unittest.main()
