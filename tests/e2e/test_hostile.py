"""Hostile and broken input and environments: explain must never
be the thing that breaks, never a way in, never the slow part."""
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

from helpers import EXPLAIN, EXPLAIN_SANITIZED, TempDirTest, run

PERM_LINE = "PermissionError: [Errno 13] Permission denied: '%s'"


def rule_file(rules):
    return json.dumps({"format": "explain-rules/1", "rules": rules})


class HostileOutput(TempDirTest):
    def test_gigabytes_of_output_keep_memory_flat(self):
        # 1 GiB of lines that all match a rule (256 MiB for a sanitized
        # build; EXPLAIN_HOSTILE_MIB=10240 for the 10 GiB of the issue)
        # through explain's stderr; at the end the command reads explain's
        # peak RSS (VmHWM).
        size = int(os.environ.get("EXPLAIN_HOSTILE_MIB") or
                   (256 if EXPLAIN_SANITIZED else 1024)) << 20
        script = ('yes "error: make: *** [all] Error 1 and some filler text" '
                  '| head -c %d >&2; '
                  'grep VmHWM /proc/$PPID/status > "$0"; exit 2' % size)
        hwm = self.path("hwm")
        with open(os.devnull, "wb") as null:
            start = time.monotonic()
            r = run(["sh", "-c", script, hwm], stderr=null, timeout=1800)
            took = time.monotonic() - start
        self.assertEqual(r.returncode, 2)
        with open(hwm) as f:
            kb = int(f.read().split()[1])
        limit = 400 << 10 if EXPLAIN_SANITIZED else 64 << 10
        self.assertLess(kb, limit, "explain peaked at %d kB" % kb)
        print("\n%d MiB in %.1f s, explain's peak RSS %d kB" %
              (size >> 20, took, kb))

    def test_a_line_that_matches_hundreds_of_rules(self):
        os.mkdir(self.path("rules"))
        rules = [{"id": "t.many-%03d" % i, "title": "rule %d" % i,
                  "tags": ["test"],
                  "patterns": [{"regex": "hostile-marker (?<n%d>\\w+)" % i}],
                  "event": {"condition": "t-%d" % i},
                  "meaning": "m ${n%d}" % i} for i in range(300)]
        self.write("rules/many.json", rule_file(rules))
        start = time.monotonic()
        r = run(["--rules", self.path("rules"), "--format", "json", "sh", "-c",
                 "for i in 1 2 3; do echo 'hostile-marker word' >&2; done; "
                 "exit 1"], timeout=120)
        self.assertLess(time.monotonic() - start, 60)
        self.assertEqual(r.returncode, 1)
        rep = json.loads(r.stdout)
        ids = [d["id"] for d in rep["diagnoses"]]
        self.assertTrue(ids, "no diagnosis")
        self.assertTrue(all(i.startswith("t.many-") for i in ids))
        self.assertLessEqual(len(ids), 300)

    def test_catastrophic_regex_is_stopped_by_the_match_limit(self):
        os.mkdir(self.path("rules"))
        self.write("rules/bt.json", rule_file([{
            "id": "t.backtrack", "title": "backtracking", "tags": ["test"],
            "patterns": [{"regex": "^fatal-bt: (a+)+b"}], "meaning": "m"}]))
        line = "fatal-bt: " + "a" * 40 + "c"
        start = time.monotonic()
        r = run(["--rules", self.path("rules"), "--format", "json", "sh", "-c",
                 "for i in $(seq 40); do echo '%s' >&2; done; exit 1" % line],
                timeout=120)
        took = time.monotonic() - start
        self.assertEqual(r.returncode, 1)
        json.loads(r.stdout)
        # A hang guard only: 2^40 steps would take hours.
        self.assertLess(took, 60)


