"""Wordings that real logs showed explain missing, staged live with the real
tools: Python run as `python3 -m` on a module that is not installed, a
compile error of g++, git refusing to overwrite a changed file, and a
document that lists the messages a tool looks for (which must stay
silent) beside a person who quotes the error they got (which must not)."""
import json
import os
import re
import shutil
import subprocess
import unittest

from helpers import EXPLAIN, PYTHON, TempDirTest

GIT = shutil.which("git")
GXX = shutil.which("g++")


class Wordings(TempDirTest):
    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, EXPLAIN_HISTORY="0", NO_COLOR="1",
                        HOME=self.tmp, XDG_CONFIG_HOME=self.path("config"),
                        EXPLAIN_RULES_PATH="", COLUMNS="200")
        self.env.pop("GITHUB_ACTIONS", None)

    def explain(self, argv, cwd=None):
        """One live run: (exit status, JSON report, text on stderr)."""
        report = self.path("report.json")
        r = subprocess.run([EXPLAIN, "--color", "never", "--report", report] +
                           list(argv), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           cwd=cwd or self.tmp, env=self.env, timeout=120)
        with open(report) as f:
            return r.returncode, json.load(f), r.stderr.decode("utf-8",
                                                               "replace")

    def log_diagnoses(self, log, *opts):
        """explain --log of a file, in the temporary directory: the JSON
        report's diagnoses."""
        r = subprocess.run([EXPLAIN, "--log", log, "--format", "json"] +
                           list(opts), stdout=subprocess.PIPE, cwd=self.tmp,
                           env=self.env, timeout=60)
        return json.loads(r.stdout)["diagnoses"]

    def first(self, report):
        ds = report["diagnoses"]
        self.assertTrue(ds, json.dumps(report, indent=1)[:2000])
        return ds[0]

    def test_python_dash_m_names_the_missing_module(self):
        status, rep, text = self.explain(
            [PYTHON, "-m", "explain_test_no_such_module"])
        self.assertEqual(status, 1)
        d = self.first(rep)
        self.assertEqual(d["id"], "python.module-not-found")
        self.assertEqual(d["subject"]["value"], "explain_test_no_such_module")
        self.assertIn("No module named explain_test_no_such_module", text)

    @unittest.skipIf(GXX is None, "g++ is not installed")
    def test_a_compile_error_of_gxx(self):
        # Since GCC 13, <array> no longer brings uint8_t along.
        self.write("main.cpp", "#include <array>\n"
                   "template <std::size_t N>\n"
                   "bool first(const std::array<uint8_t, N> &a) "
                   "{ return a[0]; }\n")
        status, rep, text = self.explain([GXX, "-c", "main.cpp"])
        self.assertEqual(status, 1)
        d = self.first(rep)
        self.assertEqual(d["id"], "cc.compile-error")
        self.assertEqual(d["location"], {"file": "main.cpp", "line": 3})
        self.assertIn("uint8_t", d["meaning"])

    @unittest.skipIf(GIT is None, "git is not installed")
    def test_git_names_the_file_it_would_overwrite(self):
        repo = self.path("repo")
        env = dict(self.env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@x")

        def git(*args):
            subprocess.run([GIT, "-C", repo] + list(args), check=True,
                           env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        os.makedirs(repo)
        git("init", "-q", "-b", "main")
        with open(repo + "/notes.txt", "w") as f:
            f.write("one\n")
        git("add", "notes.txt")
        git("commit", "-qm", "one")
        git("checkout", "-qb", "other")
        with open(repo + "/notes.txt", "w") as f:
            f.write("two\n")
        git("commit", "-qam", "two")
        git("checkout", "-q", "main")
        with open(repo + "/notes.txt", "w") as f:
            f.write("local edit\n")
        status, rep, _ = self.explain([GIT, "checkout", "other"], cwd=repo)
        self.assertEqual(status, 1)
        d = self.first(rep)
        self.assertEqual(d["id"], "git.local-changes-overwritten")
        self.assertEqual(d["subject"], {"kind": "path",
                                        "value": "notes.txt"})

    def test_a_list_of_signatures_is_no_failure(self):
        doc = ("Faultline looks for one or more of these log fragments:\n"
               "connection refused\n"
               "ECONNREFUSED\n"
               "dial tcp 127.0.0.1:5432: connect: connection refused\n")
        status, rep, _ = self.explain(
            ["sh", "-c", 'printf "%s" "$0" >&2; exit 1', doc])
        self.assertEqual(status, 1)
        self.assertEqual(rep["diagnoses"], [])

    def test_a_person_quoting_the_error_is_heard(self):
        said = ("I get this error:\n"
                "dial tcp 127.0.0.1:5432: connect: connection refused\n")
        status, rep, _ = self.explain(
            ["sh", "-c", 'printf "%s" "$0" >&2; exit 1', said])
        self.assertEqual(status, 1)
        d = self.first(rep)
        self.assertEqual(d["errno"], "ECONNREFUSED")

    def test_a_directory_that_exists_is_said_only_beside_a_failure(self):
        log = self.write("run.log", "mkdir src\nmkdir: src: File exists\n")
        self.assertEqual(self.log_diagnoses(log, "--no-probe"), [])
        log = self.write("run2.log", "mkdir: src: File exists\n"
                         "open /etc/app.yaml: permission denied\n")
        ds = self.log_diagnoses(log, "--no-probe")
        self.assertEqual([d["errno"] for d in ds], ["EACCES", "EEXIST"])

    def test_a_windows_path_from_a_log_is_not_probed_here(self):
        # Read on Linux, "C:\\Temp\\x" would be a file of that name in the
        # cwd. One is there, unreadable: what it is like says nothing about
        # the Windows machine, so no cause is confirmed or ruled out by it.
        name = "C:\\Temp\\x"
        with open(self.path(name), "w") as f:
            f.write("x")
        os.chmod(self.path(name), 0)
        log = self.write("win.log",
                         "java.nio.file.AccessDeniedException: C:\\Temp\\x\n"
                         "\tat sun.nio.fs.WindowsException.translateToIOExcept"
                         "ion(WindowsException.java:83)\n")
        d = self.log_diagnoses(log)[0]
        self.assertEqual(d["errno"], "EACCES")
        self.assertEqual(d["subject"]["value"], name)
        self.assertEqual([c["verdict"] for c in d["causes"]],
                         ["unknown"] * len(d["causes"]))
        self.assertNotIn(self.tmp, json.dumps(d))

    def test_no_explainer_looks_at_a_windows_path(self):
        # git's lock explainer, not the fs one: "C:/src/.git/index.lock" read
        # here is a relative path of the cwd, where none is; that it is gone
        # says nothing of the Windows machine's lock.
        log = self.write("lock.log", "fatal: Unable to create "
                         "'C:/src/.git/index.lock': File exists.\n")
        d = self.log_diagnoses(log)[0]
        self.assertEqual(d["id"], "git.index-lock")
        self.assertEqual([c["verdict"] for c in d["causes"]],
                         ["unknown"] * len(d["causes"]))
        self.assertFalse(d["stale"])
        self.assertNotIn(self.tmp, json.dumps(d))
        r = subprocess.run([EXPLAIN, "--log", log, "--color", "never"],
                           stderr=subprocess.PIPE, cwd=self.tmp, env=self.env,
                           timeout=60)
        self.assertIn("note: C:/src/.git/index.lock is a Windows path, which "
                      "names nothing explain can look at on this machine: no "
                      "cause was checked.",
                      re.sub(r"\n\s+", " ", r.stderr.decode()))


if __name__ == "__main__":
    unittest.main()
