"""The exec, loader, port, limit and lock explainers end to end: real
failures under explain (commands outside PATH, scripts without x, noexec
mounts, CRLF and missing interpreters, foreign programs, missing libraries,
busy ports, privileged ports, descriptor limits, held locks, busy files),
checked in the JSON report. Runs as root in CI; drops to nobody where the
failure needs an unprivileged user; mounts happen inside unshare -m."""
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import unittest

from helpers import EXPLAIN, TempDirTest, wait_for_file

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SYSTEM_PYTHON = "/usr/bin/python3"


def report(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        raise AssertionError("no JSON report; stdout %r stderr %r" %
                             (r.stdout[-2000:], r.stderr[-2000:]))


def diagnosis(r, explainer, also=()):
    for d in report(r)["diagnoses"]:
        if d.get("explainer") == explainer or d.get("explainer") in also:
            return d
    raise AssertionError("no %s diagnosis in %r" % (
        explainer, [(d.get("id"), d.get("explainer"))
                    for d in report(r)["diagnoses"]]))


def cause(d, cid):
    for c in d["causes"]:
        if c["id"] == cid:
            return c
    raise AssertionError("no cause %s in %r" % (
        cid, [(c["id"], c["verdict"]) for c in d["causes"]]))


def explain(args, timeout=60, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([EXPLAIN, "--format", "json"] + list(args),
                          timeout=timeout, **kw)


def have(tool):
    return shutil.which(tool) is not None


def is_root():
    return os.geteuid() == 0


class CannotExecute(TempDirTest):
    def test_command_not_found(self):
        r = explain(["nosuchcmd-explain-e2e"], cwd=self.tmp)
        self.assertEqual(r.returncode, 127)
        d = diagnosis(r, "exec.command-not-found")
        self.assertEqual(cause(d, "not-installed")["verdict"], "confirmed")

    def test_command_outside_path(self):
        os.makedirs(self.path(".local/bin"))
        self.write(".local/bin/mytool", "#!/bin/sh\necho ok\n", 0o755)
        env = dict(os.environ, HOME=self.tmp, PATH="/usr/bin:/bin")
        r = explain(["mytool"], cwd=self.tmp, env=env)
        self.assertEqual(r.returncode, 127)
        d = diagnosis(r, "exec.command-not-found")
        c = cause(d, "outside-path")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["found_at"],
                         self.path(".local/bin/mytool"))
        cmds = [f["command"] for f in d["fixes"] if f["command"]]
        self.assertIn(self.path(".local/bin/mytool"), cmds)

    def test_python_versus_python3(self):
        os.mkdir(self.path("pbin"))
        os.symlink(SYSTEM_PYTHON, self.path("pbin/python3"))
        env = dict(os.environ, PATH=self.path("pbin"), HOME=self.tmp)
        r = explain(["python", "-c", "1"], cwd=self.tmp, env=env)
        self.assertEqual(r.returncode, 127)
        d = diagnosis(r, "exec.command-not-found")
        c = cause(d, "similar-name")
        self.assertEqual(c["facts"]["similar"][0], "python3")

    def test_script_without_x_bit(self):
        p = self.write("run.sh", "#!/bin/sh\necho hi\n", 0o644)
        r = explain([p], cwd=self.tmp)
        self.assertEqual(r.returncode, 126)
        d = diagnosis(r, "exec.cannot-execute")
        self.assertEqual(cause(d, "no-x-bit")["verdict"], "confirmed")
        self.assertIn("chmod u+x " + p,
                      [f["command"] for f in d["fixes"]])

    def test_fifo_with_an_x_bit(self):
        # exec refuses a FIFO with EACCES; explain must not wait on it (an
        # open for its first bytes would block forever) and says what it
        # is.
        p = self.path("pipe")
        os.mkfifo(p, 0o755)
        os.chmod(p, 0o755)
        r = explain([p], cwd=self.tmp, timeout=30)
        self.assertEqual(r.returncode, 126)
        d = diagnosis(r, "exec.cannot-execute")
        c = cause(d, "not-a-program")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertIn("is a fifo, not a file", c["text"])

    def test_script_without_x_bit_as_nobody(self):
        if not is_root():
            self.skipTest("needs root to drop to nobody")
        p = self.write("run.sh", "#!/bin/sh\necho hi\n", 0o644)
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", p],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, cwd=self.tmp)
        self.assertEqual(r.returncode, 126)
        d = diagnosis(r, "exec.cannot-execute")
        self.assertEqual(cause(d, "no-x-bit")["verdict"], "confirmed")
        # nobody does not own the file: the fix needs root.
        self.assertTrue(any(f["needs_root"] for f in d["fixes"]))

    def test_noexec_mount(self):
        if not is_root() or not have("unshare"):
            self.skipTest("needs root and unshare for a private mount")
        mnt = self.path("mnt")
        os.mkdir(mnt)
        src = self.write("x.sh", "#!/bin/sh\necho hi\n", 0o755)
        script = ("mount -t tmpfs -o noexec tmpfs %s && cp -p %s %s/x.sh && "
                  "exec %s --format json %s/x.sh") % (mnt, src, mnt, EXPLAIN,
                                                      mnt)
        r = subprocess.run(["unshare", "-m", "--propagation", "private",
                            "sh", "-c", script], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        if b"mount:" in r.stderr and r.returncode != 126:
            self.skipTest("cannot mount here: %r" % r.stderr[-300:])
        self.assertEqual(r.returncode, 126)
        d = diagnosis(r, "exec.cannot-execute")
        c = cause(d, "noexec-mount")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["mount_point"], mnt)
        self.assertEqual(cause(d, "no-x-bit")["verdict"], "ruled-out")
        cmds = [f["command"] for f in d["fixes"]]
        self.assertIn("/bin/sh %s/x.sh" % mnt, cmds)

    def test_crlf_shebang(self):
        p = self.write("crlf.sh", b"#!/bin/sh\r\necho hi\r\n", 0o755)
        r = explain([p], cwd=self.tmp)
        self.assertIn(r.returncode, (126, 127))
        d = diagnosis(r, "exec.cannot-execute")
        self.assertEqual(cause(d, "crlf-shebang")["verdict"], "confirmed")
        self.assertIn("sed -i 's/\\r$//' " + p,
                      [f["command"] for f in d["fixes"]])

    def test_crlf_shebang_through_bash(self):
        if not have("bash"):
            self.skipTest("bash is not installed")
        p = self.write("crlf.sh", b"#!/bin/bash\r\necho hi\r\n", 0o755)
        r = explain(["bash", "-c", p], cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r, "exec.cannot-execute")
        self.assertEqual(cause(d, "crlf-shebang")["verdict"], "confirmed")

    def test_missing_interpreter(self):
        p = self.write("old.py", "#!/usr/bin/python-explain-none\nprint(1)\n",
                       0o755)
        r = explain([p], cwd=self.tmp)
        self.assertIn(r.returncode, (126, 127))
        d = diagnosis(r, "exec.cannot-execute")
        c = cause(d, "missing-interpreter")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["interpreter"],
                         "/usr/bin/python-explain-none")

    def test_foreign_architecture(self):
        # A minimal 64-bit little-endian AArch64 executable header.
        hdr = bytearray(64)
        hdr[0:4] = b"\x7fELF"
        hdr[4], hdr[5], hdr[6] = 2, 1, 1
        hdr[16] = 2
        hdr[18] = 183
        hdr[20] = 1
        hdr[52] = 64
        hdr[54] = 56
        if os.uname().machine == "aarch64":
            hdr[18] = 62  # then make it x86-64
        p = self.write("foreign", bytes(hdr), 0o755)
        binfmt = "/proc/sys/fs/binfmt_misc/qemu-aarch64"
        if os.path.exists(binfmt):
            self.skipTest("qemu-user emulation is registered here")
        # Directly (execvp hands ENOEXEC files to sh, which says "not
        # found"), and through a program that reports ENOEXEC itself.
        for argv in ([p], [SYSTEM_PYTHON, "-c",
                           "import subprocess; subprocess.run([%r])" % p]):
            r = explain(argv, cwd=self.tmp)
            self.assertNotEqual(r.returncode, 0)
            d = diagnosis(r, "exec.cannot-execute",
                          also=("exec.command-not-found",))
            c = cause(d, "wrong-architecture")
            self.assertEqual(c["verdict"], "confirmed")
            self.assertEqual(c["facts"]["elf_machine"],
                             "AArch64" if hdr[18] == 183 else "x86-64")

    def _cc(self, out, src, *flags):
        if not have("gcc"):
            self.skipTest("gcc is not installed")
        c = self.write(out + ".c", src)
        subprocess.run(["gcc", "-o", self.path(out), c] + list(flags),
                       check=True, cwd=self.tmp, timeout=120)
        return self.path(out)

    def test_missing_elf_interpreter(self):
        p = self._cc("prog", "int main(void){return 0;}\n",
                     "-Wl,--dynamic-linker=/nonexistent/ld-explain.so.2")
        r = explain([p], cwd=self.tmp)
        self.assertIn(r.returncode, (126, 127))
        d = diagnosis(r, "exec.cannot-execute")
        c = cause(d, "missing-interpreter")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["interpreter"],
                         "/nonexistent/ld-explain.so.2")

    def test_missing_shared_library(self):
        os.mkdir(self.path("build"))
        lib = self.write("lib.c", "int explain_e2e(void){return 0;}\n")
        if not have("gcc"):
            self.skipTest("gcc is not installed")
        subprocess.run(["gcc", "-shared", "-fPIC", "-o",
                        self.path("build/libexplaine2e.so.1"), lib,
                        "-Wl,-soname,libexplaine2e.so.1"], check=True,
                       timeout=120)
        os.symlink("libexplaine2e.so.1", self.path("build/libexplaine2e.so"))
        p = self._cc("app", "int explain_e2e(void);\n"
                     "int main(void){return explain_e2e();}\n",
                     "-L" + self.path("build"), "-lexplaine2e")
        env = dict(os.environ)
        env.pop("LD_LIBRARY_PATH", None)
        r = explain([p], cwd=self.tmp, env=env)
        self.assertEqual(r.returncode, 127)
        self.assertIn(b"libexplaine2e.so.1", r.stderr)
        d = diagnosis(r, "loader.shared-library")
        self.assertEqual(cause(d, "not-in-cache")["verdict"], "confirmed")
        c = cause(d, "found-elsewhere")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["found_at"],
                         self.path("build/libexplaine2e.so.1"))
        self.assertTrue(any("LD_LIBRARY_PATH" in (f["command"] or "")
                            for f in d["fixes"]))


