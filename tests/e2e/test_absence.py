"""Claims of absence end to end: a header, a library, a module, a package, a
class or a command said to be missing is checked against the system by the
test itself, and the thing is staged where a shallow probe would miss it
(the project's include/, vendor/lib, src/, a sibling directory, a venv of
another name, node_modules/.bin two directories up, the project's build
output). Found there, the report names the directory and the fix, and the
test applies the fix to the same command: it must then work. Each test
reads both the JSON report and the text one (stderr)."""
import glob
import json
import os
import shutil
import subprocess
import unittest

from helpers import EXPLAIN, TempDirTest

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
SYSTEM_PYTHON = "/usr/bin/python3"


def have(tool):
    return shutil.which(tool) is not None


def env(**extra):
    e = {k: v for k, v in os.environ.items()
         if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "CPATH",
                      "LIBRARY_PATH", "LD_LIBRARY_PATH", "NODE_PATH",
                      "CLASSPATH", "JAVA_HOME", "GITHUB_ACTIONS",
                      "GITLAB_CI", "CI")}
    e.update(EXPLAIN_HISTORY="0", COLUMNS="1000", LC_ALL="C.UTF-8")
    e.update(extra)
    return e


class Run:
    """One run of explain: the JSON report, the text report, the status."""

    def __init__(self, test, argv, cwd, e=None, user=False):
        rep = os.path.join(test.reports, "r%d.json" % test.nrun)
        test.nrun += 1
        pre = NOBODY if user else []
        r = subprocess.run(pre + [EXPLAIN, "--report", rep] + list(argv),
                           cwd=cwd, env=e or env(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=180)
        self.code = r.returncode
        self.stdout = r.stdout
        self.text = r.stderr.decode("utf-8", "replace")
        with open(rep) as f:
            self.report = json.load(f)

    def diagnosis(self, explainer):
        for d in self.report["diagnoses"]:
            if d.get("explainer") == explainer:
                return d
        raise AssertionError("no %s diagnosis in %r\n%s" % (
            explainer, [d.get("explainer") for d in self.report["diagnoses"]],
            self.text[-3000:]))


def cause(d, cid):
    for c in d["causes"]:
        if c["id"] == cid:
            return c
    raise AssertionError("no cause %s in %r" % (
        cid, [(c["id"], c["verdict"]) for c in d["causes"]]))


def commands(d):
    return [f["command"] for f in d["fixes"] if f.get("command")]


def sh(cmd, cwd, e=None, user=False):
    pre = NOBODY if user else []
    return subprocess.run(pre + ["sh", "-c", cmd], cwd=cwd, env=e or env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=180)


def files_named(root, name):
    """Every file called name under root, however deep (the truth the
    bounded search is held to)."""
    hits = []
    for d, dirs, files in os.walk(root):
        if name in files:
            hits.append(os.path.join(d, name))
    return hits


class AbsenceTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.reports = os.path.join(self.tmp, ".reports")
        os.mkdir(self.reports)
        # Written by the unprivileged user too.
        os.chmod(self.reports, 0o777)
        self.nrun = 0
        self.proj = self.path("proj")
        os.mkdir(self.proj)
        # A repository: the project's top, as `git init` makes it.
        os.mkdir(os.path.join(self.proj, ".git"))

    def put(self, rel, text, mode=0o644):
        p = os.path.join(self.proj, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        os.chmod(p, mode)
        return p

    def assert_project_read(self, d):
        f = d["facts"]
        self.assertEqual(f["project_root"], self.proj)
        self.assertEqual(f["project_marker"], ".git")
        self.assertTrue(f["project_complete"])


class Headers(AbsenceTest):
    def setUp(self):
        super().setUp()
        if not have("gcc") or not have("make"):
            self.skipTest("gcc and make are needed")
        self.put("src/main.c", '#include "mylib.h"\nint main(void){return 0;}\n')
        self.put("Makefile", "all:\n\tgcc -c src/main.c -o main.o\n")

    def test_header_in_the_projects_include_dir(self):
        inc = os.path.join(self.proj, "include")
        self.put("include/mylib.h", "int mylib(void);\n")
        r = Run(self, ["make"], self.proj)
        self.assertEqual(r.code, 2)  # make's own status
        d = r.diagnosis("cc-header-not-found")
        c = cause(d, "include-path")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["include_dir"], inc)
        self.assertTrue(os.path.isfile(c["facts"]["found"]))
        self.assertEqual(os.path.dirname(c["facts"]["found"]), inc)
        self.assertEqual(cause(d, "dev-package")["verdict"], "ruled-out")
        self.assert_project_read(d)
        fix = [x for x in commands(d) if x.startswith("CPATH=")]
        self.assertEqual(fix, ["CPATH=%s${CPATH:+:$CPATH} make" % inc])
        self.assertIn("mylib.h exists in the project, at %s/mylib.h" % inc,
                      r.text)
        self.assertIn(fix[0], r.text)
        self.assertNotIn("installed nowhere", r.text)
        # The fix, applied to the same build, builds.
        self.assertEqual(sh(fix[0], self.proj).returncode, 0)
        self.assertTrue(os.path.exists(os.path.join(self.proj, "main.o")))

    def test_compiler_run_directly_gets_the_flag(self):
        inc = os.path.join(self.proj, "third_party", "mylib", "include")
        self.put("third_party/mylib/include/mylib.h", "int mylib(void);\n")
        r = Run(self, ["gcc", "-c", "src/main.c", "-o", "main.o"], self.proj)
        d = r.diagnosis("cc-header-not-found")
        self.assertEqual(cause(d, "include-path")["facts"]["include_dir"], inc)
        cmd = "gcc -I%s -c src/main.c -o main.o" % inc
        self.assertIn(cmd, commands(d))
        self.assertEqual(sh(cmd, self.proj).returncode, 0)

    def test_absent_header_says_where_it_looked(self):
        r = Run(self, ["make"], self.proj)
        d = r.diagnosis("cc-header-not-found")
        self.assertEqual(cause(d, "dev-package")["verdict"], "confirmed")
        self.assertEqual(cause(d, "include-path")["verdict"], "ruled-out")
        self.assert_project_read(d)
        searched = d["facts"]["searched"].split(":")
        self.assertIn(self.proj, searched)
        self.assertIn("/usr/include", searched)
        # The truth: nowhere in the project, however deep, and not in or one
        # level below the system's directories that were searched.
        self.assertEqual(files_named(self.proj, "mylib.h"), [])
        for s in searched:
            if s != self.proj:
                self.assertFalse(os.path.exists(os.path.join(s, "mylib.h")))
                self.assertEqual(glob.glob(os.path.join(s, "*", "mylib.h")),
                                 [])
        self.assertIn("nor in the project %s (up to its .git)" % self.proj,
                      r.text)


class Libraries(AbsenceTest):
    def setUp(self):
        super().setUp()
        if not have("gcc"):
            self.skipTest("gcc is needed")
        src = self.put("foo.c", "int foo(void){return 7;}\n")
        os.makedirs(os.path.join(self.proj, "vendor", "lib"))
        self.vlib = os.path.join(self.proj, "vendor", "lib")
        subprocess.run(["gcc", "-shared", "-fPIC", "-o",
                        os.path.join(self.vlib, "libfoo.so.1"), src,
                        "-Wl,-soname,libfoo.so.1"], check=True, timeout=120)
        os.symlink("libfoo.so.1", os.path.join(self.vlib, "libfoo.so"))
        self.put("app.c", "int foo(void);\nint main(void){return foo();}\n")

    def link(self):
        subprocess.run(["gcc", "app.c", "-o", "app", "-L" + self.vlib,
                        "-lfoo"], cwd=self.proj, check=True, timeout=120)

    def test_link_finds_the_vendored_library(self):
        r = Run(self, ["gcc", "app.c", "-o", "app", "-lfoo"], self.proj)
        d = r.diagnosis("ld-cannot-find-library")
        c = cause(d, "search-path")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["lib_dir"], self.vlib)
        self.assertTrue(os.path.isfile(c["facts"]["found"]))
        self.assertEqual(cause(d, "dev-package")["verdict"], "ruled-out")
        cmd = "gcc -L%s -Wl,-rpath,%s app.c -o app -lfoo" % (self.vlib,
                                                             self.vlib)
        self.assertIn(cmd, commands(d))
        self.assertIn(cmd, r.text)
        self.assertEqual(sh(cmd, self.proj).returncode, 0)
        # With the run-time path recorded, the program runs as it is.
        run = subprocess.run([os.path.join(self.proj, "app")], env=env())
        self.assertEqual(run.returncode, 7)

    def test_program_finds_the_vendored_library_at_run_time(self):
        self.link()
        for cwd, prog in ((self.proj, "./app"),
                          (os.path.join(self.proj, "vendor"), "../app")):
            r = Run(self, [prog], cwd)
            self.assertEqual(r.code, 127)
            d = r.diagnosis("loader.shared-library")
            c = cause(d, "found-elsewhere")
            self.assertEqual(c["verdict"], "confirmed")
            self.assertEqual(c["facts"]["found_at"],
                             os.path.join(self.vlib, "libfoo.so.1"))
            self.assertTrue(os.path.isfile(c["facts"]["found_at"]))
            self.assertNotIn("not-installed", [x["id"] for x in d["causes"]])
            cmd = ("LD_LIBRARY_PATH=%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} %s"
                   % (self.vlib, prog))
            self.assertIn(cmd, commands(d))
            self.assertIn(cmd, r.text)
            self.assertIn("-Wl,-rpath,'$ORIGIN/vendor/lib'", r.text)
            self.assertEqual(sh(cmd, cwd).returncode, 7)

    def test_absent_library_says_where_it_looked(self):
        self.link()
        shutil.rmtree(self.vlib)
        r = Run(self, ["./app"], self.proj)
        d = r.diagnosis("loader.shared-library")
        self.assertEqual(cause(d, "not-installed")["verdict"], "confirmed")
        self.assertEqual(cause(d, "found-elsewhere")["verdict"], "ruled-out")
        self.assert_project_read(d)
        self.assertEqual(files_named(self.proj, "libfoo.so.1"), [])
        for dirs in ("/lib", "/usr/lib", "/usr/local/lib", "/lib64"):
            self.assertEqual(files_named(dirs, "libfoo.so.1")
                             if os.path.isdir(dirs) else [], [])
        self.assertIn("libfoo.so.1 is in none of the places searched", r.text)
        self.assertIn("the project %s (up to its .git), 6 levels deep"
                      % self.proj, r.text)


