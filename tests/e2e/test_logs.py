"""Real failures as CI logs show them: behind timestamps, service names and
klog headers; messages no rule knows, read by the errno-phrase recogniser;
logs that end in success; prefixes a user adds; and a command that writes
faster than explain can scan."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest

from helpers import EXPLAIN, PYTHON, TempDirTest, run

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def diagnoses(r):
    return json.loads(r.stdout)["diagnoses"]


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Base(TempDirTest):
    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, EXPLAIN_HISTORY="0", HOME=self.tmp,
                        XDG_CONFIG_HOME=self.path("config"),
                        EXPLAIN_RULES_PATH="", NO_COLOR="1")
        self.env.pop("GITHUB_ACTIONS", None)

    def log(self, name, lines):
        data = lines if isinstance(lines, bytes) else "".join(
            l + "\n" for l in lines).encode()
        return self.write(name, data)

    def explain_log(self, path, *more):
        return run(["--log", path, "--format", "json", "--no-probe"] +
                   list(more), env=self.env)

    def denied_traceback(self):
        """A real PermissionError of python3 run as nobody."""
        os.makedirs(self.path("data"))
        os.chmod(self.path("data"), 0o755)
        target = self.path("data") + "/out.csv"
        p = subprocess.run(NOBODY + [PYTHON, "-c",
                                     "open(%r, 'w')" % target],
                           stderr=subprocess.PIPE, env=self.env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"PermissionError", p.stderr)
        return p.stderr.decode().splitlines(), target


class Prefixes(Base):
    def test_github_actions_timestamps(self):
        lines, target = self.denied_traceback()
        stamped = ["2024-05-04T10:11:%02d.%07dZ %s" % (12 + i, 1234567 + i, l)
                   for i, l in enumerate(lines)]
        stamped.append("2024-05-04T10:11:20.0000000Z ##[error]Process "
                       "completed with exit code 1.")
        r = self.explain_log(self.log("ci.log", stamped))
        self.assertEqual(r.returncode, 0, r.stderr)
        d = diagnoses(r)[0]
        self.assertEqual(d["id"], "python.permission-error")
        self.assertEqual(d["subject"]["value"], target)
        # The traceback's frame, read behind its timestamp too.
        self.assertEqual(d["location"]["file"], "<string>")
        # The evidence is the line as the log printed it.
        self.assertTrue(d["evidence"][0]["text"].startswith(
            "2024-05-04T10:11:"), d["evidence"][0]["text"])

    def test_stacked_prefixes_and_levels(self):
        lines, target = self.denied_traceback()
        last = lines[-1]
        for prefix, found in [
                ("web-1  | E1223 10:00:00.000000       1 main.py:7] ", True),
                ("Jul 23 18:46:24 host app[2394]: #12 0.123 ", True),
                ("remote: [ERROR] ", True),
                # A warning or an informational line is not the failure.
                ("web-1  | W1223 10:00:00.000000       1 main.py:7] ", False),
                ("[INFO] ", False)]:
            with self.subTest(prefix=prefix):
                r = self.explain_log(self.log("p.log", [prefix + last]))
                ids = [d["id"] for d in diagnoses(r)]
                if found:
                    self.assertEqual(ids, ["python.permission-error"])
                    self.assertEqual(diagnoses(r)[0]["subject"]["value"],
                                     target)
                else:
                    self.assertEqual(ids, [])
                    self.assertEqual(r.returncode, 1)

    def test_user_prefix(self):
        # node.module-not-found reads a whole line: behind a prefix no
        # rule knows, it is silent until the user names the prefix.
        line = "[step 3] Error: Cannot find module 'left-pad'"
        log = self.log("u.log", [line])
        r = self.explain_log(log)
        self.assertEqual(diagnoses(r), [])
        d = self.path("rules")
        os.makedirs(d)
        with open(d + "/myci.json", "w") as f:
            json.dump({"format": "explain-rules/1", "rules": [],
                       "prefixes": [{"id": "myci.step",
                                     "pattern": "\\[step \\d+\\] "}]}, f)
        r = self.explain_log(log, "--rules", d)
        self.assertEqual([(x["id"], x["subject"]["value"])
                          for x in diagnoses(r)],
                         [("node.module-not-found", "left-pad")])
        r = run(["--check-rules", d], env=self.env)
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"1 prefixes", r.stdout)

    def test_check_rules_points_at_a_bad_prefix(self):
        bad = self.write("bad.json", '{"format": "explain-rules/1",\n'
                         ' "rules": [],\n "prefixes": [\n'
                         '  {"id": "myci.step", "pattern": "\\\\d*"}]}\n')
        r = run(["--check-rules", bad], env=self.env)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stdout.decode(),
                         r"bad\.json:4:34: .*empty string")


class Recogniser(Base):
    def test_perl_die_read_and_probed(self):
        # Nobody may not create a file in /etc: perl's die names the path
        # and the system's text; no rule knows perl's wording.
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", "perl",
                                     "-e", 'open(my $f, ">", '
                                     '"/etc/explain-e2e.conf") or die "open '
                                     '/etc/explain-e2e.conf: $!"'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env, timeout=60)
        self.assertEqual(r.returncode, 13)  # perl's die exits with errno
        d = diagnoses(r)[0]
        self.assertEqual(d["id"], "errno.phrase")
        self.assertEqual(d["confidence"], "low")
        self.assertEqual(d["errno"], "EACCES")
        self.assertEqual(d["operation"], "open")
        self.assertEqual(d["subject"], {"kind": "path",
                                        "value": "/etc/explain-e2e.conf"})
        self.assertIn("It read these words: \u201copen /etc/explain-e2e.conf"
                      ": Permission denied\u201d", d["meaning"])
        # The same explainer as the specific rules: /etc is root's, 0755.
        causes = {c["id"]: c["verdict"] for c in d["causes"]}
        self.assertIn("confirmed", causes.values(), causes)

    def test_python_script_nobody_may_read(self):
        # python3's "can't open file '...': [Errno 13] Permission denied"
        # names the script before the number; the probe sees the mode.
        script = self.write("app.py", "print(1)\n", mode=0o000)
        # Debian's python3, which nobody may run (a pyenv under /root is
        # not).
        python = shutil.which("python3", path="/usr/bin:/bin") or PYTHON
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", python,
                                     script],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env, timeout=60)
        self.assertEqual(r.returncode, 2)  # python3's own status
        self.assertIn(b"can't open file", r.stderr)
        d = diagnoses(r)[0]
        self.assertEqual((d["id"], d["errno"], d["operation"]),
                         ("errno.phrase", "EACCES", "open"))
        self.assertEqual(d["subject"], {"kind": "path", "value": script})
        causes = {c["id"]: c["verdict"] for c in d["causes"]}
        self.assertEqual(causes.get("read-denied"), "confirmed", causes)
        self.assertEqual(causes.get("search-denied"), "ruled-out", causes)

    def test_node_connection_refused(self):
        port = closed_port()
        report = self.path("r.json")
        r = run(["--report", report, "--no-probe", "node", "-e",
                 "require('net').connect(%d, '127.0.0.1')" % port],
                env=self.env)
        self.assertEqual(r.returncode, 1)
        with open(report) as f:
            d = json.load(f)["diagnoses"][0]
        self.assertEqual((d["id"], d["errno"], d["operation"]),
                         ("errno.phrase", "ECONNREFUSED", "connect"))
        self.assertEqual(d["subject"], {"kind": "address",
                                        "value": "127.0.0.1:%d" % port})
        self.assertIn(b"errno.phrase", r.stderr)

    def test_specific_rule_wins(self):
        lines, target = self.denied_traceback()
        r = self.explain_log(self.log("t.log", lines))
        ids = [d["id"] for d in diagnoses(r)]
        self.assertEqual(ids, ["python.permission-error"])

    def test_near_misses_stay_silent(self):
        r = self.explain_log(self.log("n.log", [
            "tests/test_fs.py::test_permission_denied PASSED",
            "    perm_test.go:5: open /etc/shadow: permission denied is "
            "handled",
            "WARN  optional config not loaded (java.io.FileNotFoundException: "
            "/etc/app.properties (No such file or directory))",
            "warning: unable to access '/root/.config/git/attributes': "
            "Permission denied",
            "INFO  retrying after Connection refused from cache node",
            "Both are DNS failures: `[Errno -2] Name or service not known`",
            "sudo: unable to resolve host vm1: Name or service not known",
            "If you see \"permission denied\", check the owner.",
            "npm WARN tar ENOENT: no such file or directory, open '/x'",
        ]))
        self.assertEqual(diagnoses(r), [])
        self.assertEqual(r.returncode, 1)

    def test_passing_command_says_nothing(self):
        r = run(["perl", "-e", 'print STDERR "open /etc/x: Permission denied '
                 'at -e line 1.\\n"; exit 0'], env=self.env)
        self.assertEqual(r.returncode, 0)
        self.assertNotIn(b"explain:", r.stderr)


class Endings(Base):
    def test_log_that_ends_in_success(self):
        lines, _ = self.denied_traceback()
        log = self.log("s.log", lines + ["Retrying...",
                                         "Successfully installed app-1.0",
                                         ""])
        r = run(["--log", log, "--no-probe"], env=self.env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"explain: the log ends in success at line %d "
                      b"(\"Successfully installed app-1.0\")" %
                      (len(lines) + 2), r.stderr)
        self.assertNotIn(b"python.permission-error", r.stderr)
        r = self.explain_log(log)
        self.assertEqual(diagnoses(r), [])
        self.assertEqual(r.returncode, 1)

    def test_failure_after_success(self):
        lines, _ = self.denied_traceback()
        log = self.log("f.log", ["Successfully installed app-1.0"] + lines)
        r = self.explain_log(log)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(diagnoses(r)[0]["id"], "python.permission-error")

    def test_exit_zero_behind_a_prefix(self):
        lines, _ = self.denied_traceback()
        log = self.log("e.log", lines + [
            "2024-05-04T10:11:20.0000000Z Process completed with exit code 0."])
        self.assertEqual(self.explain_log(log).returncode, 1)


class Relay(Base):
    def relay(self, size, *options):
        """Runs a command writing `size` bytes of 99-byte lines of Q to
        stderr as fast as `head` can, then failing with a Python error;
        returns (exit status, Q bytes relayed, the last 8 KiB)."""
        writer = ("head -c %d /dev/zero | tr '\\0' Q | fold -w 99; "
                  "%s -c \"open('/nonexistent/out.csv', 'w')\"" % (size, PYTHON))
        p = subprocess.Popen([EXPLAIN, "--no-probe"] + list(options) +
                             ["sh", "-c", "{ " + writer + "; } >&2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=self.env)
        count = 0
        tail = b""
        while True:
            chunk = p.stderr.read(1 << 20)
            if not chunk:
                break
            count += chunk.count(b"Q")
            tail = (tail + chunk)[-8192:]
        p.stderr.close()
        return p.wait(timeout=300), count, tail

    def test_fast_output_is_relayed_whole_and_its_end_scanned(self):
        # Every byte reaches stderr, and the error at the end is diagnosed
        # however far the scanner fell behind.
        size = 256 << 20
        rc, count, tail = self.relay(size)
        self.assertEqual(rc, 1)
        self.assertEqual(count, size)
        self.assertIn(b"python.file-not-found", tail)
        m = re.search(rb"note: ([\d.]+) MiB of the output \((\d+) lines\) "
                      rb"came faster", tail)
        if m:  # how far behind depends on the machine's load
            self.assertLessEqual(float(m.group(1)), size / 2**20)
            self.assertLessEqual(int(m.group(2)), size // 99 + 2)

    def test_scanner_gives_way(self):
        # The scanning thread runs at nice 10; the relay thread keeps the
        # caller's priority.
        fifo = self.path("go")
        os.mkfifo(fifo)
        p = subprocess.Popen([EXPLAIN, "sh", "-c", "echo started >&2; "
                              "read x < %s" % fifo],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=self.env)
        try:
            self.assertEqual(p.stderr.readline(), b"started\n")
            nices = {}
            for _ in range(200):  # the thread starts at the first output
                nices = {}
                for t in os.listdir("/proc/%d/task" % p.pid):
                    with open("/proc/%d/task/%s/stat" % (p.pid, t)) as f:
                        nices[t] = int(f.read().rsplit(")", 1)[1].split()[16])
                if sorted(nices.values()) == [0, 10]:
                    break
                time.sleep(0.01)
            self.assertEqual(sorted(nices.values()), [0, 10], nices)
        finally:
            with open(fifo, "w") as f:
                f.write("x\n")
            p.stderr.close()
            p.wait(timeout=20)

    def test_slow_scanner_never_holds_the_command(self):
        # 200 rules that read every one of these lines make the scanner
        # far slower than the command (minutes for this output): the
        # command is not held back to its pace; what it skipped is said,
        # and the end is still read.
        d = self.path("rules")
        os.makedirs(d)
        rules = [{"id": "slow.r%d" % i, "title": "t", "tags": ["x"],
                  "patterns": ["QQQ[^Z]*Z%d" % i],
                  "event": {"errno": "EIO"}, "meaning": "m"}
                 for i in range(200)]
        with open(d + "/slow.json", "w") as f:
            json.dump({"format": "explain-rules/1", "rules": rules}, f)
        size = 64 << 20
        rc, count, tail = self.relay(size, "--rules", d)
        self.assertEqual(rc, 1)
        self.assertEqual(count, size)
        self.assertIn(b"python.file-not-found", tail)
        m = re.search(rb"note: ([\d.]+) MiB of the output \((\d+) lines\) "
                      rb"came faster than it could be scanned", tail)
        self.assertIsNotNone(m, tail[-2000:])
        self.assertGreater(float(m.group(1)), 1)
        self.assertLessEqual(int(m.group(2)), size // 99 + 2)


if __name__ == "__main__":
    unittest.main()