class Ports(TempDirTest):
    def listener(self, port=0):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", port))
        s.listen(1)
        self.addCleanup(s.close)
        return s, s.getsockname()[1]

    def holder_process(self):
        """A separate process that listens on a free loopback port."""
        ready = self.path("port")
        code = ("import socket,time\n"
                "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(1)\n"
                "open(%r,'w').write(str(s.getsockname()[1]))\n"
                "time.sleep(60)\n") % ready
        p = subprocess.Popen([SYSTEM_PYTHON, "-c", code])
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        port = int(wait_for_file(ready, contains=None).decode() or 0)
        while port == 0:
            time.sleep(0.01)
            port = int(open(ready).read() or 0)
        return p, port

    def test_busy_port(self):
        holder, port = self.holder_process()
        code = ("import socket\ns=socket.socket()\n"
                "s.bind(('127.0.0.1', %d))\n") % port
        r = explain([SYSTEM_PYTHON, "-c", code, str(port)], cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"Address already in use", r.stderr)
        d = diagnosis(r, "net.address-in-use")
        c = [c for c in d["causes"] if c["verdict"] == "confirmed" and
             c["facts"].get("pid") == holder.pid]
        self.assertTrue(c, d["causes"])
        self.assertIn("kill %d" % holder.pid,
                      [f["command"] for f in d["fixes"]])

    def test_busy_port_node(self):
        if not have("node"):
            self.skipTest("node is not installed")
        _, port = self.listener()
        code = "require('net').createServer().listen(%d, '127.0.0.1')" % port
        r = explain(["node", "-e", code], cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r, "net.address-in-use")
        self.assertEqual(d["facts"]["port"], port)
        c = [c for c in d["causes"] if c["facts"].get("pid") == os.getpid()]
        self.assertTrue(c, d["causes"])

    def test_refused_port(self):
        if not have("curl"):
            self.skipTest("curl is not installed")
        s, port = self.listener()
        s.close()  # a port that was free a moment ago
        _, near = self.listener()
        r = explain(["curl", "-sS", "http://127.0.0.1:%d/" % port],
                    cwd=self.tmp)
        self.assertEqual(r.returncode, 7)
        d = diagnosis(r, "net.connection-refused")
        c = cause(d, "not-running")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertIn(near, d["facts"].get("listening_nearby", []))

    def test_privileged_port_as_nobody(self):
        if not is_root():
            self.skipTest("needs root to drop to nobody")
        if not have("node"):
            self.skipTest("node is not installed (its listen EACCES message "
                          "names the port)")
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            start = int(f.read())
        if start <= 80:
            self.skipTest("port 80 is unprivileged on this machine")
        node = shutil.which("node")
        code = "require('net').createServer().listen(80, '127.0.0.1')"
        r = subprocess.run(NOBODY + [EXPLAIN, "--format", "json", node, "-e",
                                     code], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        d = diagnosis(r, "net.bind-denied")
        c = cause(d, "privileged-port")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["unprivileged_port_start"], start)
        self.assertFalse(d["fixes"][0]["needs_root"])


