"""explain as PID 1 of a PID namespace (a container's entrypoint) and as a
subreaper: orphans reaped, the command's status never lost, signals
forwarded, death by signal turned into 128+N."""
import os
import shutil
import signal
import subprocess
import time
import unittest

from helpers import EXPLAIN, PYTHON, TempDirTest, run, wait_for_file

PROGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "progs")
ZOMBIES = os.path.join(PROGS, "zombies.py")
RECORDER = os.path.join(PROGS, "recorder.py")


def can_unshare():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


NS = ["unshare", "--pid", "--fork", "--mount-proc"]


@unittest.skipUnless(can_unshare(), "needs root and unshare(1) for a PID namespace")
class Pid1(TempDirTest):
    def test_orphans_are_reaped(self):
        # Five orphans end while the command runs; as PID 1 explain reaps
        # them at once, so the command sees no zombie.
        script = ('for i in 1 2 3 4 5; do (sleep 0.1 &); done; sleep 0.6; '
                  '"$0" "$1"; exit 3')
        r = subprocess.run(NS + [EXPLAIN, "sh", "-c", script, PYTHON, ZOMBIES],
                           stdout=subprocess.PIPE, timeout=30)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, b"0\n")

    def test_status_kept_among_many_orphans(self):
        script = 'for i in $(seq 30); do (exit 1 &); done; exit 42'
        for _ in range(5):
            r = subprocess.run(NS + [EXPLAIN, "sh", "-c", script], timeout=30)
            self.assertEqual(r.returncode, 42)

    def test_death_by_signal_becomes_128_plus_n(self):
        r = subprocess.run(NS + [EXPLAIN, "sh", "-c", "kill -TERM $$"],
                           timeout=30)
        # unshare passes on an exit code, and a death by signal as a death.
        self.assertEqual(r.returncode, 128 + signal.SIGTERM)

    def test_signals_forwarded_as_pid1(self):
        log = self.path("log")
        p = subprocess.Popen(NS + [EXPLAIN, PYTHON, RECORDER, log, self.tmp])
        try:
            wait_for_file(self.path("ready.child"))
            # explain is unshare's child: PID 1 inside, an ordinary pid here.
            with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                explain_pid = int(f.read().split()[0])
            os.kill(explain_pid, signal.SIGTERM)
            wait_for_file(log, contains=b"grandchild %d\n" % signal.SIGTERM)
            wait_for_file(log, contains=b"child %d\n" % signal.SIGTERM)
            open(self.path("stop"), "w").close()
            self.assertEqual(p.wait(20), 0)
        finally:
            p.kill()
            p.wait()

    def test_exits_when_the_command_exits(self):
        # A daemon left behind does not keep PID 1 (and the container) up.
        t0 = time.monotonic()
        r = subprocess.run(NS + [EXPLAIN, "sh", "-c",
                                 "sleep 30 >/dev/null 2>&1 & exit 0"],
                           timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertLess(time.monotonic() - t0, 5)


class Subreaper(TempDirTest):
    ORPHAN = ("import os,time\n"
              "open('pid', 'w').write(str(os.getpid()))\n"
              "time.sleep(0.3)\n"
              "open('ppid', 'w').write(str(os.getppid()))\n")


    def test_subreaper_adopts_and_reaps_orphans(self):
        p = subprocess.Popen([EXPLAIN, "--subreaper", "sh", "-c",
                              '("$0" -c "$1" &); sleep 1; '
                              'if [ -e /proc/$(cat pid) ]; then echo zombie; fi; '
                              'exit 4', PYTHON, self.ORPHAN],
                             cwd=self.tmp, stdout=subprocess.PIPE)
        out, _ = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 4)
        self.assertEqual(out, b"")
        with open(self.path("ppid")) as f:
            self.assertEqual(int(f.read()), p.pid)

    def test_without_subreaper_orphans_go_elsewhere(self):
        p = subprocess.Popen([EXPLAIN, "sh", "-c",
                              '("$0" -c "$1" &); sleep 1; exit 4',
                              PYTHON, self.ORPHAN], cwd=self.tmp)
        self.assertEqual(p.wait(30), 4)
        with open(self.path("ppid")) as f:
            self.assertNotEqual(int(f.read()), p.pid)


if __name__ == "__main__":
    unittest.main()
