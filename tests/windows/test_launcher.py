"""explain.exe running a command under wine: the launcher's contract on
Windows (transparency, not found and not executable, console control
events, explain's own end) and the diagnosis after a failed command.

Run by tests/windows/lane.sh next to test_windows.py, with the same
environment. Some of what wine does differs from Windows, and the tests
say where:
- A wine process has a console only when it runs on a terminal: the
  console event tests run explain on a pseudo-terminal, and the command
  raises the event at its console (GenerateConsoleCtrlEvent), which
  reaches every process attached to it as a key pressed there would. A
  Ctrl-C typed at wine's console (byte 03 on the terminal) raises nothing
  under wine, so the key itself is not tested; nor is Ctrl-Break, which
  wine's GenerateConsoleCtrlEvent refuses (error 6) even without explain.
- Wine's msvcrt leaves the standard descriptors of a child in the binary
  mode libuv's spawn marks them with, where Microsoft's C runtimes (msvcrt
  and the UCRT) make an inherited standard descriptor text mode again: a
  C-runtime child that writes "\\n" under explain writes "\\r\\n" on
  Windows and "\\n" under wine. The helpers write with WriteFile.
- Wine's cmd.exe lacks the %cd:~,% expansion that keeps Windows' cmd.exe
  from expanding a %name% in a batch file's argument: the command line
  explain gives cmd.exe is compared with the escaping instead
  (helpers/batline)."""
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import threading
import time
import unittest

from test_windows import (EXE, HELPERS, TIMEOUT, WINE, Holder, WindowsCase,
                          helper, win_path, wine)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
try:
    import jsonschema
    from test_report_schema import closed
except ImportError:  # Debian: apt-get install python3-jsonschema
    jsonschema = None
SCHEMA_PATH = os.path.join(HERE, "..", "..", "docs",
                           "explain-report.schema.json")


def explain(args, cwd, **kw):
    return wine([EXE] + args, cwd, **kw)


def spawned_exit(args, cwd):
    """The whole 32-bit exit code of explain.exe ARGS, as a Windows parent
    sees it (helpers/spawnwait): a Unix parent of wine sees 8 bits."""
    r = wine([helper("spawnwait"), "wait", EXE] + args, cwd)
    lines = r.stdout.decode(errors="replace").split()
    assert len(lines) >= 2 and lines[-2] == "exit", r.stdout
    return int(lines[-1], 16)


def hexes(args):
    return [a.encode().hex() if a else "-" for a in args]


