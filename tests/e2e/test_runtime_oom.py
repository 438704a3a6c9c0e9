"""Out of memory inside a language runtime: the limit in force and
the fix, for Node's heap, the JVM's heap and Python's MemoryError."""
import json
import os
import shutil
import subprocess
import unittest

from helpers import EXPLAIN, EXPLAIN_SANITIZED, TempDirTest, run

NODE_GROW = "let a = []; while (true) a.push(new Array(100000).fill(1));"
JAVA_GROW = ("import java.util.*;\n"
             "public class Grow { public static void main(String[] a) {\n"
             "  List<long[]> l = new ArrayList<>();\n"
             "  while (true) l.add(new long[1 << 20]); } }\n")


def first(report, rule_id):
    for d in report["diagnoses"]:
        if d["id"] == rule_id:
            return d
    raise AssertionError("no %s in %s" % (rule_id,
                                          [d["id"] for d in report["diagnoses"]]))


def verdict(d, cause):
    for c in d["causes"]:
        if c["id"] == cause:
            return c["verdict"]
    raise AssertionError("no cause %s in %s" % (cause, [c["id"] for c in d["causes"]]))


class RuntimeOom(TempDirTest):
    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_node_heap_limit(self):
        r = run(["--format", "json", "node", "--max-old-space-size=16", "-e",
                 NODE_GROW], timeout=120)
        self.assertNotEqual(r.returncode, 0)
        report = json.loads(r.stdout)
        d = report["diagnoses"][0]
        self.assertEqual(d["id"], "node.heap-oom", "the heap is the root cause")
        self.assertEqual(d["explainer"], "runtime-out-of-memory")
        self.assertEqual(d["facts"]["max_old_space_size_mb"], 16)
        self.assertEqual(verdict(d, "heap-limit-set"), "confirmed")
        cmds = [f["command"] for f in d["fixes"] if f["command"]]
        # The flag on the command line wins over NODE_OPTIONS: the fix
        # changes it there.
        self.assertIn("node --max-old-space-size=32 -e", cmds[0])

    @unittest.skipUnless(shutil.which("java") and shutil.which("javac"),
                         "no JDK installed")
    def test_java_heap_limit(self):
        self.write("Grow.java", JAVA_GROW)
        subprocess.run(["javac", "Grow.java"], cwd=self.tmp, check=True,
                       timeout=120)
        r = run(["--format", "json", "java", "-Xmx32m", "-cp", self.tmp,
                 "Grow"], timeout=120)
        self.assertEqual(r.returncode, 1)
        d = first(json.loads(r.stdout), "java.oom-heap")
        self.assertEqual(d["facts"]["xmx_bytes"], 32 * 1024 * 1024)
        self.assertEqual(verdict(d, "heap-limit-set"), "confirmed")
        self.assertEqual(d["fixes"][0]["command"],
                         "java -Xmx64m -cp %s Grow" % self.tmp)
        # From the environment instead: the fix sets the environment.
        env = dict(os.environ, JAVA_TOOL_OPTIONS="-Xmx32m")
        r = run(["--format", "json", "java", "-cp", self.tmp, "Grow"],
                env=env, timeout=120)
        d = first(json.loads(r.stdout), "java.oom-heap")
        self.assertIn("JAVA_TOOL_OPTIONS", d["causes"][-1]["text"] +
                      " ".join(c["text"] for c in d["causes"]))
        self.assertEqual(d["fixes"][0]["command"],
                         "export JAVA_TOOL_OPTIONS=-Xmx64m")

    @unittest.skipIf(EXPLAIN_SANITIZED, "AddressSanitizer cannot run under "
                     "ulimit -v (it reserves terabytes of address space)")
    def test_python_memory_error_under_ulimit(self):
        r = subprocess.run(
            ["sh", "-c", 'ulimit -v 300000; exec "$0" --format json "$1" -c '
             '"x = bytearray(2 * 10**9)"', EXPLAIN, "python3"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 1)
        d = first(json.loads(r.stdout), "python.memory-error")
        self.assertEqual(verdict(d, "address-space-limit"), "confirmed")
        self.assertEqual(d["facts"]["rlimit_as_bytes"], 300000 * 1024)
        self.assertIn("ulimit -v unlimited",
                      [f["command"] for f in d["fixes"]])


if __name__ == "__main__":
    unittest.main()
