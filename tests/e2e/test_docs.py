"""Documentation and shell integration: the man page lists exactly the
options of --help and renders without warnings; the bash, zsh and fish
completions know every option and complete rule ids; cmake --install
installs the man page, the report schema and the completions."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from helpers import EXPLAIN, SOURCE_DIR, TempDirTest, run

MAN = os.path.join(SOURCE_DIR, "docs", "explain.1")
COMPLETIONS = os.path.join(SOURCE_DIR, "contrib", "completions")
BASH = os.path.join(COMPLETIONS, "explain.bash")
ZSH = os.path.join(COMPLETIONS, "_explain")
FISH = os.path.join(COMPLETIONS, "explain.fish")


def help_options():
    out = run(["--help"]).stdout.decode()
    opts = set()
    for line in out.splitlines():
        m = re.match(r"^  (-\w), (--[\w-]+)", line) or \
            re.match(r"^  (--[\w-]+)", line)
        if m:
            opts.update(m.groups())
    return opts


def man_options():
    with open(MAN) as f:
        text = f.read()
    section = text.split("\n.SH OPTIONS\n", 1)[1].split("\n.SH ", 1)[0]
    opts = set()
    lines = section.splitlines()
    for i, line in enumerate(lines):
        if line == ".TP" and i + 1 < len(lines):
            for o in re.findall(r"\\-(\\-[\w\\-]+|\w\b)", lines[i + 1]):
                opts.add("-" + o.replace("\\-", "-"))
    return opts


def bash_complete(words, cword):
    """COMPREPLY of _explain for COMP_WORDS=words, COMP_CWORD=cword."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=%d; '
              '_explain; printf "%%s\\n" "${COMPREPLY[@]}"' % cword)
    env = dict(os.environ,
               PATH=os.path.dirname(EXPLAIN) + os.pathsep +
               os.environ.get("PATH", ""))
    r = subprocess.run(["bash", "-c", script, "bash", BASH] + list(words),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=60)
    if r.returncode != 0 or r.stderr:
        raise AssertionError("bash completion failed: %r" % r.stderr)
    return [l for l in r.stdout.decode().splitlines() if l]


def rule_ids():
    out = run(["--list-rules"]).stdout.decode()
    return [l.split("\t")[0] for l in out.splitlines()]


class ManPage(unittest.TestCase):
    def test_lists_the_options_of_help(self):
        helped = help_options()
        self.assertIn("--history", helped)
        self.assertIn("-q", helped)
        self.assertEqual(man_options(), helped)

    def test_documents_environment_and_exit_status(self):
        with open(MAN) as f:
            text = f.read()
        for name in ["EXPLAIN_RULES_PATH", "EXPLAIN_HISTORY", "XDG_CONFIG_HOME",
                     "XDG_STATE_HOME", "NO_COLOR", "GITHUB_ACTIONS"]:
            self.assertIn("\n.B %s\n" % name, text, name)
        for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"]:
            self.assertRegex(text, r'\n\.SH "?%s"?\n' % section)

    @unittest.skipUnless(shutil.which("man"), "man is not installed")
    def test_renders_without_warnings(self):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANPAGER="cat",
                   PAGER="cat")
        r = subprocess.run(["man", "--warnings", "-l", MAN],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.decode(), "")
        out = r.stdout.decode()
        self.assertIn("run a command and explain why it failed", out)
        self.assertIn("--check-rules", out)

    @unittest.skipUnless(shutil.which("groff"), "groff is not installed")
    def test_groff_has_no_warnings(self):
        r = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8", MAN],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual((r.returncode, r.stderr.decode()), (0, ""))


