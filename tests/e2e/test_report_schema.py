"""Real JSON reports validated against the shipped JSON Schema
(docs/explain-report.schema.json): failing programs, every --log fixture,
launcher failures, a signal death and output that is not UTF-8.

Each report is checked twice: against the schema as shipped (which accepts
fields added later within explain-report/2), and against a closed copy in
which every object lists all its fields, so that a field the renderer adds
without documenting it in the schema fails here."""
import copy
import glob
import json
import os
import signal
import subprocess
import unittest

from helpers import EXPLAIN, PYTHON, SOURCE_DIR, TempDirTest, py, run

try:
    import jsonschema
except ImportError:  # Debian: apt-get install python3-jsonschema
    jsonschema = None

SCHEMA_PATH = os.path.join(SOURCE_DIR, "docs", "explain-report.schema.json")
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures", "signatures")
ENV = dict(os.environ, EXPLAIN_HISTORY="0")


def closed(schema):
    """A copy of schema in which objects with listed properties accept no
    other (facts stay open: their keys are the probes')."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return schema


@unittest.skipIf(jsonschema is None,
                 "the Python module jsonschema is not installed "
                 "(Debian package python3-jsonschema)")
class ReportSchema(TempDirTest):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        cls.validator_cls = jsonschema.validators.validator_for(schema)
        cls.validator_cls.check_schema(schema)
        cls.open_validator = cls.validator_cls(schema)
        cls.closed_validator = cls.validator_cls(closed(schema))

    def check(self, report, what):
        self.check_typed(report, what)
        for name, v in (("shipped", self.open_validator),
                        ("closed", self.closed_validator)):
            errors = sorted(v.iter_errors(report), key=lambda e: list(e.path))
            if errors:
                e = errors[0]
                self.fail("%s: report does not match the %s schema at %s: %s"
                          % (what, name, "/".join(map(str, e.path)),
                             e.message))

    def check_typed(self, report, what):
        """Every fact keeps its type: no number or boolean written as a
        string, no list spread over numbered keys (frame_0, frame_1)."""
        def walk(facts, where):
            for k, v in facts.items():
                self.assertNotRegex(k, r"_\d+$", "%s: %s.%s" % (what, where, k))
                if isinstance(v, str) and not k.endswith("mode"):
                    # Modes are octal strings ("0644", "1777").
                    self.assertNotRegex(v, r"^(-?[1-9][0-9]*|0|true|false)$",
                                        "%s: %s.%s is a string" %
                                        (what, where, k))
                elif isinstance(v, list):
                    for x in v:
                        if isinstance(x, dict):
                            walk(x, where + "." + k + "[]")

        walk(report.get("context") or {}, "context")
        for d in report["diagnoses"]:
            walk(d["facts"], d["id"] + ".facts")
            for c in d["causes"]:
                walk(c["facts"], d["id"] + "." + str(c["id"]))

    def report_of(self, args, **kw):
        """Runs explain --report FILE args; returns (process, report)."""
        out = self.path("report.json")
        r = run(["--report", out] + list(args), env=ENV, cwd=self.tmp, **kw)
        with open(out, "rb") as f:
            return r, json.loads(f.read().decode("utf-8"))

    def test_failing_python(self):
        r, rep = self.report_of(py("open('/nonexistent/out.csv', 'w')"))
        self.assertEqual(r.returncode, 1)
        self.assertTrue(rep["diagnoses"])
        self.check(rep, "python FileNotFoundError")

    def test_json_on_stdout_and_missing_module(self):
        r = run(["--format", "json"] + py("import no_such_module_xyz"),
                env=ENV, cwd=self.tmp)
        self.assertEqual(r.returncode, 1)
        rep = json.loads(r.stdout)
        self.assertTrue(rep["diagnoses"])
        self.check(rep, "--format json, ModuleNotFoundError")

    def test_success_and_always(self):
        _, rep = self.report_of(["true"])
        self.assertEqual(rep["diagnoses"], [])
        self.check(rep, "success")
        _, rep = self.report_of(["--always", "--scan", "both", "sh", "-c",
                                 "echo 'fatal: not a git repository' >&2"])
        self.check(rep, "--always after success")

    def test_every_log_fixture(self):
        logs = sorted(glob.glob(os.path.join(FIXTURES, "*.log")))
        self.assertGreater(len(logs), 100)
        for log in logs:
            r = run(["--format", "json", "--log", log], env=ENV)
            self.assertIn(r.returncode, (0, 1), log)
            rep = json.loads(r.stdout)
            self.assertIsNone(rep["command"])
            self.assertIsNone(rep["exit"])
            self.check(rep, os.path.basename(log))

    def test_launcher_failures(self):
        r, rep = self.report_of(["no-such-command-xyz"])
        self.assertEqual(r.returncode, 127)
        self.assertEqual(rep["exit"]["code"], 127)
        self.check(rep, "command not found")
        script = self.write("run.sh", "echo hi\n", mode=0o644)
        r, rep = self.report_of([script])
        self.assertEqual(r.returncode, 126)
        self.check(rep, "not executable")
        script = self.write("crlf.sh", "#!/bin/bash\r\necho hi\n", mode=0o755)
        r, rep = self.report_of([script])
        self.assertEqual(r.returncode, 126)  # as bash: a bad interpreter
        self.check(rep, "interpreter not found")

    def test_signal_death(self):
        r, rep = self.report_of(["sh", "-c", "echo dying >&2; kill -TERM $$"])
        self.assertEqual(r.returncode, -signal.SIGTERM)
        self.assertEqual(rep["exit"]["signal"], signal.SIGTERM)
        self.assertEqual(rep["exit"]["code"], 128 + signal.SIGTERM)
        self.check(rep, "SIGTERM")
        r, rep = self.report_of(py("import os; os.abort()"))
        self.assertEqual(rep["exit"]["signal"], signal.SIGABRT)
        self.check(rep, "SIGABRT")

    def test_invalid_utf8_and_nul(self):
        # A message of coreutils with a file name that is not UTF-8.
        r, rep = self.report_of([
            "sh", "-c",
            r"printf 'cat: /nonexistent/\377\376x\000y: No such file or "
            r"directory\n' >&2; exit 1"])
        self.assertEqual(r.returncode, 1)
        self.check(rep, "invalid UTF-8")
        text = json.dumps(rep)
        self.assertNotIn("\\u0000", text)
        hexes = [d["subject"].get("value_hex") for d in rep["diagnoses"]]
        self.assertTrue(any(h and "fffe" in h for h in hexes), rep)

    def test_closed_schema_rejects_an_undocumented_field(self):
        _, rep = self.report_of(["false"])
        rep["undocumented"] = 1
        self.assertTrue(list(self.closed_validator.iter_errors(rep)))
        self.assertFalse(list(self.open_validator.iter_errors(rep)))


if __name__ == "__main__":
    unittest.main()
