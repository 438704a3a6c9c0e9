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


def proc_state(pid):
    """The one-letter state of pid (T: stopped), as ps -o stat shows it."""
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


class JobControlWithoutTerminal(TempDirTest):
    """kill -TSTP and kill -CONT sent to explain when none of its standard
    descriptors is a terminal: explain stops when its command stops and
    resumes it, so that whoever waits on explain sees its job stopped."""

    def command(self, code):
        # Writes its pid and its parent's (explain's) once it runs, then
        # sleeps a little and exits with code; counts its SIGCONTs in
        # "conts". One process: a shell that is starting a child with vfork
        # when the stop reaches its group cannot stop until that child runs
        # again.
        pids = self.path("pids")
        prog = self.write("job.py",
                          "import os, signal, sys, time\n"
                          "def on_cont(*a):\n"
                          "    with open(%r, 'a') as f:\n"
                          "        f.write('cont\\n')\n"
                          "signal.signal(signal.SIGCONT, on_cont)\n"
                          "with open(%r, 'w') as f:\n"
                          "    f.write('%%d %%d' %% (os.getpid(), "
                          "os.getppid()))\n"
                          "os.rename(%r, %r)\n"
                          "time.sleep(0.5)\n"
                          "sys.exit(int(sys.argv[1]))\n" %
                          (self.path("conts"), pids + ".tmp", pids + ".tmp",
                           pids))
        return [PYTHON, prog, str(code)]

    def pids(self):
        data = wait_for_file(self.path("pids"))
        child, parent = data.split()
        return int(child), int(parent)

    def test_a_waiting_parent_sees_explain_stop_and_continue(self):
        # explain in a group of its own, a child of this test's: the group
        # is not orphaned (see run_script), whatever group the test runs in.
        p = subprocess.Popen([EXPLAIN, "-q"] + self.command(7),
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, process_group=0)
        try:
            child, parent = self.pids()
            self.assertEqual(parent, p.pid)
            os.kill(p.pid, signal.SIGTSTP)
            # What a shell's wait does: the job is reported stopped, by the
            # signal that stopped it.
            deadline = time.monotonic() + 10
            while True:
                pid, st = os.waitpid(p.pid, os.WUNTRACED | os.WNOHANG)
                if pid or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            self.assertEqual(pid, p.pid, "explain did not stop")
            self.assertTrue(os.WIFSTOPPED(st))
            self.assertEqual(os.WSTOPSIG(st), signal.SIGTSTP)
            self.assertEqual(proc_state(child), "T")
            time.sleep(1.0)  # longer than the command's own sleep
            self.assertEqual(proc_state(child), "T")
            os.kill(p.pid, signal.SIGCONT)
            # Continued (unless it has ended already), then the command's
            # status is explain's.
            pid, st = os.waitpid(p.pid, os.WCONTINUED)
            if os.WIFCONTINUED(st):
                pid, st = os.waitpid(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(st)
            self.assertEqual(p.returncode, 7)
            with open(self.path("conts")) as f:
                self.assertEqual(f.read(), "cont\n",
                                 "the command was continued")
        finally:
            if p.returncode is None:
                p.kill()
                p.wait()

    def run_script(self, argv, timeout=30):
        # bash in a process group of its own, as a job of the caller's
        # session: explain's group (bash's) is then not orphaned, and stops
        # from kill take effect, as they would on the command alone.
        return subprocess.run(argv, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, process_group=0)

    def test_a_script_stops_and_continues_a_background_explain(self):
        pids = self.path("pids")
        script = ('"$@" & pid=$!\n'
                  'until [ -e %s ]; do sleep 0.01; done\n'
                  'read child parent < %s\n'
                  'kill -TSTP $pid\n'
                  'for i in $(seq 500); do\n'
                  '  [ "$(ps -o stat= -p $pid)" = T ] && break\n'
                  '  sleep 0.01\n'
                  'done\n'
                  'sleep 1\n'
                  'echo "explain=$(ps -o stat= -p $pid)"\n'
                  'echo "command=$(ps -o stat= -p $child)"\n'
                  'kill -CONT $pid\n'
                  'wait $pid\n'
                  'echo "status=$?"\n' % (pids, pids))
        r = self.run_script(["bash", "-c", script, "sh", EXPLAIN, "-q"] +
                            self.command(7))
        self.assertEqual(r.stdout.split(), [b"explain=T", b"command=T",
                                            b"status=7"], r.stderr)

    def test_a_job_control_shell_sees_the_job_stopped(self):
        # bash -m on a terminal, explain's own descriptors elsewhere: the
        # job stops, `wait` says so (128 + SIGTSTP), `jobs` lists it as
        # stopped, and the status comes after `bg` (a kill -CONT would
        # leave the job marked stopped in bash until its next SIGCHLD).
        pids = self.path("pids")
        script = ('"$@" </dev/null >/dev/null 2>&1 & pid=$!\n'
                  'until [ -e %s ]; do sleep 0.01; done\n'
                  'kill -TSTP $pid\n'
                  'wait $pid; echo "wait=$?"\n'
                  'jobs\n'
                  'bg\n'
                  'wait $pid; echo "status=$?"\n' % pids)
        t = Pty(["bash", "-m", "-c", script, "sh", EXPLAIN] +
                self.command(7), cwd=self.tmp)
        try:
            out = t.read_until(b"status=", timeout=20)
            t.wait()
            self.assertIn(b"wait=%d" % (128 + signal.SIGTSTP), out)
            self.assertRegex(out, rb"\[1\]\+ +Stopped")
            self.assertIn(b"status=7", t.out)
        finally:
            t.close()

    def test_an_interactive_shell_gets_its_prompt_back(self):
        env = dict(os.environ, PS1="PROMPT$ ", TERM="dumb",
                   HISTFILE="/dev/null")
        t = Pty(["bash", "--norc", "--noprofile", "-i"], env=env,
                cwd=self.tmp)
        try:
            t.read_until(b"PROMPT$ ")
            cmd = " ".join("'%s'" % a for a in [EXPLAIN] + self.command(7))
            t.send(("%s </dev/null >/dev/null 2>&1\n" % cmd).encode())
            _, parent = self.pids()
            mark = len(t.out)
            os.kill(parent, signal.SIGTSTP)
            t.read_until(b"Stopped")
            t.read_until(b"PROMPT$ ")
            self.assertIn(b"Stopped", t.out[mark:])
            t.send(b"fg\n")
            t.send(b"echo status-$?\n")
            t.read_until(b"status-7")
            t.send(b"exit\n")
            t.wait()
        finally:
            t.close()

    def test_in_an_orphaned_group_the_command_goes_on(self):
        # explain leads a session of its own, so its group is orphaned:
        # the kernel drops stop signals there, and without explain the
        # command would not have stopped. It is continued, and its status
        # comes as usual.
        p = subprocess.Popen([EXPLAIN, "-q"] + self.command(5),
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             start_new_session=True)
        try:
            self.pids()
            os.kill(p.pid, signal.SIGTSTP)
            self.assertEqual(p.wait(10), 5)
        finally:
            if p.returncode is None:
                p.kill()
                p.wait()


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
