"""Signals: forwarded to the command's whole process group exactly once,
terminal keys delivered once, job control, and the caller's ignored
signals."""
import os
import signal
import subprocess
import time
import unittest

from helpers import (EXPLAIN, PYTHON, Pty, TempDirTest, py, run, set_winsize,
                     wait_for_file)

PROGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "progs")
RECORDER = os.path.join(PROGS, "recorder.py")
TICKER = os.path.join(PROGS, "ticker.py")

FORWARDED = [signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGWINCH, signal.SIGALRM, signal.SIGCONT,
             signal.SIGTERM, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS,
             signal.SIGPIPE, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU,
             signal.SIGURG, signal.SIGRTMIN, signal.SIGRTMIN + 5,
             signal.SIGRTMAX]


def wait_for_line(path, line, timeout=10.0):
    """Waits until path has exactly this line ("child 18" must not be
    satisfied by "grandchild 18")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                if line in f.read().split("\n"):
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the line %r in %s" % (line, path))


def count(log, role, sig):
    with open(log) as f:
        return f.read().split("\n").count("%s %d" % (role, sig))


class Forwarding(TempDirTest):
    def test_each_signal_reaches_the_group_once(self):
        log = self.path("log")
        p = subprocess.Popen([EXPLAIN, PYTHON, RECORDER, log, self.tmp],
                             stdin=subprocess.DEVNULL)
        try:
            wait_for_file(self.path("ready.child"))
            for sig in FORWARDED:
                os.kill(p.pid, sig)
                for role in ("child", "grandchild"):
                    wait_for_line(log, "%s %d" % (role, sig))
            time.sleep(0.3)  # a second delivery would show up by now
            open(self.path("stop"), "w").close()
            self.assertEqual(p.wait(20), 0)
            for sig in FORWARDED:
                for role in ("child", "grandchild"):
                    self.assertEqual(count(log, role, sig), 1,
                                     "%s got signal %d" % (role, sig))
        finally:
            p.kill()
            p.wait()

    def test_signal_during_start_is_not_lost(self):
        for _ in range(20):
            p = subprocess.Popen([EXPLAIN, "sh", "-c",
                                  "trap 'exit 9' TERM; sleep 30 & wait"],
                                 stdin=subprocess.DEVNULL)
            os.kill(p.pid, signal.SIGTERM)
            try:
                rc = p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                self.fail("the SIGTERM sent at start-up was lost")
            self.assertIn(rc, (9, -signal.SIGTERM))

    def test_ignored_signals_stay_ignored_and_nothing_blocked(self):
        code = ("import signal\n"
                "f = dict(l.split(':\\t') for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)\n"
                "print(int(f['SigBlk'], 16), int(f['SigIgn'], 16) >> (signal.SIGHUP - 1) & 1,"
                " int(f['SigIgn'], 16) >> (signal.SIGTERM - 1) & 1)\n")
        r = run(py(code), preexec_fn=lambda: signal.signal(signal.SIGHUP,
                                                           signal.SIG_IGN))
        self.assertEqual(r.stdout.split(), [b"0", b"1", b"0"])
        # explain ignores it too, like the command: a SIGHUP does nothing.
        p = subprocess.Popen([EXPLAIN, "sh", "-c", "sleep 1; exit 3"],
                             preexec_fn=lambda: signal.signal(signal.SIGHUP,
                                                              signal.SIG_IGN))
        time.sleep(0.3)
        os.kill(p.pid, signal.SIGHUP)
        self.assertEqual(p.wait(10), 3)


    def test_signal_the_caller_ignored_is_not_forwarded(self):
        # nohup: the caller ignores SIGHUP. A SIGHUP sent to explain is
        # ignored there too, as it would be by the command; it must not
        # reach the command's group, where a process may have its own
        # handler (here the command itself sets one).
        code = ("import signal, sys, time\n"
                "signal.signal(signal.SIGHUP, lambda *a: print('got-hup', flush=True))\n"
                "print('ready', flush=True)\n"
                "time.sleep(1.0)\n"
                "sys.exit(3)\n")
        p = subprocess.Popen([EXPLAIN] + py(code), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE,
                             preexec_fn=lambda: signal.signal(signal.SIGHUP,
                                                              signal.SIG_IGN))
        self.assertEqual(p.stdout.readline(), b"ready\n")
        os.kill(p.pid, signal.SIGHUP)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 3, err)
        self.assertNotIn(b"got-hup", out)

    def test_sigchld_ignored_by_the_caller(self):
        # A parent that ignores SIGCHLD makes the kernel reap children by
        # itself: explain must still see its command end (it used to wait
        # forever), and the command must still find SIGCHLD ignored.
        def ignore_chld():
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        cmd = ["grep", "^SigIgn", "/proc/self/status"]
        bare = subprocess.run(cmd, stdout=subprocess.PIPE,
                              preexec_fn=ignore_chld, timeout=30)
        r = run(cmd, preexec_fn=ignore_chld, timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, bare.stdout)
        self.assertTrue(int(r.stdout.split()[1], 16)
                        >> (signal.SIGCHLD - 1) & 1)


class Terminal(TempDirTest):
    def test_ctrl_c_reaches_the_command_once(self):
        # explain is a session leader on a terminal (as in `docker run -it`
        # or a job of an interactive shell): the command owns the terminal.
        counts = self.path("ints")
        t = Pty([EXPLAIN, PYTHON, TICKER, "400", counts])
        try:
            out = t.read_until(b"tick 2")
            self.assertIn(b"ready isatty2=1 size=80x24", out)
            t.send(b"\x03")
            rc = t.wait()
            self.assertEqual(rc, -signal.SIGINT)
            time.sleep(0.2)
            with open(counts) as f:
                self.assertEqual(f.read(), "INT\n")
        finally:
            t.close()

    def test_window_size_follows_the_terminal(self):
        t = Pty([EXPLAIN, PYTHON, TICKER, "100"], rows=24, cols=80)
        try:
            t.read_until(b"ready isatty2=1 size=80x24")
            set_winsize(t.master, 30, 100)
            t.read_until(b"size=100x30", timeout=5)
        finally:
            t.close()

    def test_stderr_is_a_pipe_when_not_a_terminal(self):
        r = run(py("import os; print(os.isatty(2))"))
        self.assertEqual(r.stdout, b"False\n")

    def test_ctrl_c_in_a_script_loop(self):
        # A script without job control: Ctrl-C reaches the script too and
        # stops its loop, and the command gets it exactly once.
        counts = self.path("ints")
        script = ('for i in 1 2 3; do "$0" "$1" "$2" 400 "$3"; echo "next-$i"; '
                  'done; echo loop-end')
        t = Pty(["bash", "-c", script, EXPLAIN, PYTHON, TICKER, counts])
        try:
            t.read_until(b"tick 2")
            t.send(b"\x03")
            t.wait()
            self.assertNotIn(b"next-1", t.out)
            self.assertNotIn(b"loop-end", t.out)
            time.sleep(0.2)
            with open(counts) as f:
                self.assertEqual(f.read(), "INT\n")
        finally:
            t.close()

    def interactive_bash(self):
        env = dict(os.environ, PS1="PROMPT$ ", TERM="dumb", HISTFILE="/dev/null")
        t = Pty(["bash", "--norc", "--noprofile", "-i"], env=env, cwd=self.tmp)
        t.read_until(b"PROMPT$ ")
        return t

    def test_ctrl_c_stops_an_interactive_for_loop(self):
        t = self.interactive_bash()
        try:
            t.send(('for i in 1 2 3; do %s %s %s 400; echo "next-$i"; done; '
                    'echo loop-end\n' % (EXPLAIN, PYTHON, TICKER)).encode())
            t.read_until(b"tick 2")
            t.send(b"\x03")
            t.send(b"echo status-$?\n")
            out = t.read_until(b"status-130")
            # The typed line echoes both words; as output they start a line.
            self.assertNotIn(b"\nnext-1", out)
            self.assertNotIn(b"\nloop-end", out)
            t.send(b"exit\n")
            t.wait()
        finally:
            t.close()

    def test_ctrl_z_and_fg(self):
        t = self.interactive_bash()
        try:
            t.send(("%s %s %s 40\n" % (EXPLAIN, PYTHON, TICKER)).encode())
            t.read_until(b"tick 3")
            t.send(b"\x1a")
            t.read_until(b"Stopped")
            t.read_until(b"PROMPT$ ")
            before = t.drain(0.5)
            self.assertNotIn(b"tick 40", before)
            mark = len(t.out)
            time.sleep(0.5)
            t.drain(0.1)
            self.assertNotIn(b"tick", t.out[mark:], "the command kept running")
            t.send(b"fg\n")
            t.read_until(b"continued")
            t.read_until(b"finished")
            t.send(b"echo status-$?\n")
            t.read_until(b"status-0")
            t.send(b"exit\n")
            t.wait()
        finally:
            t.close()

    def test_background_job_reading_the_terminal(self):
        # `explain CMD &` whose command reads the terminal: the job stops
        # (tty input) as it would without explain, and `fg` lets it read.
        t = self.interactive_bash()
        try:
            t.send(("%s %s -c \"print('got', input())\" &\n" %
                    (EXPLAIN, PYTHON)).encode())
            t.read_until(b"PROMPT$ ")
            t.send(b"sleep 0.5; jobs\n")
            t.read_until(b"Stopped")
            t.send(b"fg\n")
            time.sleep(0.5)
            t.send(b"hello\n")
            t.read_until(b"got hello")
            t.send(b"echo status-$?\n")
            t.read_until(b"status-0")
            t.send(b"exit\n")
            t.wait()
        finally:
            t.close()


if __name__ == "__main__":
    unittest.main()
