"""Rule fixtures: every stored log of a real tool's failure gives the
expected event through `explain --log`, and every benign log gives none.

Fixtures live in tests/fixtures/signatures/<id>.<n>.log with
<id>.<n>.expect.json beside them, and tests/fixtures/benign/<name>.log;
tests/fixtures/gen_part_*.py regenerate them from the real tools."""
import glob
import json
import os
import unittest

from helpers import SOURCE_DIR, run

FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")


def first_diagnosis(log):
    # The message's own event: no probes, so no subject recovered from a
    # source file that happens to exist on this machine.
    r = run(["--log", log, "--no-probe", "--format", "json"])
    report = json.loads(r.stdout)
    return r.returncode, report


class Signatures(unittest.TestCase):
    def test_every_fixture_gives_its_event(self):
        expects = sorted(glob.glob(os.path.join(FIXTURES, "signatures",
                                                "*.expect.json")))
        self.assertGreater(len(expects), 100)
        ids = set()
        for exp_path in expects:
            log = exp_path[:-len(".expect.json")] + ".log"
            with self.subTest(fixture=os.path.basename(log)):
                with open(exp_path) as f:
                    want = json.load(f)
                rc, report = first_diagnosis(log)
                self.assertEqual(rc, 0, "nothing recognised")
                got = report["diagnoses"][0]
                ids.add(got["id"])
                self.assertEqual(got["id"], want["id"])
                for key in ("errno", "condition", "operation"):
                    if key in want:
                        self.assertEqual(got[key], want[key], key)
                if "subject" in want:
                    self.assertEqual(got["subject"]["kind"], want["subject"]["kind"])
                    # "No subject" is null in reports; fixtures may say "".
                    self.assertEqual(got["subject"]["value"] or None,
                                     want["subject"]["value"] or None)
                if "location" in want:
                    self.assertIsNotNone(got["location"])
                    self.assertEqual(got["location"]["file"], want["location"]["file"])
                    if want["location"].get("line") is not None:
                        self.assertEqual(got["location"]["line"],
                                         int(want["location"]["line"]))
        # Fixtures cover at least 120 signatures.
        self.assertGreaterEqual(len(ids), 120)

    def test_every_rule_has_a_fixture(self):
        r = run(["--list-rules"])
        self.assertEqual(r.returncode, 0)
        rule_ids = {line.split("\t")[0] for line in r.stdout.decode().splitlines()}
        fixture_ids = set()
        for p in glob.glob(os.path.join(FIXTURES, "signatures", "*.expect.json")):
            with open(p) as f:
                fixture_ids.add(json.load(f)["id"])
        self.assertEqual(sorted(rule_ids - fixture_ids), [])

    def test_ecosystems(self):
        r = run(["--list-rules"])
        tags = set()
        for line in r.stdout.decode().splitlines():
            tags.update(line.split("\t")[1].split(","))
        self.assertGreaterEqual(len(tags), 12, sorted(tags))

    def test_benign_logs_give_nothing(self):
        logs = sorted(glob.glob(os.path.join(FIXTURES, "benign", "*.log")))
        self.assertGreater(len(logs), 5)
        for log in logs:
            with self.subTest(fixture=os.path.basename(log)):
                rc, report = first_diagnosis(log)
                self.assertEqual(report["diagnoses"], [],
                                 [d["id"] for d in report["diagnoses"]])
                self.assertEqual(rc, 1)


if __name__ == "__main__":
    unittest.main()