class PythonModules(AbsenceTest):
    def setUp(self):
        super().setUp()
        if not os.access(SYSTEM_PYTHON, os.X_OK):
            self.skipTest("%s is needed" % SYSTEM_PYTHON)

    def test_module_in_the_projects_src(self):
        self.put("src/mypkg/__init__.py", "X = 41 + 1\n")
        self.put("scripts/run.py", "import mypkg\nprint(mypkg.X)\n")
        src = os.path.join(self.proj, "src")
        r = Run(self, [SYSTEM_PYTHON, "scripts/run.py"], self.proj)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("python-module-not-found")
        c = cause(d, "local-package")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["found_in"], src)
        self.assertTrue(os.path.isfile(os.path.join(src, "mypkg",
                                                    "__init__.py")))
        cmd = ("PYTHONPATH=%s${PYTHONPATH:+:$PYTHONPATH} %s scripts/run.py"
               % (src, SYSTEM_PYTHON))
        self.assertIn(cmd, commands(d))
        # No install of a package that happens to have the same name.
        self.assertFalse(any("pip install" in x for x in commands(d)))
        self.assertIn("mypkg exists in %s" % src, r.text)
        out = sh(cmd, self.proj)
        self.assertEqual((out.returncode, out.stdout), (0, b"42\n"))

    def test_venv_of_another_name_at_the_projects_top(self):
        venv = os.path.join(self.proj, "py-env")
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", venv],
                       check=True, timeout=120)
        site = glob.glob(os.path.join(venv, "lib", "python3*",
                                      "site-packages"))[0]
        with open(os.path.join(site, "zzvenvmod.py"), "w") as f:
            f.write("print('from the venv')\n")
        cwd = os.path.join(self.proj, "app", "cli")
        os.makedirs(cwd)
        r = Run(self, [SYSTEM_PYTHON, "-c", "import zzvenvmod"], cwd)
        d = r.diagnosis("python-module-not-found")
        c = cause(d, "venv-inactive")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["venv"], venv)
        self.assertTrue(c["facts"]["venv_has_module"])
        cmd = "%s/bin/python -c 'import zzvenvmod'" % venv
        self.assertIn(cmd, commands(d))
        self.assertIn(cmd, r.text)
        self.assertEqual(sh(cmd, cwd).stdout, b"from the venv\n")

    def test_absent_module_says_where_it_looked(self):
        self.put("src/other/__init__.py", "")
        r = Run(self, [SYSTEM_PYTHON, "-c", "import zz_nowhere_mod"],
                self.proj)
        d = r.diagnosis("python-module-not-found")
        self.assertEqual(cause(d, "local-package")["verdict"], "ruled-out")
        self.assert_project_read(d)
        self.assertEqual(files_named(self.proj, "zz_nowhere_mod.py"), [])
        self.assertFalse(glob.glob(os.path.join(self.proj, "**",
                                                "zz_nowhere_mod"),
                                   recursive=True))
        self.assertIn("nor in the project %s (up to its .git)" % self.proj,
                      r.text)


