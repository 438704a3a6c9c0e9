"""The diagnosis pipeline end to end: real programs failing under explain,
--log, reports, rule files given by the user, and what must not be
diagnosed."""
import json
import os
import re
import shutil
import subprocess
import unittest

from helpers import EXPLAIN, PYTHON, TempDirTest, py, run

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
# The unprivileged user cannot enter root's home, where a pyenv Python lives.
SYSTEM_PYTHON = "/usr/bin/python3"

USER_RULE = {
    "format": "explain-rules/1",
    "rules": [{
        "id": "frob.jammed",
        "title": "frobnicator jammed",
        "tags": ["frob"],
        "patterns": ["^frobnicate: widget (?<widget>\\S+) jammed"],
        "event": {"condition": "widget-jammed", "operation": "other",
                  "subject": {"kind": "file", "value": "${widget}"}},
        "meaning": "The widget ${widget} is jammed.",
        "fixes": [{"text": "unjam it", "command": "frob --unjam ${widget}"}],
    }],
}


def diagnoses(stdout):
    return json.loads(stdout)["diagnoses"]


class RealPrograms(TempDirTest):
    def test_python_permission_error_as_unprivileged_user(self):
        os.mkdir(self.path("data"), 0o755)  # owned by root
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", SYSTEM_PYTHON, "-c",
                                     "open(%r, 'w')" % self.path("data/out.csv")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"PermissionError: [Errno 13] Permission denied", r.stderr)
        d = diagnoses(r.stdout)[0]
        self.assertEqual(d["id"], "python.permission-error")
        self.assertEqual(d["errno"], "EACCES")
        self.assertEqual(d["subject"], {"kind": "path",
                                        "value": self.path("data/out.csv")})
        self.assertEqual(d["evidence"][0]["stream"], "stderr")
        self.assertIn("PermissionError", d["evidence"][0]["text"])

    def test_text_report_after_the_output(self):
        os.mkdir(self.path("data"), 0o755)
        r = subprocess.run(NOBODY + [EXPLAIN, SYSTEM_PYTHON, "-c",
                                     "open(%r, 'w')" % self.path("data/out.csv")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode()
        tb = err.index("PermissionError: [Errno 13]")
        report = err.index("explain: Python PermissionError")
        self.assertLess(tb, report)
        self.assertIn("EACCES", err[report:])
        self.assertIn(self.path("data/out.csv"), err[report:])

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_node_eacces(self):
        os.mkdir(self.path("ro"), 0o755)
        target = self.path("ro/out.txt")
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", "node", "-e",
                                     "require('fs').writeFileSync(%r, 'x')" % target],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(r.returncode, 1)
        d = diagnoses(r.stdout)[0]
        self.assertEqual(d["errno"], "EACCES")
        self.assertEqual(d["subject"]["value"], target)

    @unittest.skipUnless(shutil.which("gcc"), "gcc is not installed")
    def test_gcc_missing_header(self):
        self.write("main.c", '#include <stdio.h>\n#include "nothere.h"\nint main(void) { return 0; }\n')
        r = run(["--format", "json", "gcc", "-c", "main.c"], cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        d = diagnoses(r.stdout)[0]
        self.assertEqual(d["subject"]["value"], "nothere.h")
        self.assertEqual(d["location"], {"file": "main.c", "line": 2})

    @unittest.skipUnless(shutil.which("git"), "git is not installed")
    def test_git_not_a_repository(self):
        r = run(["--format", "json", "git", "log"], cwd=self.tmp,
                env=dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(self.tmp)))
        self.assertEqual(r.returncode, 128)
        self.assertEqual(diagnoses(r.stdout)[0]["id"], "git.not-a-repository")

    def test_shell_command_not_found(self):
        r = run(["--format", "json", "sh", "-c", "no-such-tool-xyz --version"])
        self.assertEqual(r.returncode, 127)
        d = diagnoses(r.stdout)[0]
        self.assertEqual(d["subject"]["value"], "no-such-tool-xyz")


class WhenToDiagnose(TempDirTest):
    LINE = "PermissionError: [Errno 13] Permission denied: '/data/out.csv'"

    def cmd(self, status):
        return ["sh", "-c", 'echo "$0" >&2; exit %d' % status, self.LINE]

    def test_not_after_success(self):
        r = run(self.cmd(0))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, (self.LINE + "\n").encode())

    def test_always_after_success(self):
        r = run(["--always"] + self.cmd(0))
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"python.permission-error", r.stderr)

    def test_quiet(self):
        r = run(["-q"] + self.cmd(3))
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stderr, (self.LINE + "\n").encode())

    def test_report_file_whatever_the_outcome(self):
        for status in (0, 2):
            rep = self.path("r%d.json" % status)
            r = run(["--report", rep] + self.cmd(status))
            self.assertEqual(r.returncode, status)
            with open(rep) as f:
                report = json.load(f)
            self.assertEqual(report["schema"], "explain-report/2")
            self.assertEqual(report["exit"]["code"], status)
            self.assertEqual(len(report["diagnoses"]), 0 if status == 0 else 1)
            # The screen still gets the text report.
            self.assertEqual(b"python.permission-error" in r.stderr, status != 0)

    def test_json_on_stdout(self):
        r = run(["--format", "json"] + self.cmd(1))
        report = json.loads(r.stdout)
        self.assertEqual(report["command"], self.cmd(1))
        self.assertEqual(report["exit"], {"code": 1, "signal": None,
                                          "core_dumped": False})
        self.assertEqual(report["diagnoses"][0]["id"], "python.permission-error")
        self.assertNotIn(b"explain: Python", r.stderr)

    def test_signal_in_report(self):
        r = run(["--format", "json", "sh", "-c", "kill -TERM $$"])
        self.assertEqual(r.returncode, -15)
        self.assertEqual(json.loads(r.stdout)["exit"]["signal"], 15)


