"""Golden tests of the text report: 80 and 120 columns, with and
without colour, UTF-8 and C locale. The probes are off (--no-probe) so the
text does not depend on this machine; set EXPLAIN_UPDATE_GOLDEN=1 to write
the golden files again after a deliberate change, and read the diff."""
import os
import re
import subprocess
import tempfile
import unittest

from helpers import EXPLAIN, SOURCE_DIR, TempDirTest, run

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SYSTEM_PYTHON = "/usr/bin/python3"  # nobody cannot enter root's pyenv

GOLDEN = os.path.join(SOURCE_DIR, "tests", "golden")
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures", "signatures")
CASES = {
    "permission": os.path.join(FIXTURES, "python.permission-error.1.log"),
    "multi": os.path.join(GOLDEN, "multi.log"),
}
ESC = re.compile(rb"\x1b\[[0-9;]*m")


def render(log, locale, width, color):
    env = dict(os.environ, LC_ALL=locale, COLUMNS=str(width),
               EXPLAIN_HISTORY="0")
    env.pop("NO_COLOR", None)
    env.pop("GITHUB_ACTIONS", None)
    env.pop("GITLAB_CI", None)
    r = run(["--no-probe", "--color", color, "--log", log], env=env)
    assert r.returncode == 0, r.stderr
    return r.stderr


class TextReport(unittest.TestCase):
    def test_golden(self):
        update = os.environ.get("EXPLAIN_UPDATE_GOLDEN") == "1"
        for case, log in CASES.items():
            for locale in ("C.UTF-8", "C"):
                for width in (80, 120):
                    for color in ("never", "always"):
                        name = "%s-%s-%d-%s.txt" % (case, locale.split(".")[-1]
                                                    if locale != "C" else "ascii",
                                                    width, color)
                        with self.subTest(golden=name):
                            got = render(log, locale, width, color)
                            path = os.path.join(GOLDEN, name)
                            if update:
                                with open(path, "wb") as f:
                                    f.write(got)
                            with open(path, "rb") as f:
                                self.assertEqual(got, f.read())
                            self.check_shape(got, locale, width, color)

    def check_shape(self, out, locale, width, color):
        if color == "never":
            self.assertNotIn(b"\x1b", out)
        else:
            self.assertIn(b"\x1b[", out)
        plain = ESC.sub(b"", out)
        if locale == "C":
            self.assertTrue(all(b < 0x80 for b in plain), "non-ASCII in C locale")
        else:
            self.assertTrue(b"?" in plain or "\u2714".encode() in plain)
        for line in plain.decode().split("\n"):
            # Prose is wrapped; commands (indented 7) are never cut.
            if len(line) > width:
                self.assertTrue(line.startswith("       ") and
                                not line.startswith("        "), line)

    def test_fallout_folded_under_the_cause(self):
        out = render(CASES["multi"], "C.UTF-8", 80, "never").decode()
        self.assertEqual(out.count("\nexplain: "), 1)
        self.assertIn("(cc.header-not-found)", out)
        self.assertIn("  also: make: a recipe failed (line 6: make: *** [Makefile:2: all] Error 1)", out)


class AnswerFirst(TempDirTest):
    """On a real failure, probed here: python3 as uid 65534 writing a file
    that belongs to root."""

    def explain(self, *opts, env=None):
        target = self.write("out.csv", "a,b\n", mode=0o644)
        env = dict(os.environ if env is None else env, LC_ALL="C.UTF-8",
                   COLUMNS="250")
        env.setdefault("EXPLAIN_HISTORY", "0")
        env["HOME"] = self.tmp  # no rule directory nobody cannot read
        r = subprocess.run(NOBODY + [EXPLAIN, "--color", "never"] +
                           list(opts) + [SYSTEM_PYTHON, "-c",
                                         "open(%r, 'w')" % target],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, cwd=self.tmp, timeout=60)
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode()
        return target, err[err.index("\nexplain: "):].splitlines()[1:]

    def test_confirmed_cause_and_fix_come_before_what_was_ruled_out(self):
        target, lines = self.explain()
        marks = [i for i, l in enumerate(lines) if l.startswith("  \u2714 ")]
        fixes = [i for i, l in enumerate(lines) if l.startswith("  fix: ")]
        crosses = [i for i, l in enumerate(lines)
                   if l.startswith("  \u2718 ") or l.startswith("  ? ")]
        self.assertTrue(marks and fixes and crosses, "\n".join(lines))
        # What failed, then the answer and its first fix, then the rest.
        self.assertEqual(lines[0], "explain: Python PermissionError "
                                   "(python.permission-error)")
        self.assertEqual(lines[1], "  EACCES during open of path %s" % target)
        self.assertEqual(marks[0], 2)
        self.assertIn("nobody (uid 65534) may not write %s" % target,
                      lines[marks[0]])
        self.assertLess(marks[0], fixes[0])
        self.assertLess(fixes[0], crosses[0])
        self.assertTrue(lines[fixes[0] + 1].startswith("       "))
        self.assertLess(max(marks), min(crosses))
        self.assertLess(max(fixes), min(crosses))
        # A ruled-out line states the cause that does not hold, then what
        # was seen.
        self.assertIn("  \u2718 a directory on the way denies search: every "
                      "directory above %s lets nobody search it" % target,
                      lines)
        # The evidence after the causes.
        seen = [i for i, l in enumerate(lines) if l.startswith("  seen: ")]
        self.assertEqual(len(seen), 1)
        self.assertGreater(seen[0], max(crosses))
        self.assertTrue(lines[seen[0]].startswith("  seen: stderr line 3: "))

    def test_recurrence_comes_last(self):
        home = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(home, 0o777)
        env = dict(os.environ, XDG_STATE_HOME=home, EXPLAIN_HISTORY="1")
        self.explain(env=env)
        _, lines = self.explain(env=env)
        last = [l for l in lines if l.strip()][-1]
        self.assertRegex(last,
                         r"^  seen \d+ times since .*; last fix offered: ")


if __name__ == "__main__":
    unittest.main()