class NodeModules(AbsenceTest):
    def setUp(self):
        super().setUp()
        if not have("node"):
            self.skipTest("node is needed")

    def test_package_in_a_sibling_directory(self):
        self.put("app/package.json", '{"name": "app", "version": "1.0.0"}\n')
        self.put("app/index.js", "console.log(require('shared').x);\n")
        self.put("shared/package.json",
                 '{"name": "shared", "version": "1.0.0", "main": "index.js"}\n')
        self.put("shared/index.js", "exports.x = 42;\n")
        app = os.path.join(self.proj, "app")
        r = Run(self, ["node", "index.js"], app)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("node-module-not-found")
        c = cause(d, "local-package")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["found"], os.path.join(self.proj,
                                                           "shared"))
        self.assertTrue(os.path.isfile(os.path.join(c["facts"]["found"],
                                                    "package.json")))
        cmd = "NODE_PATH=%s${NODE_PATH:+:$NODE_PATH} node index.js" % self.proj
        self.assertIn(cmd, commands(d))
        # Never the registry's package of the same name.
        self.assertNotIn("cd %s && npm install shared" % app, commands(d))
        self.assertIn("shared is in the project, at %s/shared" % self.proj,
                      r.text)
        out = sh(cmd, app)
        self.assertEqual((out.returncode, out.stdout), (0, b"42\n"))


