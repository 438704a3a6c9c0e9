"""Golden tests of the text report: 80 and 120 columns, with and
without colour, UTF-8 and C locale. The probes are off (--no-probe) so the
text does not depend on this machine; set EXPLAIN_UPDATE_GOLDEN=1 to write
the golden files again after a deliberate change, and read the diff."""
import os
import re
import unittest

from helpers import SOURCE_DIR, run

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


if __name__ == "__main__":
    unittest.main()