class HostileOutput(TempDirTest):
    def test_escape_sequences_never_reach_the_report(self):
        line = (b"\x1b[31mPermissionError: [Errno 13] Permission denied: "
                b"'/x/\x1b]0;owned\x07evil\x1b[2J'\x1b[0m\n")
        src = self.write("line", line)
        r = run(["sh", "-c", 'cat "$0" >&2; exit 1', src])
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith(line), "pass-through changed")
        report = r.stderr[len(line):]
        self.assertIn(b"python.permission-error", report)
        self.assertNotIn(b"\x1b", report)
        self.assertNotIn(b"\x07", report)
        self.assertIn(b"/x/evil", report)

    def test_invalid_utf8_stays_valid_json(self):
        path = b"/data/caf\xe9-\xff.csv"
        line = b"PermissionError: [Errno 13] Permission denied: '" + path + b"'\n"
        src = self.write("line", line)
        r = run(["--format", "json", "sh", "-c", 'cat "$0" >&2; exit 1', src])
        report = json.loads(r.stdout.decode("utf-8"))  # strict UTF-8
        subj = report["diagnoses"][0]["subject"]
        self.assertEqual(bytes.fromhex(subj["value_hex"]), path)
        self.assertIn("\ufffd", subj["value"])

    def test_fix_commands_are_shell_quoted(self):
        # A path that is a shell payload, as Python itself reports it: every
        # fix command must hand it to its program as one argument, and
        # nothing may run.
        payload = "%s/no/$(touch %s)'; touch %s" % (
            self.tmp, self.path("pwned1"), self.path("pwned2"))
        r = run(["--format", "json"] + py("open(%r)" % payload))
        self.assertEqual(r.returncode, 1)
        d = json.loads(r.stdout)["diagnoses"][0]
        self.assertEqual(d["errno"], "ENOENT")
        self.assertEqual(d["subject"]["value"], payload)
        commands = [f["command"] for f in d["fixes"] if f["command"]]
        self.assertTrue(commands)
        for c in commands:
            # Run each fix where no program can be found: bash hands every
            # command to command_not_found_handle, which prints its words.
            # The payload must come out as one whole argument.
            out = subprocess.run(
                ["/bin/bash", "-c", 'command_not_found_handle() { printf '
                 '"<%s>" "$@"; }; PATH=/nonexistent; eval "$0"', c],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            self.assertFalse(os.path.exists(self.path("pwned1")), c)
            self.assertFalse(os.path.exists(self.path("pwned2")), c)
            # Every word that carries a piece of the payload is the path or
            # one of its leading directories: the shell never split it.
            words = re.findall(rb"<([^<>]*)>", out.stdout)
            pieces = [w.decode() for w in words if b"touch" in w]
            self.assertTrue(pieces, (c, out.stdout))
            for w in pieces:
                self.assertTrue(payload.startswith(w), (c, w))


class Log(TempDirTest):
    def test_exit_codes(self):
        found = self.write("found.log", "x\nPermissionError: [Errno 13] "
                           "Permission denied: '/a'\n")
        clean = self.write("clean.log", "all good\n")
        self.assertEqual(run(["--log", found]).returncode, 0)
        self.assertEqual(run(["--log", clean]).returncode, 1)
        r = run(["--log", self.path("missing.log")])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"cannot read", r.stderr)

    def test_stdin(self):
        r = run(["--log", "-", "--format", "json"], stdin=None,
                input=b"fatal: not a git repository (or any of the parent "
                      b"directories): .git\n")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(diagnoses(r.stdout)[0]["id"], "git.not-a-repository")

    def test_line_numbers_and_huge_line(self):
        data = b"noise\n" * 10 + b"y" * (50 * 1024 * 1024) + b"\n" + \
            b"PermissionError: [Errno 13] Permission denied: '/b'\n"
        log = self.write("big.log", data)
        r = run(["--log", log, "--format", "json"])
        d = diagnoses(r.stdout)[0]
        self.assertEqual(d["evidence"][0]["line"], 12)


