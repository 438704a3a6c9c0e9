"""End-to-end tests of subjects the message does not name: real programs
(python3, node, java, C) fail without naming the file, port, address, lock
or database, and explain recovers it from what the command held when it
printed the error (its descriptors, its sockets), from the source line of
the traceback, or from the command line, says how, and probes it. Also:
relative subjects resolve against the directory the tool worked in (git
-C, make -C, a script that cds). Each test reads the text and the JSON
report of the same run."""

import json
import os
import socket
import subprocess
import sys
import time
import unittest

from helpers import (EXPLAIN, TempDirTest, can_unshare, find_cause,
                     fix_commands, have, wait_for_file)

PY = "/usr/bin/python3"
SH = "/bin/sh"
ROOT = os.geteuid() == 0
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


UNSHARE = can_unshare()


def diagnosis(report, rid):
    for d in report.get("diagnoses", []):
        if d["id"] == rid:
            return d
    raise AssertionError("no diagnosis %s in %s" %
                         (rid, json.dumps(report, indent=1)[:3000]))


cause = find_cause
commands = fix_commands


class SubjectTest(TempDirTest):

    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, EXPLAIN_HISTORY="0", NO_COLOR="1",
                        COLUMNS="400")

    def explain(self, argv, prefix=(), cwd=None, env=None):
        """Runs explain once; returns (JSON report, text on stderr)."""
        report = self.path("report.json")
        # An unprivileged explain writes it too.
        with open(report, "w"):
            pass
        os.chmod(report, 0o666)
        r = subprocess.run(list(prefix) + [EXPLAIN, "--color", "never",
                                           "--report", report] + list(argv),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, cwd=cwd or self.tmp,
                           env=env or self.env, timeout=120)
        with open(report) as f:
            return json.load(f), r.stderr.decode("utf-8", "replace")

    def in_full_tmpfs(self, body):
        """Runs the shell script body in a new mount namespace where
        $FULL is a 64 KiB tmpfs that anyone may write; returns the JSON
        report of the explain run it makes, its text, and the free bytes
        the file system had after it."""
        full = self.path("full")
        os.mkdir(full)
        report = self.path("report.json")
        script = (
            "mount -t tmpfs -o size=64k,mode=1777 tmpfs {full} || exit 9\n"
            "FULL={full}; EX='{ex} --color never --report {rep}'\n"
            "{body}\n"
            "{py} -c 'import os; v=os.statvfs(\"{full}\"); "
            "print(v.f_bavail * v.f_frsize)' > {tmp}/free\n").format(
                full=full, ex=EXPLAIN, rep=report, body=body, py=PY,
                tmp=self.tmp)
        r = subprocess.run(["unshare", "-m", SH, "-c", script],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=self.env,
                           timeout=120)
        self.assertNotEqual(r.returncode, 9, r.stderr)
        with open(report) as f:
            rep = json.load(f)
        with open(self.path("free")) as f:
            free = int(f.read())
        return rep, r.stderr.decode("utf-8", "replace"), full, free

    # ------------------------------------------------------------------
    # ENOSPC: the file open for writing, on the file system that is full

    @unittest.skipUnless(UNSHARE, "needs root and unshare -m")
    def test_python_enospc_from_the_descriptor(self):
        # A decoy: a log open for writing first (fd 3) on a file system
        # with room; the output (fd 4) is on the full one. Its exit takes
        # a moment (an atexit handler), as real programs' do: one that is
        # gone within a millisecond of its message is not seen.
        prog = self.write("w.py", (
            "import atexit, time\n"
            "atexit.register(time.sleep, 0.2)\n"
            "log = open(%r, 'w')\n"
            "out = open(__import__('sys').argv[1], 'wb')\n"
            "out.write(b'x' * 1000000)\n") % self.path("decoy.log"))
        rep, text, full, free = self.in_full_tmpfs(
            "$EX %s %s $FULL/out.bin" % (PY, prog))
        d = diagnosis(rep, "python.no-space")
        self.assertEqual(d["subject"]["value"], full + "/out.bin")
        self.assertIn("fd 4", d["subject"]["from"])
        self.assertIn("full file system", d["subject"]["from"])
        c = cause(d, "blocks-exhausted")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["free_bytes"], free)
        self.assertEqual(d["facts"]["mount_point"], full)
        self.assertIn("du -xh --max-depth=2 %s" % full, commands(d))
        self.assertFalse(d["stale"])
        self.assertIn("from: the file open for writing on fd 4", text)
        self.assertIn("ENOSPC during write of path %s/out.bin" % full, text)

    @unittest.skipUnless(UNSHARE and have("node"), "needs unshare and node")
    def test_node_enospc_from_the_source_line(self):
        # writeFileSync closes its descriptor before it throws: the frame's
        # source line is what names the file.
        prog = self.write("w.js", (
            "const fs = require('fs');\n"
            "fs.writeFileSync('%s/full/out.bin', Buffer.alloc(1000000));\n")
            % self.tmp)
        rep, text, full, _ = self.in_full_tmpfs("$EX node %s" % prog)
        d = diagnosis(rep, "node.errno-without-path")
        self.assertEqual(d["errno"], "ENOSPC")
        self.assertEqual(d["subject"]["value"], full + "/out.bin")
        self.assertIn("source line %s:2" % prog, d["subject"]["from"])
        self.assertEqual(d["location"], {"file": prog, "line": 2})
        self.assertEqual(cause(d, "blocks-exhausted")["verdict"], "confirmed")
        self.assertIn("writeFileSync", text)

    @unittest.skipUnless(UNSHARE and have("gcc"), "needs unshare and gcc")
    def test_c_perror_enospc_from_the_descriptor(self):
        # A logger that says perror("write") and waits before its retry.
        src = self.write("w.c", r'''
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static char buf[1 << 20];
int main(int argc, char **argv) {
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ssize_t n;
  do n = write(fd, buf, sizeof buf); while (n > 0);
  perror("write");
  usleep(200000);
  return 1;
}
''')
        exe = self.path("w")
        subprocess.run(["gcc", "-O", "-o", exe, src], check=True)
        rep, text, full, _ = self.in_full_tmpfs("$EX %s $FULL/c.bin" % exe)
        d = diagnosis(rep, "c.perror-syscall")
        self.assertEqual(d["errno"], "ENOSPC")
        self.assertEqual(d["subject"]["value"], full + "/c.bin")
        self.assertIn("fd 3", d["subject"]["from"])
        self.assertEqual(cause(d, "blocks-exhausted")["verdict"], "confirmed")

    @unittest.skipUnless(UNSHARE and have("javac"), "needs unshare and javac")
    def test_java_enospc_from_the_descriptor(self):
        # A shutdown hook (a framework's) lets the JVM be seen after its
        # message.
        src = self.write("W.java", (
            "public class W { public static void main(String[] a) "
            "throws Exception {\n"
            "  java.io.FileOutputStream o = new java.io.FileOutputStream(a[0]);"
            "\n  o.write(new byte[1000000]);\n} static { Runtime.getRuntime()"
            ".addShutdownHook(new Thread(() -> { try { Thread.sleep(200); } "
            "catch (InterruptedException e) { } })); } }\n"))
        subprocess.run(["javac", "-d", self.tmp, src], check=True)
        rep, text, full, _ = self.in_full_tmpfs(
            "$EX java -cp %s W $FULL/j.bin" % self.tmp)
        d = diagnosis(rep, "java.io-exception-errno")
        self.assertEqual(d["subject"]["value"], full + "/j.bin")
        self.assertIn("open for writing", d["subject"]["from"])
        self.assertEqual(d["location"], {"file": "W.java", "line": 3})
        self.assertEqual(cause(d, "blocks-exhausted")["verdict"], "confirmed")

    @unittest.skipUnless(UNSHARE, "needs root and unshare -m")
    def test_nothing_names_the_file(self):
        # `with` closes the file before the traceback: nothing held names
        # it, and the source line names only the variable.
        prog = self.write("w.py", (
            "import sys\n"
            "with open(sys.argv[1] + '/out.bin', 'wb') as f:\n"
            "    f.write(b'x' * 1000000)\n"))
        rep, text, full, _ = self.in_full_tmpfs("$EX %s %s $FULL" % (PY, prog))
        d = diagnosis(rep, "python.no-space")
        self.assertIsNone(d["subject"]["value"])
        c = cause(d, "blocks-exhausted")
        self.assertEqual(c["verdict"], "unknown")
        self.assertIn("nothing names the file", c["text"])
        # No fix that needs the path: only the one that lists every file
        # system.
        self.assertEqual(commands(d), ["df -h"])
        self.assertNotIn("''", text)
        self.assertEqual(text.count("nothing names the file"), 1)

    # ------------------------------------------------------------------
    # Ports and addresses

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_bind_below_1024_from_the_source_line(self):
        prog = self.write("b.py", "import socket\ns = socket.socket()\n"
                          "s.bind((\"127.0.0.1\", 80))\n")
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            start = int(f.read())
        if start <= 80:
            self.skipTest("port 80 is not privileged here")
        rep, text = self.explain([PY, prog], NOBODY)
        d = diagnosis(rep, "python.permission-error")
        self.assertEqual(d["operation"], "bind")
        self.assertEqual(d["subject"], {
            "kind": "port", "value": "80",
            "from": "the port in the source line %s:3: "
                    "s.bind((\"127.0.0.1\", 80))" % prog})
        self.assertEqual(d["explainer"], "net.bind-denied")
        c = cause(d, "privileged-port")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["unprivileged_port_start"], start)
        self.assertIn("sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80",
                      commands(d))
        self.assertIn("EACCES during bind of port 80", text)

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_trace_stays_the_exact_source(self):
        prog = self.write("b.py", "import socket\ns = socket.socket()\n"
                          "s.bind((\"127.0.0.1\", 80))\n")
        rep, text = self.explain(["--trace", PY, prog], NOBODY)
        d = diagnosis(rep, "python.permission-error")
        if "syscall" not in d:
            self.skipTest("--trace is not available here")
        self.assertIn("bind(", d["syscall"]["call"])
        self.assertEqual(d["subject"]["value"], "127.0.0.1:80")
        self.assertNotIn("from", d["subject"])
        self.assertNotIn("from: ", text)

    def background(self, code, name):
        """A Python process of ours that runs code (which leaves its answer
        in a variable named ready) and then waits: (Popen, ready)."""
        ready = self.path(name)
        p = subprocess.Popen([PY, "-c", code + (
            "import os, time\n"
            "open(%r + '.new', 'w').write(str(ready))\n"
            "os.rename(%r + '.new', %r)\n"
            "time.sleep(60)\n") % (ready, ready, ready)])
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        data = b""
        while not data:
            data = wait_for_file(ready)
        return p, data.decode()

    def listener(self):
        """A process of ours listening on a free port: (Popen, port)."""
        p, port = self.background(
            "import socket\n"
            "s = socket.socket()\n"
            "s.bind(('127.0.0.1', 0)); s.listen()\n"
            "ready = s.getsockname()[1]\n", "port")
        return p, int(port)

    def test_address_in_use_from_the_source_line(self):
        holder, port = self.listener()
        prog = self.write("a.py", "import socket\ns = socket.socket()\n"
                          "s.bind(('127.0.0.1', %d))\n" % port)
        rep, text = self.explain([PY, prog])
        d = diagnosis(rep, "python.address-in-use")
        self.assertEqual(d["subject"]["value"], str(port))
        self.assertIn("source line %s:3" % prog, d["subject"]["from"])
        holders = [c for c in d["causes"] if c["verdict"] == "confirmed" and
                   c["facts"].get("pid") == holder.pid]
        self.assertTrue(holders, d["causes"])
        self.assertIn("kill %d" % holder.pid, commands(d))
        self.assertIn("pid %d" % holder.pid, text)

    def test_address_in_use_from_the_command_line(self):
        holder, port = self.listener()
        rep, text = self.explain([PY, "-m", "http.server", "--bind",
                                  "127.0.0.1", str(port)])
        d = diagnosis(rep, "python.address-in-use")
        self.assertEqual(d["subject"]["value"], str(port))
        self.assertIn("command line", d["subject"]["from"])
        self.assertIn("kill %d" % holder.pid, commands(d))

    def test_refused_udp_from_the_socket(self):
        # A UDP peer refuses later, on a receive: only the connected
        # socket the program holds names it.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        prog = self.write("u.py", (
            "import atexit, socket, sys, time\n"
            "atexit.register(time.sleep, 0.2)\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "s.connect(('127.0.0.1', int(sys.argv[1])))\n"
            "s.send(b'ping')\n"
            "s.recv(10)\n"))
        rep, text = self.explain([PY, prog, str(port)])
        d = diagnosis(rep, "python.connection-refused")
        self.assertEqual(d["subject"]["value"], "127.0.0.1:%d" % port)
        self.assertIn("udp socket on fd", d["subject"]["from"])
        c = cause(d, "not-running")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["protocol"], "udp")
        self.assertIn("nothing is bound to UDP port %d" % port, text)

    @unittest.skipUnless(have("javac"), "needs javac")
    def test_java_refused_from_the_source(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        src = self.write("C.java", (
            "public class C { public static void main(String[] a) "
            "throws Exception {\n"
            "  new java.net.Socket(\"127.0.0.1\", %d);\n} }\n") % port)
        subprocess.run(["javac", "-d", self.tmp, src], check=True)
        # Run from elsewhere: the source is found by the class path.
        rep, text = self.explain(["java", "-cp", self.tmp, "C"], cwd="/")
        d = diagnosis(rep, "java.connect-refused")
        self.assertEqual(d["subject"]["value"], "127.0.0.1:%d" % port)
        self.assertIn("source line %s:2" % src, d["subject"]["from"])
        self.assertEqual(cause(d, "not-running")["verdict"], "confirmed")

    # ------------------------------------------------------------------
    # Locks

    def lock_holder(self, path):
        p, _ = self.background((
            "import fcntl\n"
            "f = open(%r, 'w')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\n"
            "ready = 'locked'\n") % path, "locked")
        return p

    def test_errno_11_in_the_programs_own_message(self):
        lock = self.path("app.lock")
        holder = self.lock_holder(lock)
        prog = self.write("l.py", (
            "import fcntl, sys, time\n"
            "f = open(%r, 'w')\n"
            "try:\n"
            "    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            "except OSError as e:\n"
            "    print('app: cannot start, another instance runs (%%s)' %% e,"
            " file=sys.stderr)\n"
            "    time.sleep(0.2)\n"
            "    sys.exit(1)\n") % lock)
        rep, text = self.explain([PY, prog])
        d = diagnosis(rep, "python.eagain-in-message")
        self.assertEqual(d["subject"]["value"], lock)
        self.assertIn("fd 3", d["subject"]["from"])
        self.assertIn("pid %d holds locked" % holder.pid,
                      d["subject"]["from"])
        held = [c for c in d["causes"] if c["verdict"] == "confirmed" and
                c["facts"].get("pid") == holder.pid]
        self.assertTrue(held, d["causes"])
        self.assertEqual(held[0]["facts"]["user"], "root" if ROOT else
                         __import__("pwd").getpwuid(os.getuid()).pw_name)
        self.assertIn("kill %d" % holder.pid, commands(d))
        self.assertIn("run by", text)

    @unittest.skipUnless(have("gcc"), "needs gcc")
    def test_c_flock_from_the_descriptor(self):
        lock = self.path("c.lock")
        holder = self.lock_holder(lock)
        src = self.write("l.c", r'''
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDWR | O_CREAT, 0644);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    perror("flock");
    sleep(1); /* back off before giving up */
    return 1;
  }
  return 0;
}
''')
        exe = self.path("l")
        subprocess.run(["gcc", "-O", "-o", exe, src], check=True)
        rep, text = self.explain([exe, lock])
        d = diagnosis(rep, "c.perror-syscall")
        self.assertEqual(d["errno"], "EAGAIN")
        self.assertEqual(d["subject"]["value"], lock)
        held = [c for c in d["causes"] if c["verdict"] == "confirmed" and
                c["facts"].get("pid") == holder.pid]
        self.assertTrue(held, d["causes"])

    # ------------------------------------------------------------------
    # SQLite

    def make_db(self, path):
        subprocess.run([PY, "-c", "import sqlite3; d = sqlite3.connect(%r); "
                        "d.execute('create table t(x)'); d.commit()" % path],
                       check=True)

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_sqlite_readonly_directory(self):
        # The database is nobody's, its directory is root's: SQLite cannot
        # create the -journal next to it.
        d0 = self.path("data")
        os.mkdir(d0, 0o755)
        db = os.path.join(d0, "app.db")
        self.make_db(db)
        os.chown(db, 65534, 65534)
        prog = self.write("s.py", (
            "import atexit, sqlite3, time\n"
            "atexit.register(time.sleep, 0.2)\n"
            "db = sqlite3.connect(%r)\n"
            "db.execute('insert into t values (1)')\n"
            "db.commit()\n") % db)
        rep, text = self.explain([PY, prog], NOBODY)
        d = diagnosis(rep, "python.sqlite-readonly")
        self.assertEqual(d["explainer"], "sqlite-database")
        self.assertEqual(d["subject"]["value"], db)
        self.assertIn("database open on fd", d["subject"]["from"])
        self.assertEqual(cause(d, "file-not-writable")["verdict"], "ruled-out")
        c = cause(d, "dir-not-writable")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["path"], d0)
        self.assertEqual(c["facts"]["mode"], "0755")
        self.assertEqual(c["facts"]["owner"], "root")
        self.assertEqual(cause(d, "read-only-mount")["verdict"], "ruled-out")
        self.assertIn("setfacl -m u:nobody:wx %s" % d0, commands(d))
        self.assertNotIn("777", " ".join(commands(d)))
        self.assertIn("-journal", text)

    def test_sqlite_locked_names_the_holder(self):
        db = self.path("app.db")
        self.make_db(db)
        holder, _ = self.background((
            "import sqlite3\n"
            "d = sqlite3.connect(%r, isolation_level=None)\n"
            "d.execute('begin immediate')\n"
            "d.execute('insert into t values (5)')\n"
            "ready = 'in a transaction'\n") % db, "tx")
        prog = self.write("s.py", (
            "import sqlite3\n"
            "db = sqlite3.connect(%r, timeout=0.1)\n"
            "db.execute('insert into t values (1)')\n") % db)
        rep, text = self.explain([PY, prog])
        d = diagnosis(rep, "python.sqlite-locked")
        self.assertEqual(d["subject"]["value"], db)
        c = cause(d, "held-by")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["pid"], holder.pid)
        self.assertTrue(c["facts"]["writer"])
        self.assertEqual(c["facts"]["comm"], "python3")
        self.assertIn("kill %d" % holder.pid, commands(d))
        self.assertIn("holds a write lock on %s" % db, text)

    def test_sqlite_cannot_open_from_the_source_line(self):
        db = self.path("no/such/dir/app.db")
        prog = self.write("s.py", "import sqlite3\n"
                          "db = sqlite3.connect('%s')\n" % db)
        rep, text = self.explain([PY, prog])
        d = diagnosis(rep, "python.sqlite-cannot-open")
        self.assertEqual(d["subject"]["value"], db)
        self.assertIn("source line %s:2" % prog, d["subject"]["from"])
        self.assertEqual(cause(d, "dir-missing")["verdict"], "confirmed")
        self.assertIn("mkdir -p -- %s" % os.path.dirname(db), commands(d))

    # ------------------------------------------------------------------
    # The directory the tool worked in

    def test_git_C_resolves_against_the_repository(self):
        repo = self.path("repo")
        subprocess.run(["git", "init", "-q", repo], check=True)
        lock = os.path.join(repo, ".git", "config.lock")
        open(lock, "w").close()
        # explain's own cwd has a .git of its own: the wrong place to look.
        other = self.path("elsewhere")
        os.mkdir(other)
        subprocess.run(["git", "init", "-q", other], check=True)
        rep, text = self.explain(["git", "-C", repo, "config", "x.y", "z"],
                                 cwd=other)
        d = diagnosis(rep, "git.config-lock")
        self.assertEqual(d["facts"]["lock"], lock)
        self.assertTrue(d["facts"]["lock_exists"])
        self.assertEqual(d["facts"]["working_directory"], repo)
        self.assertEqual(d["facts"]["working_directory_from"],
                         "git -C %s" % repo)
        self.assertIn("rm -f -- %s" % lock, commands(d))
        self.assertFalse(d["stale"])

    def test_git_C_not_a_repository(self):
        plain = self.path("plain")
        os.makedirs(plain + "/checkout")
        subprocess.run(["git", "init", "-q", plain + "/checkout"], check=True)
        rep, text = self.explain(["git", "-C", "plain", "status"])
        d = diagnosis(rep, "git.not-a-repository")
        c = cause(d, "no-git-dir")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertTrue(c["facts"]["looked_in"].startswith(plain + ", "),
                        c["facts"])
        self.assertEqual(cause(d, "wrong-dir")["facts"]["repository"],
                         plain + "/checkout")
        self.assertIn("git -C %s/checkout status" % plain, commands(d))

    def test_make_C_resolves_against_its_directory(self):
        sub = self.path("sub")
        os.mkdir(sub)
        with open(os.path.join(sub, "Makefile"), "w") as f:
            f.write("all:\n\t@cat input.txt\n")
        self.write("input.txt", "a decoy in the cwd of explain\n")
        self.write("sub/input.tx", "a near miss in the directory make used\n")
        rep, text = self.explain(["make", "-C", "sub"])
        d = [x for x in rep["diagnoses"] if x["subject"]["value"] ==
             "input.txt"][0]
        self.assertEqual(d["facts"]["abs_path"], sub + "/input.txt")
        self.assertFalse(d["stale"])
        self.assertIn(sub + "/input.tx", json.dumps(d["causes"]))

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_a_script_that_cds(self):
        sub = self.path("sub")
        os.mkdir(sub, 0o755)
        out = self.write("sub/out.txt", "", 0o644)  # root's
        self.write("out.txt", "", 0o666)  # a decoy where explain runs
        script = self.write("run.sh", (
            "cd sub\n"
            "%s -c \"open('out.txt', 'w')\"\n"
            "status=$?\n"
            "sleep 0.3\n"
            "exit $status\n") % PY)
        rep, text = self.explain([SH, script], NOBODY)
        d = diagnosis(rep, "python.permission-error")
        self.assertEqual(d["facts"]["abs_path"], out)
        self.assertEqual(d["facts"]["cwd"], sub)
        self.assertEqual(cause(d, "write-denied")["verdict"], "confirmed")
        self.assertFalse(d["stale"])

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_the_process_that_printed(self):
        # The script itself stays where it was; the interpreter it starts
        # in a subshell works in sub/ and prints the error: its own cwd and
        # descriptors are the ones that count.
        sub = self.path("sub")
        os.mkdir(sub, 0o755)
        out = self.write("sub/out.txt", "", 0o644)
        self.write("out.txt", "", 0o666)
        prog = self.write("p.py", (
            "import atexit, time\n"
            "atexit.register(time.sleep, 0.3)\n"
            "open('out.txt', 'w')\n"))
        script = self.write("run.sh", (
            "(cd sub && %s %s)\n"
            "status=$?\n"
            "echo done\n"
            "exit $status\n") % (PY, prog))
        rep, text = self.explain([SH, script], NOBODY)
        d = diagnosis(rep, "python.permission-error")
        self.assertEqual(d["facts"]["abs_path"], out)
        self.assertEqual(d["facts"]["cwd"], sub)
        self.assertEqual(cause(d, "write-denied")["verdict"], "confirmed")

    # ------------------------------------------------------------------
    # Kernel file systems

    @unittest.skipUnless(ROOT, "needs root: the point is that root is refused")
    def test_root_write_to_a_read_only_sysfs_attribute(self):
        path = "/sys/class/net/lo/address"
        if not os.path.exists(path):
            self.skipTest("no %s" % path)
        mode = os.stat(path).st_mode & 0o7777
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" % path])
        d = diagnosis(rep, "python.permission-error")
        c = cause(d, "kernel-read-only")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["fstype"], "sysfs")
        self.assertEqual(c["facts"]["mode"], "%04o" % mode)
        self.assertTrue(c["facts"]["mode_final"])
        self.assertFalse(d["stale"])
        self.assertEqual(commands(d), ["ip link show dev lo"])
        self.assertIn("ip link set dev lo address", text)
        self.assertNotIn("would not produce", text)

    @unittest.skipUnless(ROOT, "needs root")
    def test_root_write_to_a_read_only_sysctl(self):
        path = "/proc/sys/kernel/osrelease"
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" % path])
        d = diagnosis(rep, "python.permission-error")
        c = cause(d, "kernel-read-only")
        self.assertEqual(c["facts"]["fstype"], "proc")
        self.assertEqual(commands(d), ["sysctl kernel.osrelease"])
        self.assertIn("read-only kernel value", text)

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_user_write_to_a_sysfs_setting(self):
        path = "/sys/class/net/lo/mtu"
        if not os.path.exists(path) or os.stat(path).st_mode & 0o002:
            self.skipTest("no root-only %s" % path)
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" % path], NOBODY)
        d = diagnosis(rep, "python.permission-error")
        self.assertEqual(cause(d, "write-denied")["verdict"], "confirmed")
        self.assertEqual(d["facts"]["fstype"], "sysfs")
        cmds = commands(d)
        self.assertEqual(cmds, ["ip link show dev lo"])
        self.assertIn("ip link set dev lo mtu", text)

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_cgroup_counter_names_its_setting(self):
        found = None
        for top, _, files in os.walk("/sys/fs/cgroup"):
            if "cgroup.controllers" in files and os.path.exists(
                    os.path.join(top, "cgroup.subtree_control")):
                found = top
                break
        if found is None:
            self.skipTest("no cgroup v2 directory")
        path = os.path.join(found, "cgroup.controllers")
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" % path], NOBODY)
        d = diagnosis(rep, "python.permission-error")
        self.assertEqual(cause(d, "kernel-read-only")["verdict"], "confirmed")
        self.assertEqual(commands(d),
                         ["cat %s/cgroup.subtree_control" % found])


if __name__ == "__main__":
    unittest.main(verbosity=2)