def jdk_homes():
    """Every JDK under /usr/lib/jvm with its feature version, from its
    release file (what the probe reads), by real path."""
    homes = {}
    for rel in glob.glob("/usr/lib/jvm/*/release"):
        home = os.path.realpath(os.path.dirname(rel))
        if not os.path.exists(os.path.join(home, "bin", "java")):
            continue
        with open(rel) as f:
            lines = f.read().splitlines()
        for line in lines:
            if line.startswith("JAVA_VERSION="):
                v = line.split("=", 1)[1].strip().strip('"')
                major = v.split(".")[0]
                homes[home] = (v, int(v.split(".")[1]) if major == "1"
                               else int(major))
    return homes


class Java(AbsenceTest):
    def setUp(self):
        super().setUp()
        if not have("java") or not have("javac"):
            self.skipTest("a JDK is needed")
        self.java = os.path.realpath(shutil.which("java"))
        self.home = os.path.dirname(os.path.dirname(self.java))
        self.put("Hello.java", 'public class Hello { public static void '
                 'main(String[] a) { System.out.println("hi"); } }\n')

    def compile(self, javac="javac", *opts):
        subprocess.run([javac, *opts, "-d", "out", "Hello.java"],
                       cwd=self.proj, check=True, timeout=300)

    def test_class_newer_than_every_installed_jdk(self):
        # No JDK can be installed next to openjdk-17 from Debian 12's own
        # archive, so the class is made newer than any: its major version
        # (bytes 6-7 of the class file) is set to 99, Java 55.
        self.compile()
        cls = os.path.join(self.proj, "out", "Hello.class")
        with open(cls, "r+b") as f:
            f.seek(6)
            f.write(bytes([0, 99]))
        r = Run(self, ["java", "-cp", "out", "Hello"], self.proj)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("java-class-version")
        f = d["facts"]
        self.assertEqual(f["needs_java"], 55)
        self.assertEqual(f["class_file"], cls)
        self.assertEqual(f["class_file_major"], 99)
        # The runtime that ran, against its release file.
        jdks = jdk_homes()
        self.assertEqual(f["runtime_home"], self.home)
        self.assertEqual(f["runtime_version"], jdks[self.home][0])
        self.assertEqual(cause(d, "old-default-java")["verdict"], "confirmed")
        # Every JDK there is listed, and none is new enough: the truth.
        listed = dict(x.rsplit("=", 1) for x in f["jdks"].split(":"))
        for home, (version, feature) in jdks.items():
            self.assertEqual(listed[home], version)
            self.assertLess(feature, 55)
        self.assertEqual(cause(d, "several-jdks")["verdict"], "ruled-out")
        self.assertIn("is Java 55 or later", r.text)
        self.assertIn("install Java 55 or later", r.text)
        self.assertIn("javac --release %d" % jdks[self.home][1], r.text)

    def test_second_jdk_that_can_run_the_class(self):
        jdks = jdk_homes()
        default = jdks.get(self.home)
        newer = sorted((feat, home) for home, (v, feat) in jdks.items()
                       if default and feat > default[1])
        if not newer:
            self.skipTest("only one JDK version is installed (Debian 12 "
                          "ships openjdk-17 alone)")
        feature, home = newer[0]
        self.compile(os.path.join(home, "bin", "javac"), "--release",
                     str(feature))
        r = Run(self, [self.java, "-cp", "out", "Hello"], self.proj)
        d = r.diagnosis("java-class-version")
        self.assertEqual(d["facts"]["needs_java"], feature)
        c = cause(d, "several-jdks")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["jdk_home"], home)
        cmd = ('JAVA_HOME=%s PATH=%s/bin:"$PATH" %s/bin/java -cp out Hello'
               % (home, home, home))
        self.assertIn(cmd, commands(d))
        self.assertIn(cmd, r.text)
        self.assertEqual(sh(cmd, self.proj).stdout, b"hi\n")

    def test_class_outside_the_class_path(self):
        self.compile()
        out = os.path.join(self.proj, "out")
        r = Run(self, ["java", "Hello"], self.proj)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("java-class-not-found")
        c = cause(d, "classpath")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["classpath_dir"], out)
        self.assertTrue(os.path.isfile(os.path.join(out, "Hello.class")))
        cmd = "java -cp %s Hello" % out
        self.assertIn(cmd, commands(d))
        self.assertIn("Hello is in the project, at %s/Hello.class" % out,
                      r.text)
        self.assertEqual(sh(cmd, self.proj).stdout, b"hi\n")


