"""The history of diagnoses ($XDG_STATE_HOME/explain/history.jsonl): one
line per diagnosis, recurrences, --history, many writers at once, rotation,
and a state directory that cannot be written (never fatal)."""
import json
import os
import resource
import subprocess
import unittest

from helpers import EXPLAIN, SOURCE_DIR, TempDirTest, py, run

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
FAIL = py("open('/nonexistent/out.csv', 'w')")
ROTATE_SIZE = 1024 * 1024


class History(TempDirTest):
    def setUp(self):
        super().setUp()
        self.state = self.path("state")
        self.work = self.path("work")
        os.mkdir(self.work)
        self.env = dict(os.environ, XDG_STATE_HOME=self.state)
        self.env.pop("EXPLAIN_HISTORY", None)
        self.file = os.path.join(self.state, "explain", "history.jsonl")

    def explain(self, args, env=None, cwd=None, **kw):
        return run(args, env=env or self.env, cwd=cwd or self.work, **kw)

    def lines(self, path=None):
        try:
            with open(path or self.file, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        self.assertTrue(data == b"" or data.endswith(b"\n"))
        return [json.loads(l) for l in data.decode("utf-8").splitlines()]

    def test_one_line_per_diagnosis(self):
        r = self.explain(FAIL)
        self.assertEqual(r.returncode, 1)
        [line] = self.lines()
        self.assertEqual(line["schema"], "explain-history/1")
        self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(line["cwd"], self.work)
        self.assertEqual(line["command"], FAIL)
        self.assertEqual(line["exit"], 1)
        self.assertEqual(line["id"], "python.file-not-found")
        self.assertEqual(line["subject"], {"kind": "path",
                                           "value": "/nonexistent/out.csv"})
        self.assertIsInstance(line["verdicts"], dict)
        self.assertTrue(line["fixes"])
        self.assertEqual(os.stat(self.file).st_mode & 0o777, 0o600)
        self.assertEqual(
            os.stat(os.path.dirname(self.file)).st_mode & 0o777, 0o700)

    def test_launcher_failure_is_recorded(self):
        r = self.explain(["no-such-command-xyz"])
        self.assertEqual(r.returncode, 127)
        [line] = self.lines()
        self.assertEqual(line["id"], "explain.exec-failed")
        self.assertEqual(line["exit"], 127)

    def test_success_and_log_are_not_recorded(self):
        self.assertEqual(self.explain(["true"]).returncode, 0)
        log = self.write("build.log", "ModuleNotFoundError: No module named "
                                      "'numpy'\n")
        self.assertEqual(self.explain(["--log", log]).returncode, 0)
        self.assertEqual(self.lines(), [])

    def test_recurrence_is_reported(self):
        for _ in range(3):
            r = self.explain(FAIL)
        err = r.stderr.decode()
        self.assertIn("seen 3 times since", err)
        self.assertIn("last fix offered: ", err)
        # Another directory is another place: no recurrence there.
        other = self.path("other")
        os.mkdir(other)
        r = self.explain(FAIL, cwd=other)
        self.assertNotIn("times since", r.stderr.decode())

    def test_history_listing(self):
        self.explain(FAIL)
        self.explain(["no-such-command-xyz"])
        r = self.explain(["--history"])
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertLess(out.index("python.file-not-found"),
                        out.index("explain.exec-failed"))
        self.assertIn(self.work, out)
        r = self.explain(["--history", "--format", "json"])
        self.assertEqual(r.returncode, 0)
        entries = json.loads(r.stdout)
        self.assertEqual([e["id"] for e in entries],
                         ["python.file-not-found", "explain.exec-failed"])
        self.assertNotEqual(
            self.explain(["--history", "ls"]).returncode, 0)

    def test_off(self):
        env = dict(self.env, EXPLAIN_HISTORY="0")
        r = self.explain(FAIL, env=env)
        self.assertEqual(r.returncode, 1)
        self.assertFalse(os.path.exists(self.state))
        r = self.explain(["--history", "--format", "json"], env=env)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(json.loads(r.stdout), [])
        self.assertIn(b"history is off", r.stderr)

    def test_default_place(self):
        home = self.path("home")
        os.mkdir(home)
        env = dict(self.env, HOME=home)
        del env["XDG_STATE_HOME"]
        self.explain(FAIL, env=env)
        self.assertEqual(len(self.lines(os.path.join(
            home, ".local", "state", "explain", "history.jsonl"))), 1)

    def concurrent(self, n, args):
        procs = [subprocess.Popen([EXPLAIN] + args, env=self.env,
                                  cwd=self.work, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL,
                                  stdin=subprocess.DEVNULL)
                 for _ in range(n)]
        for p in procs:
            self.assertEqual(p.wait(timeout=120), 1)

    def test_twenty_concurrent_writers_lose_no_line(self):
        self.concurrent(20, FAIL)
        lines = self.lines()
        self.assertEqual(len(lines), 20)
        self.assertTrue(all(l["id"] == "python.file-not-found" for l in lines))

    def test_rotation_under_concurrent_writers(self):
        # Just under the limit: the writers rotate the file among themselves.
        self.explain(FAIL)
        [first] = self.lines()
        filler = (json.dumps(dict(first, id="filler.entry"),
                              separators=(",", ":")) + "\n").encode()
        with open(self.file, "ab") as f:
            while f.tell() + len(filler) < ROTATE_SIZE - 2000:
                f.write(filler)
        before = len(self.lines())
        self.concurrent(20, FAIL)
        rotated = self.lines(self.file + ".1")
        current = self.lines()
        self.assertTrue(rotated, "the file was not rotated")
        self.assertLessEqual(os.path.getsize(self.file), ROTATE_SIZE)
        self.assertEqual(len(rotated) + len(current), before + 20)
        # Recurrence still sees the lines on both sides of the rotation
        # (the 20 writers'; the very first line is further back than the
        # last 256 KiB that are read).
        r = self.explain(FAIL)
        self.assertIn("seen 21 times since", r.stderr.decode())

    def test_state_directory_is_a_file(self):
        with open(self.state, "w") as f:
            f.write("not a directory\n")
        r = self.explain(FAIL)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"FileNotFoundError", r.stderr)
        self.assertIn(b"explain: Python FileNotFoundError", r.stderr)
        self.assertNotIn(b"history", r.stderr)
        r = self.explain(["-v"] + FAIL)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.count(b"history"), 1)

    def test_unwritable_state_directory(self):
        os.mkdir(self.state, 0o755)  # root's: nobody cannot write in it
        os.chmod(self.work, 0o777)
        r = subprocess.run(NOBODY + [EXPLAIN, "/usr/bin/python3", "-c",
                                     "open('/nonexistent/out.csv', 'w')"],
                           env=self.env, cwd=self.work,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"explain: Python FileNotFoundError", r.stderr)
        self.assertNotIn(b"history", r.stderr)
        self.assertEqual(os.listdir(self.state), [])
        r = subprocess.run(NOBODY + [EXPLAIN, "--history"], env=self.env,
                           cwd=self.work, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0)

    def test_file_size_limit_is_not_fatal(self):
        self.explain(FAIL)
        size = os.path.getsize(self.file)

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (size + 10, size + 10))

        r = self.explain(FAIL, preexec_fn=limit)
        self.assertEqual(r.returncode, 1)  # not killed by SIGXFSZ
        self.assertEqual(len(self.lines()), 1)

    def test_a_fifo_in_place_of_the_file_is_not_fatal(self):
        # A FIFO where the history file should be: nobody reads it, so a
        # blocking open would hang explain after the command. It is
        # refused, and the diagnosis and status stay.
        os.makedirs(os.path.dirname(self.file), mode=0o700)
        os.mkfifo(self.file, 0o600)
        r = self.explain(FAIL, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"explain: Python FileNotFoundError", r.stderr)
        r = self.explain(["--history"], timeout=30)
        self.assertNotIn(b"Traceback", r.stderr)

    def test_a_corrupt_file_is_not_fatal(self):
        os.makedirs(os.path.dirname(self.file))
        with open(self.file, "wb") as f:
            f.write(b"\xff\xfe garbage {\n{\"id\": 3}\n" + b"x" * 300000)
        os.chmod(self.file, 0o600)
        r = self.explain(FAIL)
        self.assertEqual(r.returncode, 1)
        r = self.explain(["--history", "--format", "json"])
        self.assertEqual(r.returncode, 0)
        json.loads(r.stdout)


if __name__ == "__main__":
    unittest.main()
