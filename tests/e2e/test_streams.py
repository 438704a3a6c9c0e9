"""Streams: what the command writes reaches the same place, byte for byte,
at once and in order; stdin, argv, environment, cwd and descriptors are the
command's as if explain were not there."""
import hashlib
import json
import os
import select
import signal
import subprocess
import time
import unittest

from helpers import EXPLAIN, PYTHON, TempDirTest, py, run, wait_for_file


class PassThrough(TempDirTest):
    def test_binary_bytes_exact(self):
        data = bytes(range(256)) * 64 + b"\x00\xff\xfe\xc3\x28 invalid utf-8" + \
            os.urandom(1 << 20)
        src = self.write("data.bin", data)
        r = run(py("import sys,shutil; shutil.copyfileobj(open(%r,'rb'), "
                   "sys.stderr.buffer)" % src))
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, data)
        self.assertEqual(r.stdout, b"")

    def test_100_mb_line_without_newline(self):
        size = 100 * 1000 * 1000
        out = open(self.path("err"), "wb")
        r = run(["sh", "-c", "head -c %d /dev/zero | tr '\\0' a >&2" % size],
                stderr=out, timeout=120)
        out.close()
        self.assertEqual(r.returncode, 0)
        self.assertEqual(os.path.getsize(self.path("err")), size)
        h = hashlib.sha256()
        with open(self.path("err"), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        self.assertEqual(h.hexdigest(),
                         hashlib.sha256(b"a" * size).hexdigest())

    def test_partial_line_arrives_at_once(self):
        # The command writes "partial" with no newline and then waits for
        # its stdin: explain must not hold the bytes back for a newline.
        p = subprocess.Popen(
            [EXPLAIN] + py("import os,sys; os.write(2, b'partial'); "
                           "sys.stdin.read(); os.write(2, b' rest\\n')"),
            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            r, _, _ = select.select([p.stderr], [], [], 10)
            self.assertTrue(r, "nothing arrived within 10 s")
            self.assertEqual(os.read(p.stderr.fileno(), 100), b"partial")
            self.assertIsNone(p.poll())
            p.stdin.close()
            self.assertEqual(p.stderr.read(), b" rest\n")
            self.assertEqual(p.wait(10), 0)
        finally:
            p.kill()
            p.wait()

    def test_interleaved_order_with_2_to_1(self):
        # Alternating unbuffered writes to stdout and stderr: in one file
        # (2>&1) they must come out in exactly the order they were made.
        code = ("import os\n"
                "for i in range(2000):\n"
                "    os.write(1 + i % 2, b'%d%s\\n' % (i, b'o' if i % 2 == 0 else b'e'))\n")
        with open(self.path("log"), "wb") as log:
            r = run(py(code), stdout=log, stderr=subprocess.STDOUT)
        self.assertEqual(r.returncode, 0)
        want = b"".join(b"%d%s\n" % (i, b"o" if i % 2 == 0 else b"e")
                        for i in range(2000))
        with open(self.path("log"), "rb") as f:
            self.assertEqual(f.read(), want)

    def test_interleaved_order_through_a_pipe(self):
        code = ("import os\n"
                "for i in range(500):\n"
                "    os.write(2 if i % 3 else 1, b'line %d\\n' % i)\n")
        r = run(py(code), stderr=subprocess.STDOUT)
        self.assertEqual(r.stdout, b"".join(b"line %d\n" % i for i in range(500)))

    def test_stdout_separate_stays_inherited(self):
        # With stdout and stderr apart, stdout is explain's own file.
        with open(self.path("out"), "wb") as out:
            r = run(py("import os; st = os.fstat(1); "
                       "print(st.st_dev, st.st_ino, flush=True)"), stdout=out)
        self.assertEqual(r.returncode, 0)
        st = os.stat(self.path("out"))
        with open(self.path("out")) as f:
            self.assertEqual(f.read().split(), [str(st.st_dev), str(st.st_ino)])

    def test_stdin_pass_through(self):
        data = os.urandom(300000)
        r = run(["cat"], input=data, stdin=None)
        self.assertEqual(r.stdout, data)

    def test_stdin_is_the_same_file(self):
        src = self.write("in.txt", "hello\n")
        with open(src, "rb") as f:
            r = run(py("import os; st = os.fstat(0); print(st.st_ino)"), stdin=f)
        self.assertEqual(r.stdout.strip(), str(os.stat(src).st_ino).encode())


class Fidelity(TempDirTest):
    def test_argv_env_cwd(self):
        args = [b"a b", b"", b"  ", b"\xff\xfe non-utf8", b"$(touch pwned)",
                b"new\nline", b"-q", b"--"]
        env = {b"PATH": os.environb[b"PATH"], b"EXPLAIN_T": b"va lue\xff",
               b"EMPTY": b""}
        dump = self.path("dump.json")
        code = ("import os,sys,json; json.dump({'argv': [a.hex() for a in "
                "map(os.fsencode, sys.argv[1:])], 'env': {k.hex(): v.hex() "
                "for k, v in os.environb.items()}, 'cwd': os.getcwd()}, "
                "open(%r, 'w'))" % dump)
        r = subprocess.run([os.fsencode(EXPLAIN), os.fsencode(PYTHON), b"-c",
                            code.encode()] + args, env=env, cwd=self.tmp,
                           timeout=30)
        self.assertEqual(r.returncode, 0)
        with open(dump) as f:
            got = json.load(f)
        self.assertEqual([bytes.fromhex(a) for a in got["argv"]], args)
        genv = {bytes.fromhex(k): bytes.fromhex(v) for k, v in got["env"].items()}
        for k, v in env.items():
            self.assertEqual(genv.get(k), v)
        # Python may add LC_CTYPE on its own; nothing else appears.
        self.assertLessEqual(set(genv) - set(env), {b"LC_CTYPE"})
        self.assertEqual(got["cwd"], os.path.realpath(self.tmp))
        self.assertFalse(os.path.exists(self.path("pwned")))


class Descriptors(TempDirTest):
    FDS = ("import os\n"
           "def is_open(fd):\n"
           "    try:\n"
           "        os.fstat(fd)\n"
           "        return True\n"
           "    except OSError:\n"
           "        return False\n"
           "print([fd for fd in range(1024) if is_open(fd)])\n")

    def test_no_descriptor_leaks_into_the_command(self):
        r = run(["sh", "-c", 'exec "$0" -c "$1"', PYTHON, self.FDS], close_fds=True)
        fds = json.loads(r.stdout)
        self.assertEqual(fds, [0, 1, 2])

    def test_caller_descriptors_are_passed_on(self):
        # Like make's jobserver: fd 5 opened by the caller reaches the command.
        r = subprocess.run(
            ["sh", "-c", '"$0" "$1" -c "import os; print(os.read(5, 100))" '
             '5</etc/hostname', EXPLAIN, PYTHON],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open("/etc/hostname", "rb") as f:
            self.assertEqual(r.stdout.strip(), repr(f.read()).encode())

    def test_started_with_stdin_and_stdout_closed(self):
        code = ("import os,sys\n"
                "closed = [fd for fd in (0, 1) if not os.path.exists('/proc/self/fd/%d' % fd)]\n"
                "os.write(2, repr(closed).encode())\n"
                "sys.exit(3)\n")
        r = subprocess.run(["sh", "-c", '"$0" "$1" -c "$2" <&- >&-', EXPLAIN,
                            PYTHON, code], stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stderr, b"[0, 1]")

    def test_started_with_stderr_closed(self):
        r = subprocess.run(["sh", "-c", '"$0" sh -c "echo x >&2; echo out; '
                            'exit 7" 2>&-', EXPLAIN], stdout=subprocess.PIPE,
                           timeout=30)
        self.assertEqual(r.returncode, 7)
        self.assertEqual(r.stdout, b"out\n")

    def test_broken_stderr_does_not_stop_the_command(self):
        # explain's stderr is a pipe whose reader has gone: the command still
        # runs to the end (it writes a file last) and its status comes out.
        marker = self.path("finished")
        rd, wr = os.pipe()
        os.close(rd)
        code = ("import os\n"
                "for i in range(2000): os.write(2, b'x' * 1000 + b'\\n')\n"
                "open(%r, 'w').close()\n"
                "raise SystemExit(6)\n" % marker)
        r = run(py(code), stderr=wr)
        os.close(wr)
        self.assertEqual(r.returncode, 6)
        self.assertTrue(os.path.exists(marker))


class Lingering(TempDirTest):
    def test_returns_soon_after_the_command_exits(self):
        # A background descendant keeps stderr open for 3 s: explain returns
        # within about a second, and the descendant's later output still
        # arrives (explain hands the channel to a copier).
        err = self.path("err")
        with open(err, "wb") as f:
            t0 = time.monotonic()
            p = subprocess.Popen([EXPLAIN, "sh", "-c",
                                  "(sleep 2; echo late >&2) & echo early >&2; "
                                  "exit 5"], stderr=f, stdin=subprocess.DEVNULL)
            rc = p.wait(10)
            elapsed = time.monotonic() - t0
        self.assertEqual(rc, 5)
        self.assertLess(elapsed, 1.5)
        with open(err, "rb") as f:
            self.assertEqual(f.read(), b"early\n")
        self.assertEqual(wait_for_file(err, timeout=10, contains=b"late"),
                         b"early\nlate\n")


if __name__ == "__main__":
    unittest.main()
