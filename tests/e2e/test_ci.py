"""explain in CI and containers: GitHub Actions annotations and job summary
(with the environment set as the runner sets it), GitLab CI sections, the
example workflow step, and the example Dockerfile whose entrypoint is
explain (checked statically, and simulated as PID 1 with unshare)."""
import json
import os
import re
import shutil
import subprocess
import unittest

from helpers import EXPLAIN, PYTHON, SOURCE_DIR, TempDirTest, run

EXAMPLES = os.path.join(SOURCE_DIR, "examples")
ANNOTATION = re.compile(r"^::error(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


def unescape_property(s):
    for a, b in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"),
                 ("%25", "%")):
        s = s.replace(a, b)
    return s


def unescape_message(s):
    for a, b in (("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        s = s.replace(a, b)
    return s


def parse_properties(props):
    out = {}
    for item in (props or "").split(","):
        if item:
            k, _, v = item.partition("=")
            out[k] = v
    return out


class RunnerEnv(TempDirTest):
    def setUp(self):
        super().setUp()
        self.summary = self.path("step_summary.md")
        with open(self.summary, "w") as f:
            f.write("earlier step\n")
        # What the runner sets (the parts explain may read).
        self.env = dict(os.environ, CI="true", GITHUB_ACTIONS="true",
                        GITHUB_WORKSPACE=self.tmp,
                        GITHUB_STEP_SUMMARY=self.summary,
                        GITHUB_OUTPUT=self.path("output"),
                        GITHUB_ENV=self.path("env"),
                        GITHUB_REPOSITORY="octo/app", GITHUB_SHA="0" * 40,
                        RUNNER_OS="Linux", RUNNER_TEMP=self.tmp,
                        EXPLAIN_HISTORY="0")
        for k in ("GITLAB_CI", "NO_COLOR"):
            self.env.pop(k, None)

    def annotations(self, stdout):
        found = []
        for line in stdout.decode().splitlines():
            if line.startswith("::"):
                m = ANNOTATION.match(line)
                self.assertIsNotNone(m, "malformed workflow command %r" % line)
                found.append((m.group("props") or "", m.group("msg")))
        return found


class GitHubActions(RunnerEnv):
    def failing_script(self):
        # A directory whose name needs escaping in a property.
        d = self.path("src,v1:final")
        os.mkdir(d)
        script = os.path.join(d, "save.py")
        with open(script, "w") as f:
            f.write("import sys\n\nopen('/nonexistent/100%/out.csv', 'w')\n")
        return script

    def test_annotations_on_stdout(self):
        script = self.failing_script()
        r = run([PYTHON, script], env=self.env, cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"FileNotFoundError", r.stderr)
        anns = self.annotations(r.stdout)
        self.assertEqual(len(anns), 1, r.stdout)
        raw_props, raw_msg = anns[0]
        # Properties: % \r \n : , escaped; the message: % \r \n.
        self.assertIn("%2C", raw_props)
        self.assertIn("%3A", raw_props)
        props = {k: unescape_property(v)
                 for k, v in parse_properties(raw_props).items()}
        self.assertEqual(props["file"], script)
        self.assertEqual(props["line"], "3")
        self.assertIn("FileNotFoundError", props["title"])
        self.assertNotIn("\n", raw_msg)
        self.assertNotRegex(raw_msg, r"%(?!25|0A|0D)")
        msg = unescape_message(raw_msg)
        self.assertIn("/nonexistent/100%/out.csv", msg)

    def test_job_summary(self):
        script = self.failing_script()
        run([PYTHON, script], env=self.env, cwd=self.tmp)
        with open(self.summary) as f:
            md = f.read()
        self.assertTrue(md.startswith("earlier step\n"), "not appended")
        section = md[len("earlier step\n"):].lstrip("\n")
        self.assertTrue(section.startswith("### explain:"), section)
        self.assertIn("Python FileNotFoundError", section)
        # The evidence line in a code block.
        self.assertRegex(section, r"```[a-z]*\nFileNotFoundError: \[Errno 2\]"
                                  r"[^\n]*\n```")
        # Causes with their verdicts.
        self.assertRegex(section, r"(?m)^- .*(unknown|confirmed|ruled out)")
        # Fix commands in a sh block.
        self.assertRegex(section, r"```sh\n[^`]*/nonexistent[^`]*\n```")

    def test_format_github_without_the_runner(self):
        env = dict(self.env)
        del env["GITHUB_ACTIONS"]
        r = run(["--format", "github", "no-such-command-xyz"], env=env,
                cwd=self.tmp)
        self.assertEqual(r.returncode, 127)
        anns = self.annotations(r.stdout)
        self.assertEqual(len(anns), 1)
        self.assertNotIn("file=", anns[0][0])  # no location known

    def test_success_says_nothing(self):
        r = run(["true"], env=self.env, cwd=self.tmp)
        self.assertEqual((r.returncode, r.stdout), (0, b""))
        with open(self.summary) as f:
            self.assertEqual(f.read(), "earlier step\n")

    def test_workflow_example_step(self):
        with open(os.path.join(EXAMPLES, "github-workflow.yml")) as f:
            text = f.read()
        try:
            import yaml
        except ImportError:
            yaml = None
        if yaml is not None:
            wf = yaml.safe_load(text)
            steps = wf["jobs"]["test"]["steps"]
            runs = [s.get("run", "") for s in steps]
        else:
            runs = re.findall(r"run: (.*)", text)
        self.assertIn("explain --report report.json -- make test", runs)
        # The step itself, on a project whose tests fail.
        if not shutil.which("make"):
            self.skipTest("make is not installed")
        self.write("Makefile", "test:\n\t%s -c \"import numpy_xyz\"\n" %
                   PYTHON)
        r = subprocess.run(["sh", "-c",
                            "explain --report report.json -- make test"],
                           env=dict(self.env, PATH=os.path.dirname(EXPLAIN) +
                                    os.pathsep + self.env["PATH"]),
                           cwd=self.tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(r.returncode, 2)  # make's status: the step fails
        with open(self.path("report.json")) as f:
            rep = json.load(f)
        self.assertEqual(rep["command"], ["make", "test"])
        ids = [d["id"] for d in rep["diagnoses"]]
        self.assertIn("python.module-not-found", ids)
        self.assertTrue(self.annotations(r.stdout))
        with open(self.summary) as f:
            self.assertIn("### explain:", f.read())


class GitLab(RunnerEnv):
    def test_collapsed_section(self):
        env = dict(self.env, GITLAB_CI="true")
        for k in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
            del env[k]
        r = run(["no-such-command-xyz"], env=env, cwd=self.tmp)
        self.assertEqual(r.returncode, 127)
        err = r.stderr.decode()
        m = re.search(r"\x1b\[0Ksection_start:(\d+):explain\[collapsed=true\]"
                      r"\r\x1b\[0K(.*?)\x1b\[0Ksection_end:(\d+):explain\r"
                      r"\x1b\[0K", err, re.S)
        self.assertIsNotNone(m, repr(err))
        self.assertIn("explain: command not found", m.group(2))
        self.assertLessEqual(int(m.group(1)), int(m.group(3)))
        self.assertEqual(r.stdout, b"")


class DockerEntrypoint(TempDirTest):
    def test_dockerfile(self):
        with open(os.path.join(EXAMPLES, "Dockerfile")) as f:
            text = f.read()
        lines = [l.strip() for l in text.splitlines()]
        entry = [l for l in lines if l.startswith("ENTRYPOINT")]
        self.assertEqual(len(entry), 1)
        # Exec form: explain is PID 1, not a shell.
        self.assertEqual(json.loads(entry[0][len("ENTRYPOINT"):]),
                         ["explain", "--"])
        self.assertRegex(text, r"(?m)^FROM debian:12")
        self.assertRegex(text, r"(?m)^COPY \. /src$")  # built from the repo
        self.assertIn("cmake --install", text)
        # The build installs what bootstrap.sh says the build needs.
        with open(os.path.join(SOURCE_DIR, "bootstrap.sh")) as f:
            boot = f.read()
        for pkg in ("libuv1-dev", "libpcre2-dev", "libcjson-dev",
                    "libunwind-dev"):
            self.assertIn(pkg, boot)
            self.assertIn(pkg, text)

    def pid1(self, script, timeout=30):
        if not shutil.which("unshare"):
            self.skipTest("unshare is not installed")
        probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc",
                                "true"], stderr=subprocess.PIPE, timeout=30)
        if probe.returncode != 0:
            self.skipTest("cannot create a PID namespace here: %s" %
                          probe.stderr.decode().strip())
        env = dict(os.environ, EXPLAIN_HISTORY="0")
        return subprocess.run(["unshare", "--pid", "--fork", "--mount-proc",
                               EXPLAIN, "--", "sh", "-c", script],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, cwd=self.tmp, timeout=timeout)

    def test_entrypoint_as_pid1(self):
        r = self.pid1("echo parent=$PPID; "
                      "python3 -c \"open('/nonexistent/x', 'w')\"")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"parent=1", r.stdout)
        self.assertIn(b"explain: Python FileNotFoundError", r.stderr)

    def test_pid1_signal_and_orphans(self):
        r = self.pid1("kill -TERM $$")
        self.assertEqual(r.returncode, 128 + 15)
        # An orphan left behind neither hangs explain nor changes the status.
        r = self.pid1("(sleep 30 &) ; exit 3", timeout=20)
        self.assertEqual(r.returncode, 3)


if __name__ == "__main__":
    unittest.main()
