"""End-to-end tests of Python's PermissionError and its relatives: the
causes people hit most, each staged for real (a user made for the test,
nobody, mounts in `unshare -m`) and asserted in the text and the JSON
report of one run, facts against the system and the fixes offered."""

import grp
import json
import os
import pwd
import subprocess
import unittest

from helpers import (EXPLAIN, TempDirTest, can_unshare, find_cause,
                     fix_commands, have)

PY = "/usr/bin/python3"
SH = "/bin/sh"
ROOT = os.geteuid() == 0
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


UNSHARE = can_unshare()
IN_CONTAINER = os.path.exists("/.dockerenv") or os.path.exists(
    "/run/.containerenv")


def diagnosis(report, explainer):
    for d in report.get("diagnoses", []):
        if d.get("explainer") == explainer:
            return d
    raise AssertionError("no diagnosis by %s in %s" %
                         (explainer, json.dumps(report, indent=1)[:3000]))


cause = find_cause
commands = fix_commands


def ids(d):
    return [c["id"] for c in d["causes"]]


@unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
class PermissionTest(TempDirTest):

    def setUp(self):
        super().setUp()
        self.env = dict(os.environ, EXPLAIN_HISTORY="0", NO_COLOR="1",
                        COLUMNS="400")

    def explain(self, argv, prefix=NOBODY, cwd=None, script=None):
        """One run: (JSON report, text). With script, the run happens in a
        shell script (in a new mount namespace) that calls $EX."""
        report = self.path("report.json")
        with open(report, "w"):
            pass
        os.chmod(report, 0o666)
        ex = [EXPLAIN, "--color", "never", "--report", report]
        if script is None:
            r = subprocess.run(list(prefix) + ex + list(argv),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, cwd=cwd or self.tmp,
                               env=self.env, timeout=120)
        else:
            body = "EX='%s %s'\n%s" % (" ".join(prefix), " ".join(ex), script)
            r = subprocess.run(["unshare", "-m", SH, "-c", body],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, cwd=cwd or self.tmp,
                               env=self.env, timeout=120)
        with open(report) as f:
            text = r.stderr.decode("utf-8", "replace")
            return json.load(f), text

    def user(self):
        """A user made for the test, with a home: (name, uid, gid, home)."""
        if not have("useradd"):
            self.skipTest("needs useradd")
        name = "exp%d" % os.getpid()
        subprocess.run(["useradd", "-m", "-d", self.path("home"), name],
                       check=True, stdout=subprocess.DEVNULL)
        self.addCleanup(subprocess.run, ["userdel", name],
                        stderr=subprocess.DEVNULL)
        pw = pwd.getpwnam(name)
        return name, pw.pw_uid, pw.pw_gid, pw.pw_dir

    def test_root_files_left_by_an_earlier_sudo_in_the_home(self):
        name, uid, gid, home = self.user()
        cache = os.path.join(home, ".cache")
        os.makedirs(cache + "/pip/http", exist_ok=True)
        os.chown(cache, uid, gid)  # the user's; pip/ below is root's
        prog = self.write("c.py", "open(%r, 'w')\n" % (cache + "/pip/http/x"))
        rep, text = self.explain(
            [PY, prog], ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid,
                         "--init-groups"])
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "sudo-leftover")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["path"], cache + "/pip")
        self.assertEqual(os.stat(cache + "/pip").st_uid, 0)
        group = grp.getgrgid(gid).gr_name
        self.assertIn("chown -R %s:%s %s/pip" % (name, group, cache),
                      commands(d))
        self.assertIn("left by an earlier sudo", text)

    def test_writing_into_the_system_site_packages(self):
        target = "/usr/lib/python3/dist-packages/explain-test.pth"
        if not os.path.isdir(os.path.dirname(target)):
            self.skipTest("no /usr/lib/python3/dist-packages")
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" % target])
        d = diagnosis(rep, "fs.permission")
        self.assertEqual(cause(d, "system-site-packages")["verdict"],
                         "confirmed")
        self.assertEqual(cause(d, "create-denied")["facts"]["path"],
                         os.path.dirname(target))
        cmds = commands(d)
        self.assertIn("python3 -m venv %s/.venv" % self.tmp, cmds)
        # Never a change of owner or mode of the system's packages.
        for cmd in cmds:
            self.assertFalse(cmd.startswith(("chmod", "chown", "setfacl")),
                             cmd)
        self.assertIn("virtual environment", text)

    def test_a_directory_without_search_on_the_way(self):
        locked = self.path("locked")
        os.makedirs(locked + "/data")
        os.chmod(locked, 0o750)
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" %
                                  (locked + "/data/out.csv")])
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "search-denied")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["mode"], "0750")
        cmds = commands(d)
        # The least privilege one, then the usual one.
        self.assertLess(cmds.index("setfacl -m u:nobody:x %s" % locked),
                        cmds.index("chmod o+x %s" % locked))
        # The confirmed cause leads the text report; never a fix that
        # makes the user a member of root's group.
        self.assertIn("nobody (uid 65534) may not search %s" % locked, text)
        for cmd in cmds:
            self.assertNotRegex(cmd, r"usermod .*\broot\b", cmd)

    def _group(self):
        name = "exg%d" % os.getpid()
        subprocess.run(["groupadd", name], check=True)
        self.addCleanup(subprocess.run, ["groupdel", name])
        return name, grp.getgrnam(name).gr_gid

    def test_group_write_with_the_right_group(self):
        name, gid = self._group()
        f = self.write("shared.csv", "x", 0o640)
        os.chown(f, 0, gid)
        rep, text = self.explain(
            [PY, "-c", "open(%r, 'w')" % f],
            ["setpriv", "--reuid=65534", "--regid=65534", "--groups=%d" % gid])
        d = diagnosis(rep, "fs.permission")
        self.assertEqual(cause(d, "write-denied")["facts"]["class"], "group")
        cmds = commands(d)
        self.assertIn("setfacl -m u:nobody:w %s" % f, cmds)
        self.assertIn("chmod g+w %s" % f, cmds)
        self.assertIn("group %s" % name, text)

    def test_a_device_that_needs_a_group(self):
        try:
            dialout = grp.getgrnam("dialout").gr_gid
        except KeyError:
            self.skipTest("no dialout group")
        dev = self.path("ttyUSB0")
        try:
            os.mknod(dev, 0o660 | 0o020000, os.makedev(1, 3))
        except OSError as e:
            self.skipTest("cannot make a device node here: %s" % e)
        os.chown(dev, 0, dialout)
        if subprocess.run(["sh", "-c", "exec 3<>%s" % dev]).returncode != 0:
            self.skipTest("device nodes do not open here (nodev)")
        rep, text = self.explain([PY, "-c", "open(%r, 'w')" % dev])
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "not-in-group")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["group"], "dialout")
        self.assertEqual(c["facts"]["group_gid"], dialout)
        self.assertEqual(d["facts"]["type"], "character-device")
        self.assertIn("usermod -aG dialout nobody", commands(d))
        self.assertIn("takes effect at the next login", text)

    @unittest.skipUnless(UNSHARE and IN_CONTAINER,
                         "needs unshare -m, inside a container")
    def test_a_volume_owned_by_a_host_uid(self):
        src = self.path("host-data")
        vol = self.path("vol")
        os.mkdir(src, 0o755)
        os.mkdir(vol)
        os.chown(src, 1234, 1234)
        rep, text = self.explain(
            [], script="mount --bind %s %s && $EX %s -c \"open('%s/x', 'w')\""
            % (src, vol, PY, vol))
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "volume-owner")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["owner_uid"], 1234)
        self.assertEqual(c["facts"]["container_uid"], 65534)
        self.assertEqual(c["facts"]["mount_point"], vol)
        self.assertEqual(c["facts"]["mount_root"], src)
        self.assertIn("--user 1234:1234", text)
        # SELinux of the host cannot be seen from here: unknown, never
        # confirmed.
        if not os.path.exists("/sys/fs/selinux"):
            self.assertEqual(cause(d, "selinux")["verdict"], "unknown")

    @unittest.skipUnless(UNSHARE, "needs unshare -m")
    def test_a_script_on_a_noexec_mount(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        prog = self.write("run.py", "import subprocess\n"
                          "subprocess.run([%r])\n" % (mnt + "/tool.sh"))
        rep, text = self.explain(
            [], script=("mount -t tmpfs -o noexec,mode=755 tmpfs {m} && "
                        "printf '#!/bin/sh\\necho hi\\n' > {m}/tool.sh && "
                        "chmod 755 {m}/tool.sh && $EX {py} {p}").format(
                            m=mnt, py=PY, p=prog))
        d = [x for x in rep["diagnoses"]
             if x["id"] == "python.permission-error"][0]
        self.assertEqual(d["operation"], "exec")
        self.assertEqual(d["explainer"], "exec.cannot-execute")
        c = cause(d, "noexec-mount")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertIn("/bin/sh %s/tool.sh" % mnt, commands(d))
        self.assertIn("EACCES during exec", text)

    def test_a_directory_passed_for_a_file(self):
        d0 = self.path("reports")
        os.mkdir(d0, 0o700)
        rep, text = self.explain([PY, "-c", "print(open(%r).read())" % d0])
        d = diagnosis(rep, "fs.permission")
        self.assertEqual(cause(d, "is-a-directory")["verdict"], "confirmed")
        self.assertEqual(d["facts"]["type"], "directory")
        # No permission would make it work: none is offered.
        for cmd in commands(d):
            self.assertFalse(cmd.startswith(("chmod", "chown", "setfacl")),
                             cmd)
        self.assertIn("not the directory itself", text)

    def test_what_cannot_be_staged_is_not_claimed(self):
        # Not WSL here: no drvfs cause at all, let alone a confirmed one.
        f = self.write("f", "x", 0o600)
        rep, text = self.explain([PY, "-c", "open(%r)" % f])
        d = diagnosis(rep, "fs.permission")
        self.assertNotIn("wsl-drvfs-no-metadata", ids(d))
        for c in d["causes"]:
            if c["id"] in ("selinux", "apparmor"):
                self.assertNotEqual(c["verdict"], "confirmed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