class BashCompletion(unittest.TestCase):
    def test_rule_ids_for_rule(self):
        got = bash_complete(["explain", "--rule", "python.p"], 2)
        want = [i for i in rule_ids() if i.startswith("python.p")]
        self.assertIn("python.permission-error", got)
        self.assertEqual(sorted(got), sorted(want))

    def test_every_option(self):
        got = set(bash_complete(["explain", "-"], 1))
        self.assertLessEqual(help_options(), got)

    def test_option_values(self):
        self.assertEqual(bash_complete(["explain", "--format", ""], 2),
                         ["text", "json", "github"])
        self.assertEqual(bash_complete(["explain", "--color", "n"], 2),
                         ["never"])
        self.assertEqual(bash_complete(["explain", "--scan", "b"], 2),
                         ["both"])

    def test_commands_after_the_options(self):
        got = bash_complete(["explain", "--format", "json", "bas"], 3)
        self.assertIn("bash", got)
        # After the command, options are the command's, not explain's.
        got = bash_complete(["explain", "make", "--h"], 2)
        self.assertNotIn("--history", got)
        got = bash_complete(["explain", "--", "--h"], 2)
        self.assertNotIn("--history", got)


class OtherShells(unittest.TestCase):
    def test_zsh_and_fish_know_every_option(self):
        with open(ZSH) as f:
            zsh = f.read()
        with open(FISH) as f:
            fish = f.read()
        for opt in help_options():
            if opt.startswith("--"):
                self.assertRegex(zsh, r"(?<![\w-])%s(?![\w-])" % re.escape(opt),
                                 opt)
                self.assertRegex(fish, r"-l %s\b" % re.escape(opt[2:]), opt)
            else:
                self.assertIn(opt, zsh)
                self.assertRegex(fish, r"-s %s\b" % opt[1:], opt)
        self.assertIn("--list-rules", zsh)
        self.assertIn("--list-rules", fish)

    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
    def test_zsh_syntax(self):
        r = subprocess.run(["zsh", "-n", ZSH], stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, b""))

    @unittest.skipUnless(shutil.which("fish"), "fish is not installed")
    def test_fish_syntax(self):
        r = subprocess.run(["fish", "--no-execute", FISH],
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, b""))


class Install(TempDirTest):
    @unittest.skipUnless(shutil.which("cmake"), "cmake is not installed")
    def test_cmake_install(self):
        build = os.path.dirname(EXPLAIN)
        if not os.path.exists(os.path.join(build, "cmake_install.cmake")):
            self.skipTest("EXPLAIN_BIN is not in a CMake build directory")
        r = subprocess.run(["cmake", "--install", build, "--prefix", self.tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        for p in ["bin/explain", "share/man/man1/explain.1",
                  "share/explain/explain-report.schema.json",
                  "share/bash-completion/completions/explain",
                  "share/zsh/site-functions/_explain",
                  "share/fish/vendor_completions.d/explain.fish"]:
            self.assertTrue(os.path.isfile(os.path.join(self.tmp, p)), p)


if __name__ == "__main__":
    unittest.main()


class CodeSpeaksForItself(unittest.TestCase):
    """A reader of the code has only the code: comments say what it is for
    in words, never which tracker entry asked for it."""

    TRACKER = re.compile(rb"\b(issue|task|ticket)s? ?#?[0-9]+\b", re.I)

    def test_no_tracker_numbers_in_the_sources(self):
        out = subprocess.run(["git", "-C", SOURCE_DIR, "ls-files"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if out.returncode != 0:
            self.skipTest("the sources are not a git checkout")
        found = []
        for name in out.stdout.decode().splitlines():
            if name.startswith("tests/fixtures/") or \
                    not re.search(r"\.(c|h|py|sh|cmake|txt|json|md|1)$|"
                                  r"(^|/)CMakeLists\.txt$|^\.ci/", name):
                continue
            path = os.path.join(SOURCE_DIR, name)
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                for n, line in enumerate(f, 1):
                    if self.TRACKER.search(line):
                        found.append("%s:%d: %s" % (
                            name, n, line.decode("utf-8", "replace").strip()))
        self.assertEqual(found, [], "tracker numbers in the code")
