"""Exit status: the command's own, death by the command's signal, and the
shell's codes when it cannot be run."""
import os
import signal
import subprocess
import unittest

from helpers import EXPLAIN, TempDirTest, catchable_terminating_signals, py, run


class ExitStatus(TempDirTest):
    def test_every_exit_code(self):
        # One shell runs explain 256 times, so the test is quick.
        script = 'for i in $(seq 0 255); do "$0" sh -c "exit $i" 2>/dev/null; ' \
                 'echo "$i $?"; done'
        out = subprocess.run(["sh", "-c", script, EXPLAIN],
                             stdout=subprocess.PIPE, timeout=120).stdout
        lines = out.decode().split("\n")[:-1]
        self.assertEqual(len(lines), 256)
        for line in lines:
            want, got = line.split()
            self.assertEqual(want, got, "exit %s came out as %s" % (want, got))

    def test_death_by_every_signal(self):
        for sig in catchable_terminating_signals():
            with self.subTest(signal=sig):
                r = run(["sh", "-c", "kill -%d $$" % sig], cwd=self.tmp)
                self.assertEqual(r.returncode, -sig)

    def test_no_core_dump_of_its_own(self):
        # The command's SIGSEGV is mirrored without explain dumping core:
        # explain may dump (ulimit -c unlimited), the command may not.
        r = subprocess.run(["sh", "-c", 'ulimit -c unlimited; cd "$1"; "$0" '
                            'sh -c "ulimit -c 0; kill -SEGV \\$\\$"; '
                            'echo "rc=$?"',
                            EXPLAIN, self.tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        self.assertIn(b"rc=139", r.stdout)
        self.assertNotIn(b"core dumped", r.stderr)
        self.assertFalse([f for f in os.listdir(self.tmp) if "core" in f])

    def test_bash_loop_sees_128_plus_n(self):
        r = subprocess.run(["bash", "-c", '"$0" sh -c "kill -INT \\$\\$"; '
                            'echo "rc=$?"', EXPLAIN],
                           stdout=subprocess.PIPE, timeout=30)
        self.assertEqual(r.stdout.strip(), b"rc=130")


class ExecFailures(TempDirTest):
    def test_not_found_in_path(self):
        env = dict(os.environ, PATH=self.tmp + ":/nonexistent")
        r = run(["no-such-command-xyz"], env=env)
        self.assertEqual(r.returncode, 127)
        first = r.stderr.split(b"\n")[0]
        self.assertIn(b"no-such-command-xyz: command not found", first)
        self.assertIn(("PATH=%s:/nonexistent" % self.tmp).encode(), first)

    def test_not_found_with_slash(self):
        r = run(["./missing"], cwd=self.tmp)
        self.assertEqual(r.returncode, 127)
        self.assertEqual(r.stderr.split(b"\n")[0],
                         b"explain: ./missing: No such file or directory")

    def test_not_executable(self):
        self.write("script.sh", "#!/bin/sh\necho hi\n", mode=0o644)
        r = run(["./script.sh"], cwd=self.tmp,
                preexec_fn=lambda: os.setresuid(65534, 65534, 65534))
        self.assertEqual(r.returncode, 126)
        self.assertEqual(r.stderr.split(b"\n")[0],
                         b"explain: ./script.sh: Permission denied")

    def test_found_in_path_but_not_executable(self):
        self.write("tool", "#!/bin/sh\necho hi\n", mode=0o644)
        env = dict(os.environ, PATH=self.tmp)
        r = run(["tool"], env=env,
                preexec_fn=lambda: os.setresuid(65534, 65534, 65534))
        self.assertEqual(r.returncode, 126)
        self.assertIn(b"tool: Permission denied", r.stderr)
        self.assertIn(self.path("tool").encode() + b", found in PATH but not "
                      b"executable", r.stderr)

    def test_directory(self):
        r = run([self.tmp])
        self.assertEqual(r.returncode, 126)
        self.assertIn(b"Permission denied", r.stderr)

    def test_crlf_shebang_names_the_interpreter(self):
        self.write("win.sh", b"#!/bin/sh\r\necho hi\r\n", mode=0o755)
        r = run(["./win.sh"], cwd=self.tmp)
        self.assertEqual(r.returncode, 126)
        self.assertIn(b"interpreter was not found: #!/bin/sh\\r", r.stderr)
        self.assertNotIn(b"\r", r.stderr)

    def test_foreign_binary_is_not_run_by_sh(self):
        # An AArch64 ELF header (NUL bytes): like bash, 126 and ENOEXEC, not
        # a shell complaining about garbage.
        head = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x02\x00\xb7\x00" + b"\0" * 44
        self.write("arm64", head, mode=0o755)
        r = run(["./arm64"], cwd=self.tmp)
        self.assertEqual(r.returncode, 126)
        self.assertEqual(r.stderr.split(b"\n")[0],
                         b"explain: ./arm64: Exec format error")

    def test_script_without_shebang_runs_with_sh(self):
        self.write("plain", "echo from-sh; exit 4\n", mode=0o755)
        r = run(["./plain"], cwd=self.tmp)
        self.assertEqual(r.returncode, 4)
        self.assertEqual(r.stdout, b"from-sh\n")

    def test_usage_errors_are_125(self):
        self.assertEqual(run([]).returncode, 125)
        r = run(["--no-such-option", "true"])
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"unknown option '--no-such-option'", r.stderr)

    def test_options_end_at_first_word(self):
        # "-q" after the command name belongs to the command.
        r = run(["sh", "-c", 'printf "%s|" "$@"', "sh", "--help", "-q"])
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"--help|-q|")
        r = run(["--", "--help"])
        self.assertEqual(r.returncode, 127)


if __name__ == "__main__":
    unittest.main()