def unix_pids(marker):
    """The Unix pids of the wine processes whose command line holds
    marker, with their command lines."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if marker.encode() in cmdline.split(b"\0"):
            found[int(pid)] = cmdline
    return found


class Reader(threading.Thread):
    """Collects what a pipe delivers, as it delivers it."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.data = b""
        self.lock = threading.Lock()
        self.start()

    def run(self):
        while True:
            chunk = os.read(self.pipe.fileno(), 65536)
            if not chunk:
                return
            with self.lock:
                self.data += chunk

    def wait_for(self, needle, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if needle in self.data:
                    return True
            time.sleep(0.02)
        return False


class Transparency(WindowsCase):
    """What the command gets and what its caller sees are what they would
    be without explain."""

    def test_exit_codes_keep_all_32_bits(self):
        for code in (0, 1, 3, 255, 256, 0xC0000005):
            self.assertEqual(
                spawned_exit([helper("exitwith"), "0x%x" % code], self.dir),
                code)
        # A real access violation, not only its code.
        self.assertEqual(
            spawned_exit([helper("exitwith"), "crash"], self.dir),
            0xC0000005)

    def test_report_gives_the_whole_code_and_validates(self):
        report = os.path.join(self.dir, "r.json")
        r = explain(["-q", "--report", "r.json", helper("exitwith"),
                     "0xC0000005"], self.dir)
        self.assertEqual(r.returncode, 0x05, r.stderr)  # what Unix sees
        with open(report) as f:
            rep = json.load(f)
        self.assertEqual(rep["exit"], {"code": 3221225477, "signal": None,
                                       "core_dumped": False})
        self.assertEqual(rep["host"]["os"], "windows")
        self.assertIsNone(rep["host"]["uid"])
        self.assertEqual(rep["command"], [helper("exitwith"), "0xC0000005"])
        if jsonschema is None:
            self.skipTest("jsonschema is not installed: schema not checked")
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        for s in (schema, closed(schema)):
            errors = list(cls(s).iter_errors(rep))
            self.assertEqual(errors, [], [e.message for e in errors])

    def test_stderr_is_relayed_as_it_arrives_byte_for_byte(self):
        out_path = os.path.join(self.dir, "out.bin")
        with open(out_path, "wb") as out:
            p = subprocess.Popen([WINE, EXE, "-q", helper("stdio"), "relay"],
                                 cwd=self.dir, stdin=subprocess.PIPE,
                                 stdout=out, stderr=subprocess.PIPE)
            try:
                err = Reader(p.stderr)
                # A partial line, while the command waits: no newline, no
                # exit needed for it to come through.
                self.assertTrue(err.wait_for(b"partial", 30), err.data)
                self.assertIsNone(p.poll())
                p.stdin.write(b"go\n")
                p.stdin.close()
                self.assertEqual(p.wait(timeout=TIMEOUT), 3)
                err.join(timeout=TIMEOUT)
            finally:
                if p.poll() is None:
                    p.kill()
                p.stderr.close()
        self.assertEqual(err.data,
                         b"partial" + bytes(range(256)) + b"\r\nend\n")
        with open(out_path, "rb") as f:
            self.assertEqual(f.read(), b"out\r\n\x00\x1a\xff")

    def test_stdin_and_stdout_are_the_callers_own(self):
        src = os.path.join(self.dir, "in.txt")
        with open(src, "w") as f:
            f.write("x")
        with open(src) as stdin, open(os.path.join(self.dir, "o.txt"),
                                      "w+b") as out:
            p = subprocess.run([WINE, EXE, helper("stdio"), "handles"],
                               cwd=self.dir, stdin=stdin, stdout=out,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
            out.seek(0)
            lines = out.read().decode().split()
        self.assertEqual(p.returncode, 0, p.stderr)
        # Files, not pipes of explain's: only stderr passes through it.
        self.assertEqual(lines[:6], ["stdin", "disk", "stdout", "disk",
                                     "stderr", "pipe"])

    def test_scan_both_passes_stdout_through_and_scans_it(self):
        with open(os.path.join(self.dir, "say.cmd"), "wb") as f:
            f.write(b"@echo off\r\necho PermissionError: [Errno 13] "
                    b"Permission denied: 'out.csv'\r\nexit /b 1\r\n")
        direct = wine(["cmd", "/c", "say.cmd"], self.dir)
        r = explain(["--scan", "both", "--report", "r.json", "say"],
                    self.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"Permission denied", direct.stdout)
        self.assertEqual(r.stdout, direct.stdout)
        with open(os.path.join(self.dir, "r.json")) as f:
            rep = json.load(f)
        streams = [e["stream"] for d in rep["diagnoses"]
                   for e in d["evidence"]]
        self.assertIn("stdout", streams, rep["diagnoses"])

    def test_stdout_and_stderr_into_one_file_keep_their_order(self):
        path = os.path.join(self.dir, "both.log")
        with open(path, "wb") as f:
            p = subprocess.run([WINE, EXE, "-q", helper("stdio"),
                                "interleave"], cwd=self.dir,
                               stdin=subprocess.DEVNULL, stdout=f, stderr=f,
                               timeout=TIMEOUT)
        self.assertEqual(p.returncode, 1)
        with open(path, "rb") as f:
            got = f.read()
        want = b"".join(b"o%d\ne%d\n" % (i, i) for i in range(200))
        self.assertEqual(got, want)

    def test_arguments_reach_the_command_exactly(self):
        cases = ["plain", "a b", "", "two  spaces", "tab\there",
                 'quote"inside', '"quoted"', "back\\slash",
                 "trailing\\", "C:\\dir with space\\", "\\\\srv\\share",
                 'a\\"b', 'a\\\\"b', "\\\\", "é", "日本語", "😀 emoji",
                 "--not-an-option", "%PATH%", "&|<>^"]
        want = hexes(cases)
        env = dict(os.environ, LC_ALL="C.UTF-8")
        # The harness first: wine itself passes them intact.
        direct = wine([helper("printargs")] + cases, self.dir, env=env)
        under = explain([helper("printargs")] + cases, self.dir, env=env)
        for r in (direct, under):
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.decode().splitlines()
            self.assertEqual(lines[0].split()[1:], want)  # crt
            self.assertEqual(lines[1].split()[1:], want)  # shell


class Execution(WindowsCase):
    """Finding the command as cmd.exe does, and the shell's codes when it
    cannot run."""

    def test_not_found(self):
        r = explain(["no-such-command-here", "x"], self.dir)
        self.assertEqual(r.returncode, 127)
        self.assertIn(b"no-such-command-here: command not found "
                      b"(searched PATH=", r.stderr)

    def test_not_executable(self):
        with open(os.path.join(self.dir, "notes.txt"), "w") as f:
            f.write("a note\n")
        with open(os.path.join(self.dir, "fake.exe"), "w") as f:
            f.write("not a program\n")
        with open(os.path.join(self.dir, "tool"), "w") as f:
            f.write("#!/bin/sh\n")
        for name, why in (("notes.txt", b"not a program"),
                          ("fake.exe", b"not a valid Windows program"),
                          (".\\tool", b"not a program")):
            r = explain([name], self.dir)
            self.assertEqual(r.returncode, 126, (name, r.stderr))
            self.assertIn(why, r.stderr, name)

    def test_found_in_path_with_pathext(self):
        env = dict(os.environ, WINEPATH=win_path(HELPERS))
        r = explain(["-q", "exitwith", "7"], self.dir, env=env)
        self.assertEqual(r.returncode, 7, r.stderr)

    def test_batch_file_runs_through_cmd_without_running_its_arguments(self):
        with open(os.path.join(self.dir, "greet.cmd"), "wb") as f:
            f.write(b"@echo off\r\necho one=[%1] two=[%2]\r\nexit /b 4\r\n")
        # Found by its bare name: the current directory, then PATHEXT.
        r = explain(["-q", "greet", "a b", "x&echo INJECTED"], self.dir)
        self.assertEqual(r.returncode, 4, r.stderr)
        out = r.stdout.decode()
        self.assertIn('one=["a b"] two=["x&echo INJECTED"]', out)
        self.assertNotIn("INJECTED", out.replace('x&echo INJECTED"', ""))

    def test_batch_argument_escaping(self):
        script = "C:\\x\\a b.bat"
        cases = [
            (["plain"], '"%s" plain' % script),
            (["a b"], '"%s" "a b"' % script),
            (["x&y"], '"%s" "x&y"' % script),
            (["50%"], '"%s" "50%%%%cd:~,%%"' % script),
            (["%OS%"], '"%s" "%%%%cd:~,%%OS%%%%cd:~,%%"' % script),
            (['say "hi"'], '"%s" "say ""hi"""' % script),
            (["C:\\dir\\"], '"%s" "C:\\dir\\\\"' % script),
            ([""], '"%s" ""' % script),
            (["a!b"], '"%s" "a!b"' % script),
        ]
        for args, line in cases:
            r = wine([helper("batline"), script] + args, self.dir)
            self.assertEqual(r.stdout.decode().strip(),
                             '/e:ON /v:OFF /d /c "%s"' % line, args)
        r = wine([helper("batline"), script, "first\nsecond"], self.dir)
        self.assertEqual(r.stdout.decode().strip(), "refused")

    def test_batch_argument_with_a_line_break_is_refused(self):
        with open(os.path.join(self.dir, "greet.cmd"), "wb") as f:
            f.write(b"@echo off\r\necho [%1]\r\n")
        r = explain(["greet.cmd", "first\nsecond"], self.dir)
        self.assertEqual(r.returncode, 126)
        self.assertIn(b"line break", r.stderr)
        self.assertNotIn(b"[", r.stdout)


def run_on_console(args, cwd, timeout=TIMEOUT):
    """Runs wine ARGS on a pseudo-terminal, where wine gives its processes
    a console of their own (conhost on the terminal). Returns the wait
    status and what the console showed, its escape sequences and carriage
    returns removed."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            os.execvp(WINE, [WINE] + args)
        finally:
            os._exit(127)
    data = b""
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: every process of the terminal is gone
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
        if time.monotonic() >= end:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    # conhost moves the cursor over a blank instead of writing it.
    text = re.sub(rb"\x1b\[([0-9]*)C",
                  lambda m: b" " * int(m.group(1) or b"1"), data)
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", text).replace(b"\r", b"")
    return status, text.decode(errors="replace")


class ConsoleEvents(WindowsCase):
    """A Ctrl-C at the console reaches the command once, from the console
    itself; explain outlives it and sends nothing on."""

    def test_ctrl_c_at_the_console_reaches_the_command_once(self):
        # The command raises it at the console: every process attached
        # there gets it, explain too, as when the key is pressed. Had
        # explain died of it, its job would have ended the command before
        # it printed; had explain sent it on, the command would count more.
        marker = "ctrl-%d-console" % os.getpid()
        status, text = run_on_console(
            [EXE, "-q", helper("ctrlcount"), "raise", marker], self.dir)
        self.assertEqual(text.split(), ["ready", "events", "1"])
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_an_event_to_explain_alone_ends_neither(self):
        # Without a console, wine turns a Unix SIGINT sent to one process
        # into a CTRL_C_EVENT for that process alone: explain gets one the
        # command does not. explain stays, and the command runs to its end.
        marker = "ctrl-%d-alone" % os.getpid()
        p = subprocess.Popen([WINE, EXE, "-q", helper("ctrlcount"), "wait",
                              marker], cwd=self.dir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertEqual(p.stdout.readline().strip(), b"ready")
            pids = [k for k, v in unix_pids(marker).items()
                    if b"explain.exe" in v]
            self.assertEqual(len(pids), 1)
            os.kill(pids[0], signal.SIGINT)
            out, err = p.communicate(timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(out.decode().split(), ["events", "0"], err)
        self.assertEqual(p.returncode, 0, err)


class Lifetime(WindowsCase):
    def test_killed_explain_takes_the_command_with_it(self):
        # holdfile runs until its stdin ends: that stays open throughout.
        rd, wr = os.pipe()
        self.addCleanup(os.close, wr)
        try:
            p = subprocess.run([WINE, helper("spawnwait"), "kill", EXE,
                                helper("holdfile"), "exclusive", "held.txt"],
                               cwd=self.dir, stdin=rd, capture_output=True,
                               timeout=TIMEOUT)
        finally:
            os.close(rd)
        self.assertEqual(p.stdout.decode().split(), ["holder", "gone"],
                         p.stderr)

    def test_a_descendant_keeps_its_stderr_after_explain_ends(self):
        flag = os.path.join(self.dir, "flag.txt")
        t0 = time.monotonic()
        p = subprocess.Popen([WINE, EXE, "-q", helper("lingerer"),
                              win_path(flag)], cwd=self.dir,
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            err = Reader(p.stderr)
            self.assertEqual(p.wait(timeout=TIMEOUT), 5)
            # explain ended after its linger, before the descendant's late
            # write (2 s after the command's end).
            self.assertFalse(os.path.exists(flag))
            self.assertLess(time.monotonic() - t0, 30)
            err.join(timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
            p.stderr.close()
        self.assertEqual(err.data, b"parent done\nlate line\n")
        for _ in range(100):
            if os.path.exists(flag):
                break
            time.sleep(0.05)
        with open(flag) as f:
            self.assertEqual(f.read(), "ok")


class DiagnosisAfterRun(WindowsCase):
    """The seed case and its neighbours, with the failing command run by
    explain.exe: its output passes through, then the diagnosis."""

    def run_json(self, args, want_rc=1, env=None):
        r = explain(["--format", "json", helper("pywrite")] + args,
                    self.dir, env=env)
        self.assertEqual(r.returncode, want_rc, r.stderr)
        return json.loads(r.stdout), r.stderr.decode()

    def test_holder_named_by_pid_and_image(self):
        holder = Holder("exclusive", "out.csv", self.dir)
        self.addCleanup(holder.close)
        rep, err = self.run_json(["open", "out.csv"])
        # The command's own stderr came through first.
        self.assertIn("PermissionError: [Errno 13] Permission denied: "
                      "'out.csv'", err)
        self.assertEqual(rep["exit"]["code"], 1)
        self.assertEqual(rep["command"], [helper("pywrite"), "open",
                                          "out.csv"])
        d = rep["diagnoses"][0]
        self.assertEqual(d["id"], "python.permission-error")
        self.assert_held_by(d, holder)

        # The text report, to a person.
        r = explain(["--color", "never", helper("pywrite"), "open",
                     "out.csv"], self.dir)
        self.assertEqual(r.returncode, 1)
        prose = " ".join(r.stderr.decode().split())
        self.assertIn("is open in holdfile.exe (pid %d," % holder.pid, prose)
        self.assertIn("taskkill /PID %d" % holder.pid, prose)

    def test_github_annotation_and_summary(self):
        holder = Holder("nodelete", "data.csv", self.dir)
        self.addCleanup(holder.close)
        summary = os.path.join(self.dir, "summary.md")
        env = dict(os.environ, GITHUB_ACTIONS="true",
                   GITHUB_STEP_SUMMARY=win_path(summary))
        r = explain([helper("pywrite"), "remove", "data.csv"], self.dir,
                    env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"::error", r.stdout)
        self.assertIn(b"holdfile.exe", r.stdout)
        with open(summary, "rb") as f:
            self.assertIn(b"holdfile.exe", f.read())

    def test_read_only_attribute(self):
        path = os.path.join(self.dir, "pack.idx")
        with open(path, "w") as f:
            f.write("x")
        os.chmod(path, 0o444)  # wine shows a file without w as read-only
        self.addCleanup(os.chmod, path, 0o644)
        rep, err = self.run_json(["remove", "pack.idx"])
        self.assertIn("[WinError 5] Access is denied", err)
        d = rep["diagnoses"][0]
        self.assertEqual(self.cause(d, "read-only-attribute")["verdict"],
                         "confirmed")

    def test_directory_opened_as_a_file(self):
        os.mkdir(os.path.join(self.dir, "reports"))
        rep, err = self.run_json(["open", "reports"])
        d = rep["diagnoses"][0]
        self.assertEqual(self.cause(d, "is-directory")["verdict"],
                         "confirmed")
        self.assertIn("is a directory", d["summary"])


if __name__ == "__main__":
    unittest.main()
