#!/usr/bin/env python3
"""Writes bash's own translations of "command not found" into the patterns
of shell.command-not-found in rules/shell.json.

    python3 rules/bash_l10n.py [LOCALE_DIR]

LOCALE_DIR (default /usr/share/locale) holds bash's message catalogues
(LANG/LC_MESSAGES/bash.mo, in Debian's bash package). A shell started in a
German locale says "/bin/bash: Zeile 1: nala: Kommando nicht gefunden.",
and CI logs from such machines are pasted as they are.

Run by hand, not by the build. The patterns it writes are recognised on
the next run by the text they end with, so running it again replaces them
(after a newer bash, or a change here) instead of adding to them.
"""
import gettext
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "shell.json")
RULE = "shell.command-not-found"
ENGLISH_CNF = "%s: command not found"
ENGLISH_LINE = "line %d: "


def regex_text(text):
    """A catalogue's text as a regex: literal, a no-break space as any."""
    out = re.escape(text).replace("\\\xa0", "[\\s\xa0]").replace("\xa0", "[\\s\xa0]")
    return out.replace("\\ ", " ")


def line_regex(line):
    head, _, tail = line.partition("%d")
    return regex_text(head) + "\\d+" + regex_text(tail.rstrip()) + "\\s*"


def pattern(cnf, line):
    """The pattern of one language: bash's "PROG: [line N: ]CMD: TEXT"."""
    before, _, after = cnf.partition("%s")
    prefix = "^(?<prog>[^\\s:]+): (?:" + line_regex(line) + ")?"
    command = "(?<command>[^\\s:\uff1a]+?)"
    return prefix + regex_text(before) + command + regex_text(after) + "$"


def translations(locale_dir):
    seen = {}
    for mo in sorted(glob.glob(os.path.join(locale_dir, "*/LC_MESSAGES/bash.mo"))):
        lang = mo.split(os.sep)[-3]
        if lang.startswith("en"):
            continue
        with open(mo, "rb") as f:
            t = gettext.GNUTranslations(f)
        cnf = t.gettext(ENGLISH_CNF)
        line = t.gettext(ENGLISH_LINE)
        if cnf == ENGLISH_CNF or cnf.count("%s") != 1 or line.count("%d") != 1:
            continue
        seen.setdefault((cnf, line), lang)
    return [pattern(cnf, line) for (cnf, line) in sorted(seen, key=lambda k: seen[k])]


def main():
    locale_dir = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/locale"
    new = translations(locale_dir)
    if not new:
        sys.exit("bash_l10n.py: no bash catalogues under " + locale_dir)
    with open(RULES, encoding="utf-8") as f:
        doc = json.load(f)
    rule = next(r for r in doc["rules"] if r["id"] == RULE)
    # A generated pattern starts with this head; the hand-written ones do not.
    head = "^(?<prog>[^\\s:]+): (?:"
    kept = [p for p in rule["patterns"] if not (isinstance(p, str) and p.startswith(head))]
    rule["patterns"] = kept + new
    with open(RULES, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print("bash_l10n.py: %d translations written to %s" % (len(new), RULES))


if __name__ == "__main__":
    main()