class Decoding(AbsenceTest):
    TEXT = "name;city\nRen\u00e9;Z\u00fcrich \u201cquoted\u201d\n"

    def setUp(self):
        super().setUp()
        if not os.access(SYSTEM_PYTHON, os.X_OK):
            self.skipTest("%s is needed" % SYSTEM_PYTHON)

    def first_invalid(self, data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as ex:
            return ex.start
        return None

    def test_python_reads_a_cp1252_file(self):
        data = self.TEXT.encode("cp1252")
        legacy = self.put("legacy.csv", data)
        self.put("read.py", 'rows = open("legacy.csv").read()\n')
        r = Run(self, [SYSTEM_PYTHON, "read.py"], self.proj)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("text-encoding")
        self.assertEqual(d["facts"]["file"], legacy)
        c = cause(d, "not-utf8")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["offset"], self.first_invalid(data))
        self.assertEqual(c["facts"]["byte_at_offset"], "%02x" %
                         data[self.first_invalid(data)])
        self.assertTrue(c["facts"]["position_is_file_offset"])
        c = cause(d, "legacy-encoding")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["encoding"], "cp1252")
        self.assertIn("likely cp1252", c["text"])
        self.assertIn('rows = open("legacy.csv", encoding=\'cp1252\').read()',
                      r.text)
        iconv = "iconv -f CP1252 -t UTF-8 -o %s/legacy.utf8.csv %s" % (
            self.proj, legacy)
        self.assertIn(iconv, commands(d))
        self.assertIn(iconv, r.text)
        # Both fixes work: the converted copy is the text, and the source
        # line as given reads it.
        self.assertEqual(sh(iconv, self.proj).returncode, 0)
        with open(os.path.join(self.proj, "legacy.utf8.csv"), "rb") as f:
            self.assertEqual(f.read().decode("utf-8"), self.TEXT)
        fixed = self.put("fixed.py",
                         "rows = open(\"legacy.csv\", encoding='cp1252')"
                         ".read()\nprint(rows == %r)\n" % self.TEXT)
        self.assertEqual(sh("%s %s" % (SYSTEM_PYTHON, fixed),
                            self.proj).stdout, b"True\n")

    def test_position_of_a_block_is_not_the_offset(self):
        data = b"a" * 20000 + "caf\u00e9\n".encode("latin-1")
        self.put("big.txt", data)
        self.put("lines.py", 'for line in open("big.txt"):\n    pass\n')
        r = Run(self, [SYSTEM_PYTHON, "lines.py"], self.proj)
        c = cause(r.diagnosis("text-encoding"), "not-utf8")
        self.assertEqual(c["facts"]["offset"], 20003)
        self.assertFalse(c["facts"]["position_is_file_offset"])
        self.assertIn("counts from the start of the block", c["text"])

    def test_utf16_with_a_byte_order_mark(self):
        self.put("u16.txt", self.TEXT.encode("utf-16"))
        self.put("rd.py", 'open("u16.txt").read()\n')
        r = Run(self, [SYSTEM_PYTHON, "rd.py"], self.proj)
        d = r.diagnosis("text-encoding")
        self.assertEqual(d["facts"]["bom"], "UTF-16LE")
        self.assertEqual(cause(d, "utf16")["verdict"], "confirmed")
        iconv = [x for x in commands(d) if x.startswith("iconv")][0]
        self.assertTrue(iconv.startswith("iconv -f UTF-16 -t UTF-8"))
        self.assertEqual(sh(iconv, self.proj).returncode, 0)
        with open(os.path.join(self.proj, "u16.utf8.txt"), "rb") as f:
            self.assertEqual(f.read().decode("utf-8"), self.TEXT)

    def test_java_reads_a_file_named_on_its_command_line(self):
        if not have("java") or not have("javac"):
            self.skipTest("a JDK is needed")
        legacy = self.put("legacy.txt", self.TEXT.encode("cp1252"))
        self.put("Read.java", "import java.nio.file.*;\npublic class Read { "
                 "public static void main(String[] a) throws Exception { "
                 "Files.readAllLines(Path.of(a[0])); } }\n")
        subprocess.run(["javac", "Read.java"], cwd=self.proj, check=True,
                       timeout=300)
        r = Run(self, ["java", "Read", "legacy.txt"], self.proj)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("text-encoding")
        self.assertEqual(d["facts"]["file"], legacy)
        self.assertEqual(d["facts"]["file_found_as"],
                         "named on the command line")
        self.assertIn('Charset.forName("windows-1252")', r.text)

    def test_node_decodes_a_file_named_on_its_command_line(self):
        if not have("node"):
            self.skipTest("node is needed")
        legacy = self.put("legacy.txt", self.TEXT.encode("cp1252"))
        self.put("decode.js", "const fs = require('fs');\n"
                 "new TextDecoder('utf-8', { fatal: true })"
                 ".decode(fs.readFileSync(process.argv[2]));\n")
        r = Run(self, ["node", "decode.js", "legacy.txt"], self.proj)
        self.assertEqual(r.code, 1)
        d = r.diagnosis("text-encoding")
        self.assertEqual(d["facts"]["file"], legacy)
        self.assertEqual(cause(d, "legacy-encoding")["facts"]["encoding"],
                         "cp1252")
        # Node's TextDecoder('windows-1252') reads the curly quotes as
        # latin-1 control characters (which this test saw it do), so the
        # fix is the conversion, and it gives the text back.
        self.assertNotIn("decode it with its encoding: new TextDecoder",
                         r.text)
        iconv = [x for x in commands(d) if x.startswith("iconv")][0]
        self.assertEqual(sh(iconv, self.proj).returncode, 0)
        out = subprocess.run(
            ["node", "-e", "process.stdout.write(new TextDecoder("
             "'utf-8', {fatal: true}).decode(require('fs').readFileSync("
             "'legacy.utf8.txt')))"], cwd=self.proj, stdout=subprocess.PIPE,
            timeout=60)
        self.assertEqual(out.stdout.decode("utf-8"), self.TEXT)
        # Without those bytes (latin-1 alike), TextDecoder is the fix, and
        # it reads the file right.
        plain = "Ren\u00e9 Z\u00fcrich\n"
        self.put("legacy.txt", plain.encode("cp1252"))
        r = Run(self, ["node", "decode.js", "legacy.txt"], self.proj)
        self.assertIn("new TextDecoder('windows-1252')", r.text)
        out = subprocess.run(
            ["node", "-e", "process.stdout.write(new TextDecoder("
             "'windows-1252').decode(require('fs').readFileSync("
             "'legacy.txt')))"], cwd=self.proj, stdout=subprocess.PIPE,
            timeout=60)
        self.assertEqual(out.stdout.decode("utf-8"), plain)


