"""explain.exe under wine: what a Windows user sees.

tests/windows/lane.sh builds explain.exe and the helper programs
(tests/windows/helpers/), makes a wine prefix of its own and runs this file
with EXPLAIN_EXE, EXPLAIN_WIN_HELPERS, WINE and WINEPREFIX set.

Wine's own messages differ from Windows' ("Sharing violation."), so the
failures are made by the helpers: holdfile keeps a file open with a given
share mode, pywrite does what a Python program does and prints what
CPython prints on Windows. Restart Manager is an empty stub under wine:
every holder found here comes from the system handle table."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

EXE = os.environ.get("EXPLAIN_EXE", "")
HELPERS = os.environ.get("EXPLAIN_WIN_HELPERS", "")
WINE = os.environ.get("WINE", "wine64")
TIMEOUT = 60


def wine(args, cwd, stdin=subprocess.DEVNULL, timeout=TIMEOUT, env=None):
    return subprocess.run([WINE] + args, cwd=cwd, stdin=stdin,
                          capture_output=True, timeout=timeout, env=env)


def helper(name):
    return os.path.join(HELPERS, name + ".exe")


def win_path(path):
    """The name wine gives a Linux path (its Z: drive is /)."""
    return "Z:" + path.replace("/", "\\")


class Holder:
    """holdfile MODE PATH, running until the test lets go of it."""

    def __init__(self, mode, path, cwd):
        self.proc = subprocess.Popen([WINE, helper("holdfile"), mode, path],
                                     cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "holding":
            self.close()
            raise AssertionError("holdfile did not start: %r" % line)
        self.pid = int(line[1])

    def close(self):
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)
        self.proc.stdout.close()


class WindowsCase(unittest.TestCase):
    def setUp(self):
        if not EXE:
            self.skipTest("EXPLAIN_EXE is not set (run tests/windows/lane.sh)")
        self.dir = tempfile.mkdtemp(prefix="explain-win-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def fail_log(self, op, path, want_rc=1):
        """Runs pywrite OP PATH and keeps its stderr as a log file."""
        r = wine([helper("pywrite"), op, path], self.dir)
        self.assertEqual(r.returncode, want_rc, r.stderr)
        log = os.path.join(self.dir, "err.log")
        with open(log, "wb") as f:
            f.write(r.stderr)
        return log, r.stderr.decode()

    def explain_json(self, log):
        r = wine([EXE, "--log", os.path.basename(log), "--format", "json"],
                 self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)["diagnoses"][0]

    def explain_text(self, log):
        r = wine([EXE, "--log", os.path.basename(log), "--color", "never"],
                 self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stderr.decode()

    def assert_held_by(self, diag, holder):
        """The cause of diag that names holder (a holdfile) by pid, image
        name and path, confirmed; returns it."""
        c = self.cause(diag, "file-held-open")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["holder_pid"], holder.pid)
        self.assertEqual(c["facts"]["holder_name"], "holdfile.exe")
        self.assertTrue(c["facts"]["holder_image"].lower().endswith(
            "\\helpers\\holdfile.exe"), c["facts"])
        return c

    @staticmethod
    def cause(diag, cause_id):
        for c in diag["causes"]:
            if c["id"] == cause_id:
                return c
        raise AssertionError("no cause %s in %r" % (cause_id, diag))


class HolderNamed(WindowsCase):
    """The seed case: PermissionError [Errno 13] on a file another program
    has open. explain names the program by pid and image."""

    def test_open_of_a_file_held_with_share_mode_0(self):
        holder = Holder("exclusive", "out.csv", self.dir)
        self.addCleanup(holder.close)
        log, text = self.fail_log("open", "out.csv")
        self.assertIn("PermissionError: [Errno 13] Permission denied: "
                      "'out.csv'", text)
        d = self.explain_json(log)
        self.assertEqual(d["id"], "python.permission-error")
        self.assertEqual(d["explainer"], "windows.file-access")
        c = self.assert_held_by(d, holder)
        self.assertEqual(c["facts"]["found_by"], "handle-table")
        commands = [f["command"] for f in d["fixes"] if f["command"]]
        self.assertIn("taskkill /PID %d" % holder.pid, commands)

        out = self.explain_text(log)
        # The confirmed cause comes first and names the holder (prose is
        # wrapped to the width: compare it with the line breaks undone).
        prose = " ".join(out.split())
        self.assertIn("[x] ", prose)
        self.assertIn("is open in holdfile.exe (pid %d," % holder.pid, prose)
        self.assertIn("taskkill /PID %d" % holder.pid, out)

        # Once the holder has closed it, the same log is no longer about a
        # holder: the probe looks now, it does not repeat the message.
        holder.close()
        d = self.explain_json(log)
        c = self.cause(d, "file-held-open")
        self.assertEqual(c["verdict"], "ruled-out")
        self.assertTrue(d["stale"])

    def test_remove_of_a_file_shared_without_delete(self):
        path = win_path(os.path.join(self.dir, "data.csv"))
        holder = Holder("nodelete", path, self.dir)
        self.addCleanup(holder.close)
        log, text = self.fail_log("remove", path)
        self.assertIn("[WinError 32] The process cannot access the file "
                      "because it is being used by another process", text)
        d = self.explain_json(log)
        self.assertEqual(d["id"], "python.file-in-use")
        self.assertEqual(d["operation"], "delete")
        c = self.cause(d, "file-held-open")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["holder_pid"], holder.pid)
        # The repr's doubled backslashes name the same file.
        self.assertEqual(d["summary"], "%s is held open by holdfile.exe "
                         "(pid %d)" % (path, holder.pid))


class OtherCauses(WindowsCase):
    def test_read_only_attribute(self):
        sub = os.path.join(self.dir, "my files")
        os.mkdir(sub)
        path = os.path.join(sub, "pack.idx")
        with open(path, "w") as f:
            f.write("x")
        r = wine([helper("pywrite"), "chmod-ro", win_path(path)], self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        log, text = self.fail_log("remove", win_path(path))
        self.assertIn("[WinError 5] Access is denied", text)
        d = self.explain_json(log)
        self.assertEqual(d["id"], "python.win-access-denied")
        self.assertEqual(self.cause(d, "read-only-attribute")["verdict"],
                         "confirmed")
        self.assertEqual(self.cause(d, "file-held-open")["verdict"],
                         "ruled-out")
        commands = [f["command"] for f in d["fixes"] if f["command"]]
        # Quoted for cmd.exe and PowerShell: the path has a space.
        self.assertIn('attrib -R "%s"' % win_path(path), commands)

        # Without the attribute, the same log no longer confirms it.
        os.chmod(path, 0o644)
        d = self.explain_json(log)
        self.assertEqual(self.cause(d, "read-only-attribute")["verdict"],
                         "ruled-out")

    def test_no_attribute_or_acl_fix_on_a_system_path(self):
        """The fix policy on Windows: the cause is still said, but a fix
        that changes attributes or ACLs of the Windows directory is not
        offered (nor any fix with an empty subject)."""
        prefix = os.environ.get("WINEPREFIX", "")
        temp = os.path.join(prefix, "drive_c", "windows", "temp")
        if not os.path.isdir(temp):
            self.skipTest("no C:\\windows\\temp in the wine prefix")
        path = os.path.join(temp, "explain-ro-%d.txt" % os.getpid())
        with open(path, "w") as f:
            f.write("x")
        self.addCleanup(lambda: (os.chmod(path, 0o644), os.unlink(path)))
        os.chmod(path, 0o444)  # wine shows a file without w as read-only
        winpath = "C:\\windows\\temp\\" + os.path.basename(path)
        log, text = self.fail_log("remove", winpath)
        self.assertIn("[WinError 5] Access is denied", text)
        d = self.explain_json(log)
        self.assertEqual(self.cause(d, "read-only-attribute")["verdict"],
                         "confirmed")
        commands = [f["command"] or "" for f in d["fixes"]]
        for c in commands:
            low = c.lower()
            self.assertFalse(low.startswith(("attrib", "icacls", "takeown")),
                             commands)
            self.assertNotIn('""', c, commands)

    def test_directory_opened_as_a_file(self):
        os.mkdir(os.path.join(self.dir, "reports"))
        log, text = self.fail_log("open", "reports")
        # Python on Windows says Errno 13 here, not IsADirectoryError.
        self.assertIn("PermissionError: [Errno 13] Permission denied: "
                      "'reports'", text)
        d = self.explain_json(log)
        self.assertEqual(self.cause(d, "is-directory")["verdict"],
                         "confirmed")
        self.assertIn("is a directory", d["summary"])

    def test_a_plain_file_is_not_called_a_directory(self):
        holder = Holder("exclusive", "plain.txt", self.dir)
        self.addCleanup(holder.close)
        log, _ = self.fail_log("open", "plain.txt")
        d = self.explain_json(log)
        ids = [c["id"] for c in d["causes"]]
        self.assertNotIn("is-directory", ids)


class Listener(Holder):
    """listenport PORT on 127.0.0.1, running until the test lets go."""

    def __init__(self, port, cwd):
        self.proc = subprocess.Popen([WINE, helper("listenport"), str(port)],
                                     cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "listening":
            self.close()
            raise AssertionError("listenport did not start: %r" % line)
        self.pid = int(line[1])


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ports(WindowsCase):
    """Wine's TCP table lists listeners with owner pid 0: the listener is
    seen, its owner is said to be unknown."""

    def test_address_in_use_sees_the_listener(self):
        port = free_port()
        listener = Listener(port, self.dir)
        self.addCleanup(listener.close)
        log, text = self.fail_log("bind", str(port))
        self.assertIn("[Errno 10048] error while attempting to bind on "
                      "address ('127.0.0.1', %d)" % port, text)
        d = self.explain_json(log)
        self.assertEqual(d["id"], "windows.address-in-use")
        self.assertEqual(self.cause(d, "port-held")["verdict"], "confirmed")
        listener.close()
        d = self.explain_json(log)
        self.assertEqual(self.cause(d, "port-held")["verdict"], "ruled-out")
        self.assertTrue(d["stale"])

    def test_forbidden_port_is_bound_to_test_the_excluded_ranges(self):
        port = free_port()
        log = os.path.join(self.dir, "err.log")
        with open(log, "w") as f:
            f.write("ERROR:    [Errno 13] error while attempting to bind on "
                    "address ('0.0.0.0', %d): [winerror 10013] an attempt "
                    "was made to access a socket in a way forbidden by its "
                    "access permissions\n" % port)
        d = self.explain_json(log)
        self.assertEqual(d["id"], "windows.socket-forbidden")
        self.assertEqual(d["explainer"], "windows.port-forbidden")
        # The port binds now: it is in no excluded range.
        self.assertEqual(self.cause(d, "excluded-port-range")["verdict"],
                         "ruled-out")
        listener = Listener(port, self.dir)
        self.addCleanup(listener.close)
        d = self.explain_json(log)
        self.assertEqual(self.cause(d, "port-held")["verdict"], "confirmed")


class Modes(WindowsCase):
    def test_rules_are_found_and_listed(self):
        r = wine([EXE, "--list-rules"], self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = [l.split("\t")[0] for l in r.stdout.decode().splitlines()]
        self.assertIn("python.file-in-use", ids)
        self.assertIn("python.permission-error", ids)


if __name__ == "__main__":
    unittest.main()