class HostileNames(TempDirTest):
    NAMES = ["$(touch pwned)", "; rm -rf ~", "a\nb", "esc\x1b[2J\x1b]0;t\x07x",
             b"caf\xe9-\xff"]

    def names(self):
        for n in self.NAMES:
            yield os.fsencode(n) if isinstance(n, str) else n

    def test_names_stay_data(self):
        for name in self.names():
            path = os.path.join(os.fsencode(self.tmp), b"d", name)
            line = b"PermissionError: [Errno 13] Permission denied: '" + \
                path + b"'\n"
            src = self.write("line", line)
            with self.subTest(name=name):
                r = run(["--format", "json", "sh", "-c",
                         'cat "$0" >&2; exit 1', src], cwd=self.tmp)
                self.assertEqual(r.returncode, 1)
                rep = json.loads(r.stdout)  # valid JSON whatever the bytes
                if b"\n" in name:
                    # The newline cuts the message in two lines: nothing
                    # matches, nothing breaks.
                    self.assertFalse(os.path.exists(self.path("pwned")))
                    continue
                d = rep["diagnoses"][0]
                for fix in d["fixes"]:
                    cmd = fix.get("command")
                    if not cmd:
                        continue
                    # Every fix command is one sh word per argument: sh
                    # reads it back without running anything in it.
                    out = subprocess.run(
                        ["sh", "-c", "set -f; eval 'set -- '\"$0\"; "
                         "for a; do printf '%s\\0' \"$a\"; done",
                         cmd.split(" ", 1)[1] if " " in cmd else ""],
                        stdout=subprocess.PIPE, cwd=self.tmp, timeout=10)
                    self.assertEqual(out.returncode, 0)
                self.assertFalse(os.path.exists(self.path("pwned")))
                r = run(["sh", "-c", 'cat "$0" >&2; exit 1', src],
                        cwd=self.tmp)
                report = r.stderr[len(line):]
                self.assertIn(b"python.permission-error", report)
                self.assertNotIn(b"\x1b", report)
                self.assertNotIn(b"\x07", report)
                self.assertFalse(os.path.exists(self.path("pwned")))

    def test_fix_commands_round_trip_through_sh(self):
        # The rule's fix command quotes the path: sh -c gives back the very
        # bytes of the name as one argument.
        for name in self.names():
            path = os.path.join(os.fsencode(self.tmp), name)
            line = b"PermissionError: [Errno 13] Permission denied: '" + \
                path + b"'\n"
            src = self.write("line", line)
            r = run(["--format", "json", "sh", "-c", 'cat "$0" >&2; exit 1',
                     src], cwd=self.tmp)
            rep = json.loads(r.stdout)
            cmds = [f["command"] for d in rep["diagnoses"]
                    for f in d["fixes"] if f.get("command")]
            quoted = [c for c in cmds if c.startswith("namei ")]
            if not quoted or not os.fsdecode(name).isprintable():
                continue  # JSON holds U+FFFD for bytes that are not UTF-8
            with self.subTest(name=name):
                cmd = quoted[0].replace("namei", "printf '%s\\0'", 1)
                out = subprocess.run(["sh", "-c", cmd], stdout=subprocess.PIPE,
                                     cwd=self.tmp, timeout=10)
                args = out.stdout.split(b"\0")[:-1]
                self.assertEqual(args[-1], path)
                self.assertFalse(os.path.exists(self.path("pwned")))


