"""Every cause id an explainer can emit has a claim (the hypothesis it
tests, platform/common/claims.c), so that a ruled-out line of the report
reads "✘ <claim>: <what was seen>".

The explainers' sources are read, not run: each ex_cause_add() call's id is
a string literal (or a choice between literals), or a variable whose
values are literals assigned in the same file (`id = "held-by"`,
`.id = "search-denied"`, a table `{"inactive-venv", ...}`), or the result
of a function whose every value a unit test checks (FUNCTIONS below). A
call whose id cannot be resolved that way fails the test, so that a new
shape is taught here rather than slipping through."""
import glob
import os
import re
import unittest

from helpers import SOURCE_DIR, run

PLATFORM = os.path.join(SOURCE_DIR, "platform")
CLAIMS = os.path.join(PLATFORM, "common", "claims.c")
ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
# Functions that produce cause ids, and the unit test that checks that each
# value they can return has a claim.
FUNCTIONS = {
    "ex_crash_class_name": os.path.join(SOURCE_DIR, "tests", "unit",
                                        "crash", "test_crash.c"),
}


def strip_comments(src):
    return re.sub(r"/\*.*?\*/", lambda m: " " * len(m.group(0)), src,
                  flags=re.S)


def call_args(src, start):
    """The top-level arguments of the call whose '(' is at src[start]."""
    args, cur, depth, i = [], "", 0, start
    while i < len(src):
        ch = src[i]
        if ch == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            cur += src[i:j + 1]
            i = j + 1
            continue
        if ch in "([{":
            depth += 1
            if depth > 1:
                cur += ch
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                args.append(cur.strip())
                return args
            cur += ch
        elif ch == "," and depth == 1:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    raise ValueError("unbalanced call")


def literals(text):
    return re.findall(r'"(%s)"' % ID, text)


def resolve(expr, src):
    """The ids expr can take in a file whose text is src, or None."""
    lits = literals(expr)
    if lits:
        return set(lits)
    m = re.fullmatch(r"(?:\w+(?:->|\.))?(\w+)", expr)
    if m is None:
        return None
    name = m.group(1)
    ids = set()
    # Assignments: name = "a"; x.name = cond ? "a" : "b";
    for rhs in re.findall(r"(?:\b|\.|->)%s\s*=\s*([^;=][^;]*);" % name, src):
        call = re.match(r"\s*(\w+)\s*\(", rhs)
        if call and not literals(rhs):
            return {"<%s>" % call.group(1)}
        ids.update(literals(rhs))
    # A member of a row of a table: x = &extra_dirs[i] with
    # extra_dirs[] = {{"inactive-venv", "/.venv/bin", 2}, ...};
    var = re.match(r"(\w+)(?:->|\.)", expr)
    if var:
        for table in re.findall(r"\b%s\s*=\s*&(\w+)\[" % var.group(1), src):
            body = re.search(r"\b%s\[\]\s*=\s*\{(.*?)\n\};" % table, src,
                             re.S)
            if body:
                ids.update(re.findall(r'\{\s*"(%s)"\s*,' % ID,
                                      body.group(1)))
    return ids or None


def emitted_ids():
    """{id: [file:line, ...]} of every id an explainer can emit."""
    found = {}
    for path in sorted(glob.glob(os.path.join(PLATFORM, "**", "*.c"),
                                 recursive=True)):
        src = strip_comments(open(path).read())
        for m in re.finditer(r"\bex_cause_add\s*\(", src):
            if re.match(r"\s*ex_explanation_t\s*\*", src[m.end():]):
                continue  # the definition
            args = call_args(src, m.end() - 1)
            where = "%s:%d" % (os.path.relpath(path, SOURCE_DIR),
                               src.count("\n", 0, m.start()) + 1)
            ids = resolve(args[1], src)
            if ids is None:
                raise AssertionError(
                    "%s: the cause id %r is neither a literal nor a variable "
                    "assigned literals in this file" % (where, args[1]))
            for i in ids:
                found.setdefault(i, []).append(where)
    return found


def claim_table():
    src = strip_comments(open(CLAIMS).read())
    table = re.search(r"claims\[\] = \{(.*?)\n\};", src, re.S).group(1)
    entries = re.findall(r'\{"(%s)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}' % ID,
                         table)
    return {k: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', v))
            for k, v in entries}


class Claims(unittest.TestCase):
    def test_every_emitted_id_has_a_claim(self):
        claims = claim_table()
        ids = emitted_ids()
        self.assertGreater(len(ids), 100)
        missing = sorted("%s (%s)" % (i, ", ".join(w))
                         for i, w in ids.items()
                         if not i.startswith("<") and i not in claims)
        self.assertEqual(missing, [], "cause ids without a claim in %s"
                         % os.path.relpath(CLAIMS, SOURCE_DIR))

    def test_functions_that_make_ids_are_checked_by_a_unit_test(self):
        for i in emitted_ids():
            if not i.startswith("<"):
                continue
            fn = i[1:-1]
            self.assertIn(fn, FUNCTIONS, "cause ids made by %s()" % fn)
            with open(FUNCTIONS[fn]) as f:
                test = f.read()
            self.assertIn(fn, test)
            self.assertIn("ex_cause_claim", test)

    def test_claims_are_hypotheses(self):
        for i, c in claim_table().items():
            if c == "":
                continue  # information only
            with self.subTest(id=i):
                self.assertTrue(c[0].islower() or c[0] in "#-" or
                                c.split()[0].isupper() or c[:2] == "fs" or
                                c.split()[0] in ("AppArmor", "SELinux",
                                                 "NFS", "Node", "CI"), c)
                self.assertFalse(c.endswith("."), c)
                self.assertLess(len(c), 70, c)
                self.assertLess(len(i), 32, i)  # claims.c: char id[32]

    def test_table_lines_are_unique(self):
        src = open(CLAIMS).read()
        keys = re.findall(r'^\s*\{"(%s)",' % ID, src, re.M)
        self.assertEqual(len(keys), len(set(keys)))

    def test_ruled_out_line_reads_as_the_claim(self):
        # A ruled-out cause is shown as its claim, then what was seen.
        r = run(["--color", "never", "--log", "-"], stdin=None,
                input=b"PermissionError: [Errno 13] Permission denied: "
                      b"'/etc/hostname'\n",
                env=dict(os.environ, LC_ALL="C.UTF-8", EXPLAIN_HISTORY="0",
                         COLUMNS="200"))
        out = r.stderr.decode()
        self.assertIn("\u2718 a directory on the way denies search: every "
                      "directory above /etc/hostname lets ", out)


if __name__ == "__main__":
    unittest.main()