class Resources(TempDirTest):
    def test_open_files_limit(self):
        code = ("fs=[]\n"
                "while True: fs.append(open('/dev/null'))\n")

        def lower():
            resource.setrlimit(resource.RLIMIT_NOFILE, (32, 4096))

        r = explain([SYSTEM_PYTHON, "-c", code], cwd=self.tmp,
                    preexec_fn=lower)
        self.assertEqual(r.returncode, 1)
        d = diagnosis(r, "limits.open-files")
        self.assertEqual(d["facts"]["soft_limit"], 32)
        self.assertEqual(d["facts"]["hard_limit"], 4096)
        self.assertEqual(cause(d, "low-limit")["verdict"], "confirmed")
        self.assertIn("ulimit -n 4096", [f["command"] for f in d["fixes"]])

    def test_flock_held(self):
        lock = self.write("app.lock", "")
        ready = self.path("ready")
        holder = ("import fcntl,time\nf=open(%r,'w')\n"
                  "fcntl.flock(f, fcntl.LOCK_EX)\nopen(%r,'w').write('1')\n"
                  "time.sleep(60)\n") % (lock, ready)
        p = subprocess.Popen([SYSTEM_PYTHON, "-c", holder])
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        wait_for_file(ready)
        code = ("import fcntl\nf=open(%r,'w')\n"
                "fcntl.flock(f, fcntl.LOCK_EX|fcntl.LOCK_NB)\n") % lock
        r = explain([SYSTEM_PYTHON, "-c", code], cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"BlockingIOError", r.stderr)
        d = diagnosis(r, "lock.held")
        c = cause(d, "other-instance")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["pid"], p.pid)

    def test_busy_executable(self):
        prog = self.path("mysleep")
        shutil.copy("/bin/sleep", prog)
        p = subprocess.Popen([prog, "60"])
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        time.sleep(0.2)
        # The write fails with ETXTBSY while the program runs.
        r = explain([SYSTEM_PYTHON, "-c", "open(%r, 'wb')" % prog],
                    cwd=self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"Text file busy", r.stderr)
        d = diagnosis(r, "exec.text-file-busy")
        c = cause(d, "running")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["pid"], p.pid)


if __name__ == "__main__":
    unittest.main()
