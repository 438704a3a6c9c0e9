"""explain's own crash (core/selfcrash.h): a report between clear
markers, written with write(2) only, and the command's exit status still
comes out; 125 only when the command never ran."""
import os
import signal
import subprocess
import unittest

from helpers import EXPLAIN, TempDirTest

BEGIN = b"=== explain crashed ==="
END = b"=== end of explain crash report ==="


def crash_run(where, args, timeout=60, cwd=None):
    env = dict(os.environ, EXPLAIN_TEST_CRASH=where)
    return subprocess.run([EXPLAIN] + args, env=env, stdin=subprocess.DEVNULL,
                          cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


class SelfCrash(TempDirTest):
    def check_report(self, err, signame):
        self.assertIn(BEGIN, err)
        self.assertIn(END, err)
        report = err[err.index(BEGIN):err.index(END)]
        self.assertIn(signame.encode(), report)
        self.assertIn(b"backtrace:", report)
        self.assertIn(b"ex_selfcrash_test_point", report)
        self.assertIn(b"please report it", report.lower())
        return report

    def test_crash_before_the_command_exits_125(self):
        r = crash_run("start", ["sh", "-c", "touch ran; exit 3"], cwd=self.tmp)
        self.assertEqual(r.returncode, 125)
        self.check_report(r.stderr, "SIGSEGV")
        self.assertIn(b"the command had not started", r.stderr)
        self.assertFalse(os.path.exists(self.path("ran")))

    def test_crash_after_the_command_keeps_its_status(self):
        for status in (0, 3):
            r = crash_run("end", ["sh", "-c", "echo out; echo err >&2; "
                                  "exit %d" % status])
            self.assertEqual(r.returncode, status)
            self.assertEqual(r.stdout, b"out\n")
            self.assertTrue(r.stderr.startswith(b"err\n"))
            self.check_report(r.stderr, "SIGSEGV")

    def test_crash_after_a_signalled_command_dies_of_its_signal(self):
        r = crash_run("end", ["sh", "-c", "kill -TERM $$"])
        self.assertEqual(r.returncode, -signal.SIGTERM)
        self.check_report(r.stderr, "SIGSEGV")

    def test_abort_is_reported_too(self):
        r = crash_run("end-abort", ["sh", "-c", "exit 4"])
        self.assertEqual(r.returncode, 4)
        self.check_report(r.stderr, "SIGABRT")

    def test_crash_while_the_command_runs_waits_for_it(self):
        # explain crashes at the first output; the command goes on (its
        # later stderr is lost) and its status is explain's.
        r = crash_run("output", ["sh", "-c", "echo first >&2; sleep 0.3; "
                                 "touch done; exit 5"], cwd=self.tmp)
        self.assertEqual(r.returncode, 5)
        self.check_report(r.stderr, "SIGSEGV")
        self.assertIn(b"still running", r.stderr)
        self.assertTrue(os.path.exists(self.path("done")))

    def test_without_the_hook_nothing_happens(self):
        r = crash_run("", ["sh", "-c", "exit 6"])
        self.assertEqual(r.returncode, 6)
        self.assertNotIn(BEGIN, r.stderr)

    def test_stderr_closed_still_keeps_the_status(self):
        env = dict(os.environ, EXPLAIN_TEST_CRASH="end")
        r = subprocess.run([EXPLAIN, "sh", "-c", "exit 7"], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           preexec_fn=lambda: os.close(2), timeout=60)
        self.assertEqual(r.returncode, 7)


if __name__ == "__main__":
    unittest.main()