class UserRules(TempDirTest):
    def rules_dir(self, name, content):
        d = self.path(name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "frob.json"), "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
        return d

    def test_user_rule_with_one_json_file(self):
        d = self.rules_dir("r", USER_RULE)
        cmd = ["sh", "-c", "echo 'frobnicate: widget w-42 jammed' >&2; exit 3"]
        for how in ("option", "env", "xdg"):
            with self.subTest(how=how):
                env = dict(os.environ)
                args = []
                if how == "option":
                    args = ["--rules", d]
                elif how == "env":
                    env["EXPLAIN_RULES_PATH"] = "/nonexistent:" + d
                else:
                    os.makedirs(self.path("xdg/explain"), exist_ok=True)
                    if not os.path.exists(self.path("xdg/explain/rules")):
                        os.symlink(d, self.path("xdg/explain/rules"))
                    env["XDG_CONFIG_HOME"] = self.path("xdg")
                r = run(args + ["--format", "json"] + cmd, env=env)
                self.assertEqual(r.returncode, 3)
                dd = diagnoses(r.stdout)[0]
                self.assertEqual(dd["id"], "frob.jammed")
                self.assertEqual(dd["fixes"][0]["command"], "frob --unjam 'w-42'")

    def test_broken_user_rule_is_reported_and_skipped(self):
        text = json.dumps(USER_RULE, indent=2).replace('"tags"', '"tagz"')
        d = self.rules_dir("bad", text)
        line = [i + 1 for i, l in enumerate(text.splitlines()) if '"tagz"' in l][0]
        col = text.splitlines()[line - 1].index('"tagz"') + 1
        r = run(["--rules", d, "sh", "-c",
                 "echo \"PermissionError: [Errno 13] Permission denied: '/a'\" >&2; exit 4"])
        self.assertEqual(r.returncode, 4)
        err = r.stderr.decode()
        want = "%s/frob.json:%d:%d:" % (d, line, col)
        msgs = [l for l in err.splitlines() if l.startswith("explain: rules:")]
        self.assertEqual(len(msgs), 1, err)
        self.assertIn(want, msgs[0])
        # The built-in rules still work.
        self.assertIn("python.permission-error", err)

    def test_check_rules(self):
        good = self.rules_dir("good", USER_RULE)
        r = run(["--check-rules", good])
        self.assertEqual(r.returncode, 0, r.stdout)
        bad_rule = json.loads(json.dumps(USER_RULE))
        bad_rule["rules"][0]["patterns"] = ["^frobnicate: (?<w>[a-z+) jammed"]
        bad = self.rules_dir("bad", bad_rule)
        r = run(["--check-rules", bad, good])
        self.assertEqual(r.returncode, 1)
        out = r.stdout.decode()
        self.assertRegex(out, r"bad/frob\.json:\d+:\d+: .*regex")

    def test_builtin_rules_are_valid(self):
        from helpers import SOURCE_DIR
        r = run(["--check-rules", os.path.join(SOURCE_DIR, "rules")])
        self.assertEqual(r.returncode, 0, r.stdout.decode()[-3000:])

    def test_list_and_show(self):
        r = run(["--list-rules"])
        self.assertEqual(r.returncode, 0)
        ids = [l.split("\t")[0] for l in r.stdout.decode().splitlines()]
        self.assertIn("python.permission-error", ids)
        self.assertEqual(len(ids), len(set(ids)))
        r = run(["--rule", "python.permission-error"])
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"title: Python PermissionError", r.stdout)
        self.assertIn(b"patterns:", r.stdout)
        r = run(["--rule", "no.such-rule"])
        self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main()