class Commands(AbsenceTest):
    def test_admin_command_outside_an_unprivileged_path(self):
        tool = None
        for name in ("ldconfig", "sysctl", "ip", "useradd"):
            for d in ("/usr/sbin", "/sbin"):
                p = os.path.join(d, name)
                if os.access(p, os.X_OK) and not os.path.exists(
                        os.path.join("/usr/bin", name)):
                    tool = name
                    break
            if tool:
                break
        if tool is None:
            self.skipTest("no sbin-only command here")
        e = env(PATH="/usr/bin:/bin", HOME=self.tmp)
        r = Run(self, [tool, "--version"], self.proj, e=e, user=True)
        self.assertEqual(r.code, 127)
        d = r.diagnosis("exec.command-not-found")
        c = cause(d, "sbin-not-on-path")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertTrue(os.access(c["facts"]["found_at"], os.X_OK))
        searched = d["facts"]["searched"].split(":")
        self.assertEqual(searched[:2], ["/usr/bin", "/bin"])
        self.assertIn(c["facts"]["dir"], searched)
        self.assertIn("%s --version" % c["facts"]["found_at"], commands(d))

    def test_tool_in_node_modules_bin_above_the_cwd(self):
        tool = self.put("node_modules/.bin/zz-lint", "#!/bin/sh\necho linted\n",
                        0o755)
        cwd = os.path.join(self.proj, "packages", "web")
        os.makedirs(cwd)
        r = Run(self, ["zz-lint"], cwd)
        d = r.diagnosis("exec.command-not-found")
        c = cause(d, "node-modules-bin")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["found_at"], tool)
        self.assertIn("npx zz-lint", commands(d))

    def test_program_in_the_projects_build_output(self):
        prog = self.put("build/bin/zz-app", "#!/bin/sh\necho built\n", 0o755)
        r = Run(self, ["zz-app"], self.proj)
        d = r.diagnosis("exec.command-not-found")
        c = cause(d, "in-project")
        self.assertEqual(c["verdict"], "confirmed")
        self.assertEqual(c["facts"]["found_at"], prog)
        self.assertIn(prog, commands(d))
        self.assertIn("zz-app is in the project, at %s" % prog, r.text)
        self.assertEqual(sh(prog, self.proj).stdout, b"built\n")

    def test_absent_command_says_where_it_looked(self):
        e = env(HOME=self.tmp)
        r = Run(self, ["zz-explain-nowhere"], self.proj, e=e)
        d = r.diagnosis("exec.command-not-found")
        self.assertEqual(cause(d, "not-installed")["verdict"], "confirmed")
        self.assert_project_read(d)
        for s in d["facts"]["searched"].split(":"):
            self.assertFalse(os.path.exists(os.path.join(s,
                                                         "zz-explain-nowhere")))
        for s in os.environ["PATH"].split(":"):
            if s.startswith("/"):
                self.assertIn(s, d["facts"]["searched"].split(":"))
        self.assertEqual(files_named(self.proj, "zz-explain-nowhere"), [])
        self.assertIn("nor in the project %s (up to its .git)" % self.proj,
                      r.text)

    def test_package_of_a_known_command(self):
        if not os.access("/usr/bin/apt-get", os.X_OK):
            self.skipTest("not a Debian system")
        table = {"nmap": "nmap", "socat": "socat", "tcpdump": "tcpdump",
                 "dos2unix": "dos2unix", "pdftotext": "poppler-utils"}
        absent = [n for n in table if shutil.which(n) is None and
                  not os.path.exists("/usr/sbin/" + n)]
        if not absent:
            self.skipTest("every command of the sample is installed")
        name = absent[0]
        r = Run(self, [name], self.proj)
        d = r.diagnosis("exec.command-not-found")
        self.assertEqual(cause(d, "not-installed")["facts"]["package"],
                         table[name])
        self.assertIn("apt-get install -y %s" % table[name],
                      " ".join(commands(d)))


if __name__ == "__main__":
    unittest.main()
