"""Shared helpers for the end-to-end tests: they run the real explain binary
(EXPLAIN_BIN) on real programs in fresh temporary directories."""

import fcntl
import json
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import unittest

EXPLAIN = os.environ.get("EXPLAIN_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "explain")
EXPLAIN = os.path.abspath(EXPLAIN)
SOURCE_DIR = os.environ.get("EXPLAIN_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
PYTHON = sys.executable


def _sanitized(path):
    try:
        with open(path, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


# The binary under test is an AddressSanitizer build (tests/sanitize.sh):
# it cannot run under `ulimit -v`, and it is slower.
EXPLAIN_SANITIZED = _sanitized(EXPLAIN)


class TempDirTest(unittest.TestCase):
    """A test case with a fresh temporary directory in self.tmp."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="explain-e2e-")
        os.chmod(self.tmp, 0o755)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text, mode=0o644):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        os.chmod(p, mode)
        return p


def run(args, timeout=60, **kw):
    """Runs explain with args; returns the CompletedProcess (bytes)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([EXPLAIN] + list(args), timeout=timeout, **kw)


def py(code):
    """argv for running a Python snippet with the test's interpreter."""
    return [PYTHON, "-c", code]


def wait_for_file(path, timeout=10.0, contains=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                data = f.read()
            if contains is None or contains in data:
                return data
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    raise AssertionError("timed out waiting for %s (%r)" % (path, contains))


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Pty:
    """A process started on a new pseudo-terminal, as its session leader with
    the terminal as controlling tty (like a terminal emulator starts a
    shell)."""

    def __init__(self, argv, env=None, cwd=None, rows=24, cols=80):
        self.master, slave = pty.openpty()
        set_winsize(slave, rows, cols)

        def setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave,
                                     stderr=slave, env=env, cwd=cwd,
                                     preexec_fn=setup, close_fds=True)
        os.close(slave)
        self.out = b""

    def read_until(self, needle, timeout=10.0):
        """Reads output until needle appears; returns everything read so far.
        """
        deadline = time.monotonic() + timeout
        while needle not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; got %r" %
                                     (needle, self.out[-2000:]))
            r, _, _ = select.select([self.master], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                if needle not in self.out:
                    raise AssertionError("EOF waiting for %r; got %r" %
                                         (needle, self.out[-2000:]))
                break
            self.out += chunk
        return self.out

    def send(self, data):
        os.write(self.master, data)

    def drain(self, timeout=0.2):
        while True:
            r, _, _ = select.select([self.master], [], [], timeout)
            if not r:
                return self.out
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return self.out
            if not chunk:
                return self.out
            self.out += chunk

    def wait(self, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.drain(0.05)
            rc = self.proc.poll()
            if rc is not None:
                self.drain(0.05)
                return rc
        self.proc.kill()
        raise AssertionError("process did not end; output %r" % self.out[-2000:])

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass


def catchable_terminating_signals():
    """Signals whose default action ends the process, which explain must
    mirror by dying of the same signal."""
    names = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
             "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
             "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGXCPU",
             "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGIO", "SIGPWR", "SIGSYS"]
    sigs = [getattr(signal, n) for n in names if hasattr(signal, n)]
    sigs += list(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))
    return sigs


def have(tool):
    """1 when tool is on PATH."""
    return shutil.which(tool) is not None


def can_unshare():
    """Root with `unshare -m` working: mounts can be staged for a test."""
    if os.geteuid() != 0 or not have("unshare"):
        return False
    return subprocess.run(["unshare", "-m", "true"],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def find_cause(d, cid):
    """The cause cid of diagnosis d of a JSON report."""
    for c in d.get("causes", []):
        if c["id"] == cid:
            return c
    raise AssertionError("no cause %s in %s" %
                         (cid, json.dumps(d.get("causes"), indent=1)))


def fix_commands(d):
    """The commands of the fixes of diagnosis d (those that have one)."""
    return [f["command"] for f in d["fixes"] if f["command"]]
