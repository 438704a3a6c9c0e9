"""The corpus of real excerpts from public threads (tests/fixtures/corpus):
explain --log recognises at least 9 failures in 10 with the family and
subject their label gives, and says nothing on any near-miss (a warning, a
retry that passed, a test named after an error, docs quoting one). The
measure is tests/corpus/measure.py's own, run on the built binary; its
labels were gathered without looking at the rules (tests/corpus/README.md).
"""
import glob
import json
import os
import sys
import unittest

from helpers import EXPLAIN, SOURCE_DIR

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "corpus"))
import measure  # noqa: E402

CORPUS = os.path.join(SOURCE_DIR, "tests", "fixtures", "corpus")

# Near-misses explain flags and cannot tell from their text, each with why.
KNOWN_FLAGGED = {
    # One line, `mv: cannot move ... Permission denied`, from a build the
    # thread says succeeded; nothing in the text says the build went on.
    "n/near-miss.sonic-successful-build-mv-permission.log",
    # A blog post's story around a compose log that really failed
    # (ECONNREFUSED, "Exited with code 1", "Restarting..."); the prose
    # around it is what a person reporting the failure would write too.
    "p/near-miss.blog-compose-healthcheck-econnrefused.log",
    # A blog's curl session: the lead ("an unsuccessful request to a port
    # where nothing is listening:") is what a person's "here is a failed
    # run:" reads like too.
    "o/near-miss.blog-curl-refused-explainer.log",
    # One `ls: cannot access '...*'` line from a script that worked: the
    # text alone does not say the glob was only a check.
    "o/near-miss.callgrind-script-ls-harmless.log",
    # A Korean blog post: its title is the error in title case, then the
    # error line as docker prints it; only the prose after it, in Korean,
    # says that this is an article and not a run.
    "q/near-miss.blog-ko-docker-registry-x509.log",
    # A driver install whose mkdir and cp really failed on a read-only
    # /lib/modules; the thread's maintainer says falco works regardless,
    # which nothing in the lines says.
    "q/near-miss.falco-dkms-readonly-expected.log",
    # A GitHub Action's git pathspec errors before its own "PASS:": the
    # thread calls the pass a bug; nothing in the lines says the errors
    # did not matter.
    "r/near-miss.action-pass-despite-pathspec-errors.log",
    # A Makefile's version stamp runs git outside a repository three times
    # and the build goes on; each "fatal: Not a git repository" reads as
    # the failure it would be anywhere else.
    "r/near-miss.git-version-stamp-noise-build-continues.log",
    # nixos-rebuild runs git on a flake whose repository another user owns:
    # git's "fatal: detected dubious ownership" and "Could not read from
    # remote repository", then the rebuild goes on and switches; its own
    # lines ("activating the configuration...") say nothing of success.
    "t/near-miss.nixos-rebuild-dubious-warning-switched.log",
}
RULES = os.path.join(SOURCE_DIR, "rules")


def rule_conditions():
    """(rule id, condition) of every rule and pattern of the built-in rules."""
    out = []
    for path in sorted(glob.glob(os.path.join(RULES, "*.json"))):
        with open(path) as f:
            for rule in json.load(f)["rules"]:
                # A recogniser rule (errno-phrase) gives errnos, no condition.
                events = [rule.get("event", {})] + [
                    p["event"] for p in rule.get("patterns", [])
                    if isinstance(p, dict) and "event" in p]
                for ev in events:
                    if ev.get("condition"):
                        out.append((rule["id"], ev["condition"]))
    return out


class Corpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.families = measure.load_families()
        dirs = sorted(d for d in glob.glob(os.path.join(CORPUS, "*"))
                      if os.path.isdir(d))
        cls.rows = measure.measure(EXPLAIN, dirs, cls.families)
        cls.summary = measure.summary(cls.rows)

    def misses(self, pred):
        return ["%s: want %s, got %s" % (r["log"], r["family"] or "silence",
                                         r.get("got")) for r in self.rows
                if pred(r) and not r["ok"]]

    def test_corpus_is_there(self):
        s = self.summary
        self.assertGreaterEqual(s["failures"], 400)
        self.assertGreaterEqual(s["near_misses"], 50)
        # measure() ran explain on every excerpt.
        self.assertEqual([r["log"] for r in self.rows if r.get("why") == "explain failed"], [])

    def test_nine_in_ten_failures_recognised(self):
        s = self.summary
        ratio = s["recognised"] / s["failures"]
        self.assertGreaterEqual(
            ratio, 0.9, "%d of %d recognised; misses:\n%s" % (
                s["recognised"], s["failures"],
                "\n".join(self.misses(lambda r: not r["silent"]))))

    def test_no_near_miss_flagged(self):
        flagged = [m for m in self.misses(lambda r: r["silent"])
                   if m.split(":", 1)[0] not in KNOWN_FLAGGED]
        self.assertEqual(flagged, [])

    def test_known_flagged_are_still_flagged(self):
        # The list only shrinks: one that is silent now leaves it.
        silent_now = [r["log"] for r in self.rows
                      if r["silent"] and r["ok"] and r["log"] in KNOWN_FLAGGED]
        self.assertEqual(silent_now, [])

    def test_every_family_is_recognised_somewhere(self):
        # A family whose excerpts are never recognised would be hidden by the
        # overall ratio: each labelled family gets at least half right.
        weak = ["%s %d/%d" % (fam, ok, n)
                for fam, (ok, n) in sorted(self.summary["by_family"].items())
                if n >= 4 and ok * 2 < n]
        self.assertEqual(weak, [])

    def test_every_rule_condition_has_a_family(self):
        known = set()
        for fam in self.families.values():
            known.update(fam.get("conditions", []))
        missing = sorted({"%s: %s" % (rid, cond) for rid, cond in rule_conditions()
                          if cond not in known})
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
