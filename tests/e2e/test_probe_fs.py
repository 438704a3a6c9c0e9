"""End-to-end tests of the fs explainers: real failing programs under
explain, as root and as an unprivileged user, with mounts inside
`unshare -m`. Each asserts the facts in the JSON report and the text."""

import json
import os
import shutil
import struct
import subprocess
import unittest

from helpers import EXPLAIN, TempDirTest, run

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SH = "/bin/sh"
PY = "/usr/bin/python3"


def have(tool):
    return shutil.which(tool) is not None


def can_unshare():
    if os.geteuid() != 0 or not have("unshare"):
        return False
    r = subprocess.run(["unshare", "-m", "true"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


ROOT = os.geteuid() == 0
UNSHARE = can_unshare()


def diagnosis(report, explainer):
    for d in report.get("diagnoses", []):
        if d.get("explainer") == explainer:
            return d
    raise AssertionError("no diagnosis by %s in %s" %
                         (explainer, json.dumps(report, indent=1)[:3000]))


def cause(d, cid):
    for c in d.get("causes", []):
        if c["id"] == cid:
            return c
    raise AssertionError("no cause %s in %s" %
                         (cid, json.dumps(d.get("causes"), indent=1)))


def acl_xattr(entries):
    """system.posix_acl_access bytes for [(tag, perm, id)]."""
    data = struct.pack("<I", 2)
    for tag, perm, ident in entries:
        data += struct.pack("<HHI", tag, perm, ident)
    return data


class FsTest(TempDirTest):

    def setUp(self):
        super().setUp()
        os.chmod(self.tmp, 0o755)

    def explain_json(self, argv, prefix=(), cwd=None):
        r = subprocess.run(list(prefix) + [EXPLAIN, "--format", "json"] +
                           list(argv), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           cwd=cwd, timeout=60)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout), r

    def explain_text(self, argv, prefix=(), cwd=None):
        r = subprocess.run(list(prefix) + [EXPLAIN, "--color", "never"] +
                           list(argv), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           cwd=cwd, timeout=60)
        return r.stderr.decode("utf-8", "replace")

    def in_unshare(self, script):
        """Runs a shell script in a new mount namespace; returns its
        stdout (the JSON report) and stderr."""
        r = subprocess.run(["unshare", "-m", SH, "-c", script],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=60)
        return r

    # ------------------------------------------------------------------
    # EACCES / EPERM

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_root_owned_file(self):
        f = self.write("f", "x", 0o644)
        rep, _ = self.explain_json([SH, "-c", "echo y > %s" % f], NOBODY)
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "write-denied")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["owner"], "root")
        self.assertEqual(c["facts"]["owner_uid"], 0)
        self.assertEqual(c["facts"]["mode"], "0644")
        self.assertEqual(c["facts"]["mode_rwx"], "rw-r--r--")
        self.assertEqual(c["facts"]["class"], "other")
        self.assertEqual(c["facts"]["class_perm"], "r--")
        self.assertEqual(c["facts"]["needed"], "w")
        self.assertEqual(c["facts"]["capability_override"],
                         "CAP_DAC_OVERRIDE")
        self.assertEqual(d["facts"]["uid"], 65534)
        self.assertEqual(d["facts"]["user"], "nobody")
        self.assertFalse(d["stale"])
        cmds = [x["command"] for x in d["fixes"]]
        self.assertIn("chown nobody %s" % f, cmds)
        self.assertFalse(any("777" in (x or "") for x in cmds))
        text = self.explain_text([SH, "-c", "echo y > %s" % f], NOBODY)
        self.assertIn("0644", text)
        self.assertIn("nobody", text)

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_directory_without_write(self):
        d0 = self.path("ro")
        os.mkdir(d0, 0o755)
        rep, _ = self.explain_json(["mkdir", d0 + "/new"], NOBODY)
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "create-denied")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["path"], d0)
        self.assertEqual(c["facts"]["needed"], "wx")
        self.assertEqual(c["facts"]["class_perm"], "r-x")
        self.assertEqual(cause(d, "search-denied")["verdict"], "ruled-out")
        # A writable directory that exists is offered, without root.
        self.assertTrue(any(not x["needs_root"] and x["command"]
                            for x in d["fixes"]))

    @unittest.skipUnless(ROOT and have("setpriv"), "needs root and setpriv")
    def test_parent_without_x(self):
        locked = self.path("locked")
        os.makedirs(locked + "/sub")
        os.chmod(locked, 0o700)
        rep, _ = self.explain_json(["touch", locked + "/sub/f"], NOBODY)
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "search-denied")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["path"], locked)
        self.assertEqual(c["facts"]["needed"], "x")
        self.assertEqual(d["facts"]["blocking_component"], locked)
        self.assertIn(locked, self.explain_text(["touch", locked + "/sub/f"],
                                                NOBODY))

    def _group(self):
        name = "exfs%d" % os.getpid()
        subprocess.run(["groupadd", name], check=True)
        self.addCleanup(subprocess.run, ["groupdel", name])
        gid = int(subprocess.run(["getent", "group", name],
                                 stdout=subprocess.PIPE, check=True)
                  .stdout.split(b":")[2])
        return name, gid

    @unittest.skipUnless(ROOT and have("setpriv") and have("groupadd"),
                         "needs root, setpriv and groupadd")
    def test_group_membership_needs_new_login(self):
        name, gid = self._group()
        subprocess.run(["usermod", "-aG", name, "nobody"], check=True)
        self.addCleanup(subprocess.run, ["gpasswd", "-d", "nobody", name],
                        stdout=subprocess.DEVNULL)
        f = self.write("g", "x", 0o660)
        os.chown(f, 0, gid)
        rep, _ = self.explain_json([PY, "-c", "open(%r)" % f], NOBODY)
        d = diagnosis(rep, "fs.permission")
        c = cause(d, "group-membership-not-active")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["group"], name)
        self.assertEqual(c["facts"]["group_gid"], gid)
        self.assertIn("newgrp %s" % name, [x["command"] for x in d["fixes"]])
        # Python's open() does not say the mode: both bits are checked.
        self.assertEqual(cause(d, "read-denied")["verdict"], "confirmed")
        self.assertEqual(cause(d, "write-denied")["verdict"], "confirmed")

    @unittest.skipUnless(ROOT and have("setpriv") and have("groupadd"),
                         "needs root, setpriv and groupadd")
    def test_group_only_access_with_fresh_login(self):
        name, gid = self._group()
        f = self.write("g", "x", 0o640)
        os.chown(f, 0, gid)
        # With the group (a fresh login): reading works, writing does not.
        prefix = ["setpriv", "--reuid=65534", "--regid=65534",
                  "--groups=%d" % gid]
        rep, _ = self.explain_json([PY, "-c", "open(%r, 'w')" % f], prefix)
        d = diagnosis(rep, "fs.permission")
        self.assertEqual(cause(d, "write-denied")["facts"]["class"], "group")
        self.assertEqual(cause(d, "write-denied")["facts"]["class_perm"],
                         "r--")
        self.assertIn({"gid": gid, "name": name}, d["facts"]["groups"])
        # Without the group and not in /etc/group: not a member.
        rep, _ = self.explain_json([PY, "-c", "open(%r)" % f], NOBODY)
        d = diagnosis(rep, "fs.permission")
        self.assertEqual(cause(d, "not-in-group")["verdict"], "confirmed")

    @unittest.skipUnless(UNSHARE and have("setpriv"),
                         "needs root, unshare -m and setpriv")
    def test_acl_denial(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        # user::rw- user:65534:--- group::r-- mask::r-- other::r--
        acl = acl_xattr([(0x01, 6, 0xFFFFFFFF), (0x02, 0, 65534),
                         (0x04, 4, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
                         (0x20, 4, 0xFFFFFFFF)])
        setter = ("import os; open('{m}/f','w').write('x'); "
                  "os.chmod('{m}/f', 0o644); "
                  "os.setxattr('{m}/f', 'system.posix_acl_access', "
                  "bytes.fromhex('{h}'))").format(m=mnt, h=acl.hex())
        script = ("mount -t tmpfs -o mode=755 tmpfs {m} && {py} -c \"{s}\" "
                  "&& {nb} {ex} --format json cat {m}/f").format(
                      m=mnt, py=PY, s=setter, nb=" ".join(NOBODY),
                      ex=EXPLAIN)
        r = self.in_unshare(script)
        if b"Operation not supported" in r.stderr:
            self.skipTest("tmpfs without POSIX ACLs")
        d = diagnosis(json.loads(r.stdout), "fs.permission")
        c = cause(d, "read-denied")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["class"], "acl-user")
        self.assertEqual(c["facts"]["acl_entry"], "user:65534:---")
        a = cause(d, "acl-denies")
        self.assertEqual(a["verdict"], "confirmed")
        self.assertIn("user:65534:---", a["facts"]["acl"])
        # The mode alone (0644) would have allowed the read.
        self.assertEqual(c["facts"]["mode"], "0644")

    @unittest.skipUnless(UNSHARE and have("chattr"),
                         "needs root, unshare -m and chattr (e2fsprogs)")
    def test_immutable_file(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        script = ("mount -t tmpfs tmpfs {m} && echo x > {m}/f && "
                  "chattr +i {m}/f && {ex} --format json touch {m}/f; "
                  "chattr -i {m}/f").format(m=mnt, ex=EXPLAIN)
        r = self.in_unshare(script)
        if b"Inappropriate ioctl" in r.stderr or not r.stdout:
            self.skipTest("chattr +i not supported on tmpfs here: %r" %
                          r.stderr[-300:])
        d = diagnosis(json.loads(r.stdout), "fs.permission")
        c = cause(d, "immutable")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertTrue(c["facts"]["immutable"])
        self.assertIn("chattr -i %s/f" % mnt,
                      [x["command"] for x in d["fixes"]])
        # Root with every capability: the mode is not the cause.
        self.assertFalse(d["stale"])

    # ------------------------------------------------------------------
    # EROFS

    @unittest.skipUnless(UNSHARE, "needs root and unshare -m")
    def test_read_only_bind_mount(self):
        src = self.path("src")
        dst = self.path("dst")
        os.mkdir(src)
        os.mkdir(dst)
        script = ("mount --bind {s} {d} && mount -o remount,ro,bind {d} && "
                  "{ex} --format json touch {d}/f").format(s=src, d=dst,
                                                           ex=EXPLAIN)
        r = self.in_unshare(script)
        d = diagnosis(json.loads(r.stdout), "fs.read-only")
        c = cause(d, "read-only-bind-mount")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["mount_point"], dst)
        self.assertTrue(c["facts"]["bind"])
        self.assertTrue(c["facts"]["ro"])
        self.assertTrue(c["facts"]["mount_root"].endswith("/src"))
        self.assertIn("mount -o remount,rw,bind %s" % dst,
                      [x["command"] for x in d["fixes"]])

    # ------------------------------------------------------------------
    # ENOSPC

    @unittest.skipUnless(UNSHARE, "needs root and unshare -m")
    def test_full_tmpfs_blocks(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        script = ("mount -t tmpfs -o size=1m tmpfs {m} && {ex} --format json "
                  "dd if=/dev/zero of={m}/big bs=64k count=64").format(
                      m=mnt, ex=EXPLAIN)
        r = self.in_unshare(script)
        d = diagnosis(json.loads(r.stdout), "fs.no-space")
        self.assertEqual(cause(d, "blocks-exhausted")["verdict"], "confirmed")
        self.assertEqual(cause(d, "inodes-exhausted")["verdict"], "ruled-out")
        t = cause(d, "tmpfs-size-limit")
        self.assertEqual(t["verdict"], "confirmed")
        self.assertEqual(t["facts"]["size_bytes"], 1024 * 1024)
        self.assertEqual(d["facts"]["mount_point"], mnt)
        self.assertEqual(d["facts"]["fstype"], "tmpfs")

    @unittest.skipUnless(UNSHARE, "needs root and unshare -m")
    def test_full_tmpfs_inodes(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        script = ("mount -t tmpfs -o size=8m,nr_inodes=8 tmpfs {m} && "
                  "{ex} --format json {sh} -c 'for i in 1 2 3 4 5 6 7 8 9 10;"
                  " do touch {m}/f$i || exit 1; done'").format(
                      m=mnt, ex=EXPLAIN, sh=SH)
        r = self.in_unshare(script)
        d = diagnosis(json.loads(r.stdout), "fs.no-space")
        c = cause(d, "inodes-exhausted")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["inodes_free"], 0)
        self.assertEqual(cause(d, "blocks-exhausted")["verdict"], "ruled-out")

    @unittest.skipUnless(UNSHARE, "needs root and unshare -m")
    def test_deleted_open_file_holds_space(self):
        mnt = self.path("mnt")
        os.mkdir(mnt)
        script = ("mount -t tmpfs -o size=1m tmpfs {m} && "
                  "dd if=/dev/zero of={m}/held bs=64k count=12 2>/dev/null && "
                  "(exec 3<{m}/held; rm {m}/held; exec sleep 30) "
                  ">/dev/null 2>&1 & h=$!; sleep 0.3; "
                  "{ex} --format json dd if=/dev/zero of={m}/big bs=64k "
                  "count=64; kill $h").format(m=mnt, ex=EXPLAIN)
        r = self.in_unshare(script)
        d = diagnosis(json.loads(r.stdout), "fs.no-space")
        c = cause(d, "deleted-open-files")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["holder_file"], mnt + "/held")
        self.assertGreaterEqual(c["facts"]["deleted_bytes"], 12 * 65536)

    # ------------------------------------------------------------------
    # ENOENT / ENOTDIR / ELOOP / ENAMETOOLONG

    def test_missing_parent_directory(self):
        rep, _ = self.explain_json(["touch", self.path("nodir/sub/f")])
        d = diagnosis(rep, "fs.lookup")
        c = cause(d, "missing-directory")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["missing_component"],
                         self.path("nodir"))
        self.assertEqual(c["facts"]["existing_parent"], self.tmp)
        self.assertIn("mkdir -p %s" % self.path("nodir/sub"),
                      [x["command"] for x in d["fixes"]])

    def test_typo_in_name(self):
        os.mkdir(self.path("data"))
        self.write("data/report.csv", "a,b\n")
        self.write("data/Summary.csv", "a,b\n")
        rep, _ = self.explain_json(["cat", "data/reprot.csv"], cwd=self.tmp)
        d = diagnosis(rep, "fs.lookup")
        c = cause(d, "near-miss-name")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["candidates"], ["report.csv"])
        self.assertEqual(c["facts"]["kind"], "typo")
        self.assertEqual(cause(d, "relative-to-cwd")["facts"]["cwd"],
                         self.tmp)
        rep, _ = self.explain_json(["cat", "data/summary.csv"], cwd=self.tmp)
        c = cause(diagnosis(rep, "fs.lookup"), "near-miss-name")
        self.assertEqual(c["facts"].get("kind"), "case", json.dumps(rep))
        self.assertIn("report.csv", self.explain_text(
            ["cat", "data/reprot.csv"], cwd=self.tmp))

    def test_trailing_carriage_return(self):
        self.write("input.txt", "x")
        rep, _ = self.explain_json([PY, "-c", "open('input.txt\\r')"],
                                   cwd=self.tmp)
        d = diagnosis(rep, "fs.lookup")
        c = cause(d, "near-miss-name")
        self.assertEqual(c["facts"]["kind"], "trailing-space-in-path")

    def test_symlink_loop(self):
        os.symlink("b", self.path("a"))
        os.symlink("a", self.path("b"))
        rep, _ = self.explain_json(["cat", self.path("a")])
        d = diagnosis(rep, "fs.lookup")
        c = cause(d, "symlink-loop")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["cycle"], "%s -> %s -> %s" % (
            self.path("a"), self.path("b"), self.path("a")))

    def test_dangling_symlink(self):
        os.symlink("gone.txt", self.path("link"))
        rep, _ = self.explain_json(["cat", self.path("link")])
        c = cause(diagnosis(rep, "fs.lookup"), "dangling-symlink")
        self.assertEqual(c["facts"]["target"], "gone.txt")

    def test_name_too_long(self):
        name = "x" * 300
        rep, _ = self.explain_json(["touch", self.path(name)])
        d = diagnosis(rep, "fs.lookup")
        c = cause(d, "component-too-long")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["component_length"], 300)
        self.assertEqual(c["facts"]["name_max"], 255)
        self.assertEqual(cause(d, "path-too-long")["verdict"], "ruled-out")

    def test_not_a_directory(self):
        self.write("file", "x")
        rep, _ = self.explain_json(["cat", self.path("file/inner")])
        c = cause(diagnosis(rep, "fs.lookup"), "not-a-directory")
        self.assertEqual(c["facts"]["component"], self.path("file"))
        self.assertEqual(c["facts"]["type"], "file")


if __name__ == "__main__":
    unittest.main()