class HostileEnvironment(TempDirTest):
    FAIL = ("printf \"PermissionError: [Errno 13] Permission denied: "
            "'/nonexistent/x.csv'\\n\" >&2; exit 3")

    def test_stdout_and_stderr_closed(self):
        def close_both():
            os.close(1)
            os.close(2)
        r = subprocess.run([EXPLAIN, "sh", "-c", "echo out; echo err >&2; "
                            + self.FAIL], stdin=subprocess.DEVNULL,
                           preexec_fn=close_both, timeout=60)
        self.assertEqual(r.returncode, 3)

    def test_sigpipe_on_stdout(self):
        # The JSON report goes to a pipe nobody reads any more.
        rd, wr = os.pipe()
        os.close(rd)
        r = subprocess.run([EXPLAIN, "--format", "json", "sh", "-c",
                            self.FAIL], stdin=subprocess.DEVNULL, stdout=wr,
                           stderr=subprocess.PIPE, timeout=60)
        os.close(wr)
        self.assertEqual(r.returncode, 3)
        self.assertNotIn(b"explain crashed", r.stderr)

    def test_no_home(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")}
        r = run(["sh", "-c", self.FAIL], env=env)
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"python.permission-error", r.stderr)

    def test_read_only_rules_dir(self):
        os.mkdir(self.path("rules"))
        self.write("rules/bad.json", "{\"format\": 1,\n \x01}", mode=0o444)
        os.chmod(self.path("rules"), 0o555)
        try:
            r = run(["--rules", self.path("rules"), "sh", "-c", self.FAIL])
        finally:
            os.chmod(self.path("rules"), 0o755)
        self.assertEqual(r.returncode, 3)
        # One clear file:line:column message for the broken file; the
        # built-in rules still work.
        self.assertIn(b"bad.json:2:2: JSON syntax error", r.stderr)
        self.assertIn(b"python.permission-error", r.stderr)

    def test_fifo_named_like_a_rule_file(self):
        # A FIFO in a rules directory must not hang the loader, and with it
        # the diagnosis after the command ended: it is refused in one line.
        os.mkdir(self.path("rules"))
        os.mkfifo(self.path("rules/pipe.json"))
        r = run(["--rules", self.path("rules"), "sh", "-c", self.FAIL],
                timeout=30)
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"pipe.json: not a regular file", r.stderr)
        self.assertIn(b"python.permission-error", r.stderr)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare"),
                         "needs root and unshare(1)")
    @unittest.skipIf(os.environ.get("EXPLAIN_UNDER_VALGRIND"),
                     "valgrind itself needs /proc")
    def test_proc_not_mounted(self):
        r = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             'mount -t tmpfs none /proc && exec "$0" sh -c "$1"', EXPLAIN,
             self.FAIL], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=60)
        if b"mount:" in r.stderr and r.returncode != 3:
            self.skipTest("cannot mount here: %r" % r.stderr)
        self.assertEqual(r.returncode, 3)
        self.assertIn(b"python.permission-error", r.stderr)
        self.assertIn(b"/proc is not mounted", r.stderr)
        self.assertNotIn(b"explain crashed", r.stderr)

    def without_cjson(self, script):
        """Runs explain on sh -c SCRIPT with libcjson.so.1 replaced by an
        empty file (a bind mount in a private mount namespace)."""
        lib = subprocess.run(["sh", "-c", "ldconfig -p | grep -m1 "
                              "'libcjson.so.1 ' | sed 's/.*=> //'"],
                             stdout=subprocess.PIPE, timeout=30
                             ).stdout.decode().strip()
        if not lib or not os.path.exists(lib):
            self.skipTest("libcjson.so.1 not found by ldconfig")
        empty = self.write("empty.so", b"")
        r = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             'mount --bind "$2" "$3" && exec "$0" sh -c "$1"', EXPLAIN,
             script, empty, os.path.realpath(lib)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, timeout=60)
        if b"mount:" in r.stderr and r.returncode != 3:
            self.skipTest("cannot mount here: %r" % r.stderr)
        return r

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare"),
                         "needs root and unshare(1)")
    @unittest.skipIf(os.environ.get("EXPLAIN_UNDER_VALGRIND"),
                     "valgrind loads its own copy of the libraries")
    def test_json_library_missing(self):
        # libcjson is opened on first use: a broken installation where it
        # cannot be loaded costs the diagnosis, in one line, never the
        # command's output or status.
        r = self.without_cjson(self.FAIL)
        self.assertEqual(r.returncode, 3)
        self.assertTrue(r.stderr.startswith(
            PERM_LINE.encode() % b"/nonexistent/x.csv" + b"\n"), r.stderr)
        msg = [l for l in r.stderr.splitlines() if b"cannot load" in l]
        self.assertEqual(len(msg), 1, r.stderr)
        self.assertIn(b"libcjson.so.1", msg[0])
        self.assertNotIn(b"explain crashed", r.stderr)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare"),
                         "needs root and unshare(1)")
    @unittest.skipIf(os.environ.get("EXPLAIN_UNDER_VALGRIND"),
                     "valgrind loads its own copy of the libraries")
    def test_json_library_missing_mid_line(self):
        # The library is first needed at the command's first byte, in the
        # middle of its first line: the line saying it is missing waits for
        # the end and never splits the command's line.
        r = self.without_cjson("printf 'half a' >&2; sleep 0.5; "
                               "printf ' line\\n' >&2; exit 3")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertTrue(r.stderr.startswith(b"half a line\n"), r.stderr)
        self.assertEqual(r.stderr.count(b"cannot load"), 1, r.stderr)

    def test_tiny_descriptor_limit(self):
        # ulimit -n 4: no descriptor for the relay pipe. The command still
        # runs on explain's stderr, with its status, after one line saying
        # its output is not read. ulimit -n 5: relayed, the rules cannot be
        # opened, said once. ulimit -n 8: everything, diagnosis included.
        import resource

        def limit(n):
            return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))

        missing = self.path("no-such-dir")
        for n in (4, 5, 8):
            r = subprocess.run([EXPLAIN, "ls", missing],
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=limit(n), timeout=60)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(b"ls: cannot access '%s'" % missing.encode(),
                          r.stderr)
            self.assertEqual(b"its output is not read" in r.stderr, n == 4,
                             r.stderr)
            self.assertEqual(r.stderr.count(b"Too many open files"),
                             1 if n < 8 else 0, r.stderr)
            self.assertEqual(b"fs.not-found" in r.stderr, n == 8, r.stderr)
            self.assertNotIn(b"explain crashed", r.stderr)

    def test_descriptor_limits_around_the_event_loop(self):
        # libuv's loop takes seven descriptors of its own and aborts when it
        # cannot make its signal pipe: with too few, explain relays without
        # it. At every limit from the smallest that leaves room for the
        # rules, with one channel and with two (--scan both), the output is
        # relayed and the diagnosis comes; the loop (an epoll among
        # explain's descriptors, seen by the command) is there when there is
        # room for it, and not at the smallest limits.
        import resource

        def limit(n):
            return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))

        missing = self.path("no-such-dir")
        script = 'sleep 0.2; ls -l /proc/$PPID/fd; ls "$1"'
        for opts, low in (([], 8), (["--scan", "both"], 10)):
            for n in list(range(low, low + 13)) + [64]:
                r = subprocess.run([EXPLAIN] + opts +
                                   ["sh", "-c", script, "sh", missing],
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE,
                                   preexec_fn=limit(n), timeout=60)
                what = "%s at ulimit -n %d: %r" % (opts, n, r.stderr)
                self.assertEqual(r.returncode, 2, what)
                self.assertIn(b"ls: cannot access '%s'" % missing.encode(),
                              r.stderr, what)
                self.assertNotIn(b"Too many open files", r.stderr, what)
                self.assertIn(b"fs.not-found", r.stderr, what)
                self.assertNotIn(b"explain crashed", r.stderr, what)
                if n in (low, 64):
                    self.assertEqual(b"eventpoll" in r.stdout, n == 64,
                                     "%s\n%r" % (what, r.stdout))

    @unittest.skipIf(shutil.which("cc") is None, "no C compiler")
    def test_no_signal_descriptor(self):
        # signalfd() refused (no memory): the output is still relayed and
        # the status kept, after one line; the end of the command is found
        # by polling, even while a descendant keeps stderr open.
        src = self.write("nosfd.c", "#include <errno.h>\n"
                         "#include <signal.h>\n"
                         "int signalfd(int fd, const sigset_t *m, int f) {\n"
                         "  (void)fd; (void)m; (void)f;\n"
                         "  errno = ENOMEM;\n  return -1;\n}\n")
        lib = self.path("nosfd.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", lib, src], check=True)
        env = dict(os.environ, LD_PRELOAD=lib)
        for i, (script, code) in enumerate((
                ("echo out; echo err >&2; exit 3", 3),
                ("(sleep 3 >&2 &) ; echo err >&2; exit 4", 4))):
            errfile = self.path("err%d" % i)
            with open(errfile, "wb") as err:
                t0 = time.monotonic()
                p = subprocess.Popen([EXPLAIN, "-q", "sh", "-c", script],
                                     stdin=subprocess.DEVNULL, env=env,
                                     stdout=subprocess.DEVNULL, stderr=err)
                self.assertEqual(p.wait(timeout=60), code)
                took = time.monotonic() - t0
            with open(errfile, "rb") as f:
                out = f.read()
            self.assertIn(b"err\n", out)
            self.assertEqual(out.count(b"no signal descriptor"), 1, out)
            self.assertLess(took, 2.5, out)

    def test_sigpipe_ignored_or_default_for_the_command(self):
        # explain between a producer and `head`: the command sees the
        # broken pipe, explain keeps its status.
        r = subprocess.run(["sh", "-c", '"$0" sh -c "yes | head -c 100000; '
                            'exit 4" | head -c 10 >/dev/null; '
                            'echo "${PIPESTATUS:-}"', EXPLAIN],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(r.returncode, 0)
        self.assertNotIn(b"explain crashed", r.stderr)


if __name__ == "__main__":
    unittest.main()
