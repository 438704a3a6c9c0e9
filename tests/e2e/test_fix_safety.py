"""Fixes are always safe, and text captured elsewhere is read as such: no
fix with an empty subject, no chown or chmod of system paths or kernel file
systems (explainers' and rules' fixes alike), and --log reports that say
"line N of the log" and that the log may come from another machine."""
import json
import os
import re
import unittest

from helpers import TempDirTest, py, run

ENV = dict(os.environ, EXPLAIN_HISTORY="0", LC_ALL="C.UTF-8", COLUMNS="200")
NO_PATH = 'raise PermissionError(13, "Permission denied")'


def log(text, *opts):
    return run(["--color", "never"] + list(opts) + ["--log", "-"],
               stdin=None, input=text.encode(), env=ENV)


def fix_commands(report):
    return [f["command"] for d in report["diagnoses"] for f in d["fixes"]
            if f["command"] is not None]


class NoEmptySubject(TempDirTest):
    def test_python_error_without_a_path(self):
        r = run(["--color", "never"] + py(NO_PATH), env=ENV, cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode()
        self.assertIn("explain: Python PermissionError", err)
        self.assertNotIn("''", err)
        self.assertNotIn("namei", err)
        self.assertNotIn("chown", err)
        # How to find the path instead: the same command under --trace.
        self.assertRegex(err, r"  fix: find the path: run it again under "
                              r"--trace.*\n       explain --trace -- \S+ -c "
                              r"'raise PermissionError")

    def test_json_has_no_empty_subject_either(self):
        r = run(["--format", "json"] + py(NO_PATH), env=ENV, cwd=self.tmp)
        cmds = fix_commands(json.loads(r.stdout))
        self.assertTrue(cmds)
        self.assertFalse([c for c in cmds if re.search(r"(^|\s)''(\s|$)", c)],
                         cmds)

    def test_log_without_a_path(self):
        r = log("PermissionError: [Errno 13] Permission denied\n")
        err = r.stderr.decode()
        self.assertNotIn("''", err)
        self.assertIn("fix: the log does not name the path: run the command "
                      "under explain --trace", err)


class NoSystemChown(TempDirTest):
    def test_kernel_file_system(self):
        line = ("PermissionError: [Errno 13] Permission denied: "
                "'/sys/class/net/lo/address'\n")
        r = log(line)
        self.assertEqual(r.returncode, 0)
        err = r.stderr.decode()
        self.assertIn("/sys/class/net/lo/address", err)
        self.assertNotIn("chown", err)
        r = log(line, "--format", "json")
        cmds = fix_commands(json.loads(r.stdout))
        self.assertFalse([c for c in cmds if "chown" in c or "chmod" in c])

    def test_system_path_without_probes(self):
        # --no-probe: the rules' fixes alone, judged by path.
        for path in ("/usr/local/lib/node_modules/x", "/etc/ssl/private/k",
                     "/proc/1/environ"):
            r = log("PermissionError: [Errno 13] Permission denied: '%s'\n"
                    % path, "--no-probe", "--format", "json")
            cmds = fix_commands(json.loads(r.stdout))
            with self.subTest(path=path):
                self.assertTrue(cmds)  # namei is still offered
                self.assertFalse([c for c in cmds if "chown" in c], cmds)

    def test_a_users_own_file_keeps_its_fix(self):
        # The policy does not throw away fixes that are fine.
        path = self.write("out.csv", "x\n")
        r = log("PermissionError: [Errno 13] Permission denied: '%s'\n" % path,
                "--no-probe", "--format", "json")
        cmds = fix_commands(json.loads(r.stdout))
        self.assertIn("sudo chown -R \"$(id -u):$(id -g)\" -- '%s'" % path,
                      cmds)


class CapturedElsewhere(TempDirTest):
    def test_evidence_is_a_line_of_the_log(self):
        r = log("build started\nPermissionError: [Errno 13] Permission "
                "denied: '/etc/hostname'\n")
        err = r.stderr.decode()
        self.assertIn("  seen: line 2 of the log: PermissionError", err)
        self.assertNotIn("stderr line", err)

    def test_subject_missing_here(self):
        missing = self.path("ci/build/out.csv")
        r = log("PermissionError: [Errno 13] Permission denied: '%s'\n"
                % missing)
        err = r.stderr.decode()
        self.assertIn("note: %s does not exist on this machine: the log may "
                      "come from another machine" % missing, err)
        self.assertNotIn("it may have been fixed since", err)

    def test_directories_that_do_not_exist_rule_nothing_out(self):
        # The walk of the path's directories stops where they no longer
        # exist: what it saw cannot rule out a directory that denied
        # search on the machine the log came from.
        missing = self.path("ci/build/out.csv")
        r = log("PermissionError: [Errno 13] Permission denied: '%s'\n"
                % missing, "--format", "json")
        d = json.loads(r.stdout)["diagnoses"][0]
        search = [c for c in d["causes"] if c["id"] == "search-denied"]
        self.assertEqual([c["verdict"] for c in search], ["unknown"], search)
        self.assertIn("not all of them exist now", search[0]["text"])

    def test_a_file_being_created_is_not_another_machine(self):
        # Its directory exists here: only the file is missing.
        r = log("PermissionError: [Errno 13] Permission denied: '%s'\n"
                % self.path("new.csv"))
        self.assertNotIn("does not exist on this machine", r.stderr.decode())

    def test_stale_state_may_be_another_machine(self):
        # Root may write /etc/hostname: seen now, the error does not hold.
        if os.geteuid() != 0:
            self.skipTest("needs root")
        r = log("PermissionError: [Errno 13] Permission denied: "
                "'/etc/hostname'\n")
        self.assertIn("it may have been fixed since, or the log comes from "
                      "another machine", r.stderr.decode())

    def test_a_missing_file_is_not_another_machine(self):
        # For "No such file", a missing path is the error itself.
        r = log("FileNotFoundError: [Errno 2] No such file or directory: "
                "'%s'\n" % self.path("nope.csv"))
        self.assertNotIn("does not exist on this machine", r.stderr.decode())

    def test_verdicts_are_said_to_be_this_machines(self):
        # What a probe saw is this machine now, which the log's may not be:
        # said once, before the fixes, however many diagnoses have verdicts.
        text = ("FileNotFoundError: [Errno 2] No such file or directory: "
                "'%s'\n" % self.path("nope.csv"))
        text += ("fatal: cannot open '%s': No such file or directory\n"
                 % self.path("also.txt"))
        err = log(text).stderr.decode()
        self.assertEqual(err.count("explain: "), 2, err)
        note = ("note: \u2714 and \u2718 are what explain sees on this "
                "machine now; the log may come from another machine, or "
                "from before something changed.")
        self.assertEqual(err.count(note), 1, err)
        self.assertLess(err.index("\u2714"), err.index(note))
        self.assertLess(err.index(note), err.index("fix: "))
        # A live run is this machine's by definition: no such note.
        r = run(["--color", "never"] + py(
            "open(%r)" % self.path("nope.csv")), env=ENV, cwd=self.tmp)
        self.assertIn("\u2714", r.stderr.decode())
        self.assertNotIn("the log may come", r.stderr.decode())

    def test_a_container_here_is_not_the_clients(self):
        # explain running in a container says nothing of where the client
        # that wrote the log ran: its loopback is not known to be ours.
        line = ("psycopg2.OperationalError: could not connect to server: "
                "Connection refused\n\tIs the server running on host "
                "\"127.0.0.1\" and accepting\n\tTCP/IP connections on port "
                "9?\n")
        rep = json.loads(log(line, "--format", "json").stdout)
        if not rep["host"]["container"]:
            self.skipTest("explain does not run in a container here")
        causes = {c["id"]: c for d in rep["diagnoses"] for c in d["causes"]}
        self.assertEqual(causes["container-localhost"]["verdict"], "unknown",
                         causes)
        self.assertIn("whether the client that wrote the log ran in one is "
                      "unknown", causes["container-localhost"]["text"])


if __name__ == "__main__":
    unittest.main()
