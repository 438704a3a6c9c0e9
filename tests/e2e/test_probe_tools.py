"""The tools explainers end to end: real Python, pip, git, node and gcc
failing under explain in a fresh temporary directory, and the causes and
fixes explain finds on this machine. Where a fix is safe to apply here, the
test applies it and checks that the command then succeeds: the fix must be
exact."""
import json
import os
import shutil
import subprocess
import unittest

from helpers import EXPLAIN, TempDirTest, run

SYSTEM_PYTHON = "/usr/bin/python3"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def diagnosis(stdout, explainer):
    """The diagnosis of the report that the explainer filled."""
    report = json.loads(stdout)
    for d in report["diagnoses"]:
        if d.get("explainer") == explainer:
            return d
    raise AssertionError("no diagnosis by %s in %s" % (
        explainer, json.dumps(report["diagnoses"], indent=1)[:3000]))


def verdicts(d):
    return {c["id"]: c["verdict"] for c in d["causes"]}


def fix_commands(d):
    return [f["command"] for f in d["fixes"] if f.get("command")]


def clean_env(**extra):
    """The environment of the command: no venv, no CI markers, a private
    HOME when given."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH",
                        "GITHUB_ACTIONS", "GITLAB_CI", "CI")}
    env.update(extra)
    return env


def system_python_version():
    try:
        out = subprocess.run([SYSTEM_PYTHON, "-c",
                              "import sys; print('%d.%d' % sys.version_info[:2])"],
                             stdout=subprocess.PIPE, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode().strip()


class PythonModules(TempDirTest):
    def test_module_not_found_with_inactive_venv(self):
        ver = system_python_version()
        if ver is None:
            self.skipTest("%s is not available" % SYSTEM_PYTHON)
        # A real venv (no pip: nothing is downloaded), with the module in
        # its site-packages; the command runs the system Python instead.
        r = subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip",
                            self.path(".venv")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        if r.returncode != 0:
            self.skipTest("venv unavailable (install python3-venv): %s"
                          % r.stderr.decode()[-200:])
        site = self.path(".venv/lib/python%s/site-packages/zzexplain_e2e" % ver)
        os.makedirs(site)
        with open(os.path.join(site, "__init__.py"), "w") as f:
            f.write("VALUE = 42\n")
        self.write("app.py", "import zzexplain_e2e\nprint(zzexplain_e2e.VALUE)\n")

        r = run(["--format", "json", SYSTEM_PYTHON, "app.py"], cwd=self.tmp,
                env=clean_env())
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"No module named 'zzexplain_e2e'", r.stderr)
        d = diagnosis(r.stdout, "python-module-not-found")
        v = verdicts(d)
        self.assertEqual(v["venv-inactive"], "confirmed",
                         json.dumps(d, indent=1)[:3000])
        self.assertEqual(v["other-interpreter"], "ruled-out")
        self.assertFalse(d["stale"])
        self.assertEqual(d["facts"]["python_version"], ver)
        cause = [c for c in d["causes"] if c["id"] == "venv-inactive"][0]
        self.assertEqual(cause["facts"]["venv"], self.path(".venv"))
        self.assertTrue(cause["facts"]["venv_has_module"])
        # The first fix reruns the command with the venv's Python: apply it.
        cmd = fix_commands(d)[0]
        self.assertIn(self.path(".venv/bin/python"), cmd)
        out = subprocess.run(["sh", "-c", cmd], cwd=self.tmp,
                             stdout=subprocess.PIPE, timeout=60)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stdout.strip(), b"42")

    def test_pip_externally_managed(self):
        ver = system_python_version()
        if ver is None:
            self.skipTest("%s is not available" % SYSTEM_PYTHON)
        marker = "/usr/lib/python%s/EXTERNALLY-MANAGED" % ver
        if not os.path.exists(marker):
            self.skipTest("%s has no PEP 668 marker (%s)" % (SYSTEM_PYTHON,
                                                              marker))
        if subprocess.run([SYSTEM_PYTHON, "-m", "pip", "--version"],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("pip is not installed for %s (python3-pip)"
                          % SYSTEM_PYTHON)
        # As an unprivileged user: pip refuses before any download.
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", SYSTEM_PYTHON,
                                     "-m", "pip", "install",
                                     "zz-explain-not-a-package"],
                           cwd=self.tmp, env=clean_env(HOME=self.tmp),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"externally-managed-environment", r.stderr)
        d = diagnosis(r.stdout, "pip-externally-managed")
        v = verdicts(d)
        self.assertEqual(v["no-venv"], "confirmed")
        self.assertEqual(v["venv-inactive"], "ruled-out")
        self.assertEqual(d["facts"]["marker"], marker)
        cmds = fix_commands(d)
        self.assertIn("%s -m venv .venv && .venv/bin/python -m pip install "
                      "zz-explain-not-a-package" % SYSTEM_PYTHON, cmds)
        # Never a blanket sudo; the override is offered only in containers
        # and CI, and last.
        for f in d["fixes"]:
            self.assertFalse((f.get("command") or "").startswith("sudo "))
        brk = [i for i, c in enumerate(cmds) if "--break-system-packages" in c]
        if brk:
            self.assertEqual(brk[0], len(cmds) - 1)


class Git(TempDirTest):
    def setUp(self):
        super().setUp()
        if shutil.which("git") is None:
            self.skipTest("git is not installed")
        self.home = self.path("home")
        os.mkdir(self.home)
        # No system or user configuration is read or touched.
        self.env = clean_env(HOME=self.home, GIT_CONFIG_NOSYSTEM="1",
                             GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e",
                             GIT_COMMITTER_NAME="t",
                             GIT_COMMITTER_EMAIL="t@e")
        self.repo = self.path("repo")
        subprocess.run(["git", "init", "-q", self.repo], env=self.env,
                       check=True, timeout=60)

    def test_dubious_ownership(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to give the repository to another uid")
        for root, dirs, files in os.walk(self.repo):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), 12345, 12345)
        os.lchown(self.repo, 12345, 12345)
        r = run(["--format", "json", "git", "-C", self.repo, "status"],
                cwd=self.tmp, env=self.env)
        self.assertEqual(r.returncode, 128)
        self.assertIn(b"dubious ownership", r.stderr)
        d = diagnosis(r.stdout, "git-dubious-ownership")
        v = verdicts(d)
        self.assertEqual(v["owner-mismatch"], "confirmed")
        self.assertEqual(v["no-exception"], "confirmed")
        self.assertEqual(v["home-changed"], "ruled-out")
        self.assertEqual(d["facts"]["owner_uid"], 12345)
        self.assertFalse(d["stale"])
        # The least privileged fix first: apply it, then git works.
        fix = d["fixes"][0]
        self.assertFalse(fix["needs_root"])
        self.assertEqual(fix["command"],
                         "git config --global --add safe.directory " +
                         self.repo)
        subprocess.run(["sh", "-c", fix["command"]], env=self.env, check=True,
                       timeout=60)
        ok = subprocess.run(["git", "-C", self.repo, "status"], env=self.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)

    def test_dubious_ownership_as_unprivileged_user(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to drop to another user")
        # The repository is root's; nobody runs git in it.
        os.chmod(self.home, 0o777)
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", "git", "-C",
                                     self.repo, "log"],
                           cwd=self.tmp, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 128)
        d = diagnosis(r.stdout, "git-dubious-ownership")
        self.assertEqual(verdicts(d)["owner-mismatch"], "confirmed")
        self.assertEqual(d["facts"]["owner_uid"], 0)
        self.assertEqual(d["facts"]["euid"], 65534)
        chown = [f for f in d["fixes"] if "chown" in (f.get("command") or "")]
        self.assertTrue(chown and chown[0]["needs_root"])

    def test_stale_index_lock(self):
        self.write("repo/a.txt", "a\n")
        lock = os.path.join(self.repo, ".git", "index.lock")
        open(lock, "w").close()
        os.utime(lock, (1_000_000_000, 1_000_000_000))
        r = run(["--format", "json", "git", "-C", self.repo, "add", "a.txt"],
                cwd=self.tmp, env=self.env)
        self.assertEqual(r.returncode, 128)
        self.assertIn(b"index.lock", r.stderr)
        d = diagnosis(r.stdout, "git-lock-file")
        v = verdicts(d)
        self.assertEqual(v["running"], "ruled-out")
        self.assertEqual(v["crashed"], "confirmed")
        self.assertTrue(d["facts"]["lock_exists"])
        self.assertGreater(d["facts"]["lock_age_seconds"], 3600)
        self.assertFalse(d["stale"])
        cmd = fix_commands(d)[0]
        self.assertEqual(cmd, "rm -f -- " + lock)
        subprocess.run(["sh", "-c", cmd], check=True, timeout=30)
        ok = subprocess.run(["git", "-C", self.repo, "add", "a.txt"],
                            env=self.env, timeout=60)
        self.assertEqual(ok.returncode, 0)

    def test_lock_gone_is_stale(self):
        # The message from a log, about a lock that no longer exists.
        lock = os.path.join(self.repo, ".git", "index.lock")
        log = self.write("build.log",
                         "fatal: Unable to create '%s': File exists.\n\n"
                         "Another git process seems to be running in this "
                         "repository, e.g.\n" % lock)
        r = run(["--format", "json", "--log", log], cwd=self.tmp, env=self.env)
        d = diagnosis(r.stdout, "git-lock-file")
        self.assertTrue(d["stale"])
        self.assertFalse(d["facts"]["lock_exists"])
        self.assertEqual(verdicts(d)["crashed"], "ruled-out")


class NodeAndToolchain(TempDirTest):
    def test_node_module_not_found(self):
        if shutil.which("node") is None:
            self.skipTest("node is not installed")
        self.write("package.json", json.dumps({
            "name": "t", "version": "1.0.0",
            "dependencies": {"zz-explain-dep": "^1.0.0"}}))
        self.write("index.js", "require('zz-explain-dep');\n")
        r = run(["--format", "json", "node", "index.js"], cwd=self.tmp,
                env=clean_env())
        self.assertEqual(r.returncode, 1)
        d = diagnosis(r.stdout, "node-module-not-found")
        v = verdicts(d)
        self.assertEqual(v["not-installed"], "confirmed")
        self.assertEqual(v["not-declared"], "ruled-out")
        self.assertEqual(d["facts"]["project"], self.tmp)
        self.assertIn("npm install", " ".join(fix_commands(d)))

    def test_missing_header(self):
        if shutil.which("gcc") is None:
            self.skipTest("gcc is not installed")
        self.write("x.c", "#include <zz_explain_missing.h>\nint x;\n")
        r = run(["--format", "json", "gcc", "-c", "x.c", "-o", "x.o"],
                cwd=self.tmp, env=clean_env())
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "cc-header-not-found")
        v = verdicts(d)
        self.assertEqual(v["dev-package"], "confirmed")
        self.assertEqual(v["include-path"], "ruled-out")
        self.assertEqual(v["source-build"], "ruled-out")

    def test_header_outside_the_include_path(self):
        if shutil.which("gcc") is None:
            self.skipTest("gcc is not installed")
        ver = system_python_version()
        inc = "/usr/include/python%s" % ver
        if ver is None or not os.path.exists(os.path.join(inc, "Python.h")):
            self.skipTest("Python.h is not installed (libpython3-dev)")
        self.write("x.c", "#include <Python.h>\nint x;\n")
        r = run(["--format", "json", "gcc", "-c", "x.c", "-o", "x.o"],
                cwd=self.tmp, env=clean_env())
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r.stdout, "cc-header-not-found")
        self.assertEqual(verdicts(d)["include-path"], "confirmed")
        cause = [c for c in d["causes"] if c["id"] == "include-path"][0]
        self.assertEqual(cause["facts"]["include_dir"], inc)
        # The fix, applied, makes the same compile work.
        cmd = fix_commands(d)[0]
        ok = subprocess.run(["sh", "-c", cmd + " && gcc -c x.c -o x.o"],
                            cwd=self.tmp, env=clean_env(), timeout=120)
        self.assertEqual(ok.returncode, 0)


if __name__ == "__main__":
    unittest.main()
