#!/usr/bin/env python3
"""Measures explain on a corpus of real excerpts (tests/fixtures/corpus):
how many failures it recognises with the right family and subject, and how
many near-misses it wrongly reports.

Each excerpt is <family>.<slug>.log with <family>.<slug>.expect.json beside
it (format: tests/corpus/README.md). A failure counts as recognised when
the first diagnosis of `explain --log FILE --format json --no-probe` is of
the expected family (families.json maps errno names, conditions and rule
ids to families) and, when the label names a subject, has that subject. A
near-miss ("silent": true) counts as flagged when any diagnosis comes out.

  measure.py [--explain BIN] [--json] [DIR...]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(SOURCE_DIR, "tests", "fixtures", "corpus")


def load_families(path=os.path.join(HERE, "families.json")):
    with open(path) as f:
        return json.load(f)["families"]


def family_of(diag, families):
    """The family of a diagnosis: the first whose rule ids, conditions or
    errno names take it (in that order of precedence)."""
    rid = diag.get("id") or ""
    for name, fam in families.items():
        for prefix in fam.get("ids", []):
            if rid == prefix or (prefix.endswith(".") and rid.startswith(prefix)):
                return name
    cond = diag.get("condition")
    for name, fam in families.items():
        if cond is not None and cond in fam.get("conditions", []):
            return name
    err = diag.get("errno")
    for name, fam in families.items():
        if err is not None and err in fam.get("errno", []):
            return name
    return None


def _clean(v):
    v = v.strip().strip("'\"`").rstrip(".,;:")
    return v


def _port(v):
    m = re.search(r"(\d+)\]?$", v)
    return m.group(1) if m else None


def _image(v):
    """An image reference as Docker reads it: docker.io/library/ and the
    default tag :latest are implied."""
    v = v.lower()
    for head in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if v.startswith(head):
            v = v[len(head):]
    if v.startswith("library/"):
        v = v[len("library/"):]
    if "@" not in v and ":" not in v.rsplit("/", 1)[-1]:
        v += ":latest"
    return v


_HUB = "registry-1.docker.io"


def _registry_host(v):
    v = v.lower()
    return _HUB if v in ("docker.io", "index.docker.io", _HUB) else v


def _registry(image):
    """The registry an image reference is pulled from."""
    head = image.lower().split("/", 1)
    if len(head) == 2 and ("." in head[0] or ":" in head[0] or
                           head[0] == "localhost"):
        return _registry_host(head[0])
    return _HUB


def _maven(v):
    """A Maven coordinate by its group and artifact: the version, the
    packaging and a classifier (`g:a:jar:1.0`, `g:a:1.0@jar`) name one
    build of it."""
    parts = v.lower().split(":")
    if len(parts) < 2 or not all(re.fullmatch(r"[\w.-]+", p)
                                 for p in parts[:2]):
        return None
    return parts[0] + ":" + parts[1]


def _library(v):
    """A library as the linker's -l names it: -lz, z, libz.so, libz.a."""
    v = v.lower()
    if v.startswith("-l"):
        return v[2:]
    m = re.match(r"^lib(.+?)\.(?:so|a|dylib)(?:\.[\d.]+)?$", v)
    return m.group(1) if m else v


def _module(v):
    """A package as a requirement names it: `twisted==19.7.0`, `x>=1`,
    `x[extra]`, npm's `x@1.2.3` and `@scope/x@1.2.3` are the package x."""
    v = re.split(r"[\[=<>!~;\s]", v.lower(), 1)[0]
    # npm's name@version (a scope's leading @ is part of the name)
    return v[:v.rindex("@")] if v.rfind("@") > 0 else v


def _dialed_for(host, addr, lines):
    """Whether one of the lines dials addr for a URL of host (Go's `Get
    "https://host/...": dial tcp addr: ...`): one connection, named by its
    host or by the address it went to."""
    for line in lines:
        m = re.search(r"https?://(?:[^/@\s'\"]*@)?([^/:\s'\"]+)[^\s]*?:? dial "
                      r"(?:tcp|udp)[46]? (\S+): ", line)
        if m and m.group(1).lower() == host.lower() and \
                _port(m.group(2)) == _port(addr) and \
                m.group(2).rsplit(":", 1)[0] in addr:
            return True
    return False


def subject_matches(want, got, evidence=()):
    """want: the label's {kind, value}; got: the report's subject (or None).
    Values are compared as printed, without quotes or trailing
    punctuation; a port matches on its number (127.0.0.1:5432 and 5432), a
    module or host case-insensitively, a version when one contains the
    other. Notations of one thing are one subject: an image with or
    without docker.io/library/ and :latest, a library as -lz or z, a
    module with or without its version specifier, a URL and the host it
    is for when the report names a host, a registry host and an image
    pulled from it, a Maven coordinate with or without its version, a lock
    file by name or path, a Go module and a package
    in it, a Java class by its internal or its source name, a URL's host
    and the address dialed for it on the line the report shows, a host and
    an address of it (HOST:PORT)."""
    if want is None or want.get("value") in (None, ""):
        return True
    if got is None or got.get("value") in (None, ""):
        return False
    w = _clean(str(want["value"]))
    g = _clean(str(got["value"]))
    if w == g:
        return True
    kind = want.get("kind")
    if kind in ("port", "address") and got.get("kind") == "host":
        return _dialed_for(g, w, evidence)
    if kind == "host" and got.get("kind") in ("port", "address"):
        # A host and an address of it (github.com and github.com:22).
        if g.rsplit(":", 1)[0].strip("[]").lower() == w.lower():
            return True
        return _dialed_for(w, g, evidence)
    if kind == "port" or got.get("kind") == "port":
        return _port(w) is not None and _port(w) == _port(g)
    if kind == "url" and got.get("kind") == "host":
        # A credential, a connection, a certificate is for a host: the
        # host of the URL is the subject, never another host.
        host = urllib.parse.urlsplit(w).hostname
        return host is not None and host == g.lower()
    if kind == "image" and _image(w) == _image(g):
        return True
    if kind == "host" and got.get("kind") == "image":
        # A registry's login is for the registry an image is pulled from:
        # the host of the image's name, Docker Hub when it names none.
        return _registry(g) == _registry_host(w)
    if kind == "file" and "/" in g:
        # A lock file by its name or by the path the tool printed.
        return os.path.basename(g) == w
    if kind == "module" and got.get("kind") in ("module", "package") and \
            g.startswith(w + "/"):
        # A Go package and the module that provides it
        # (github.com/x/y/config is in the module github.com/x/y).
        return "." in w.split("/", 1)[0]
    if kind == "library" and _library(w) == _library(g):
        return True
    if kind == "module" and _module(w) == _module(g):
        return True
    if kind == "module" and _maven(w) is not None and _maven(w) == _maven(g):
        return True
    if kind in ("module", "class") and "/" in g and "." not in g and \
            g.replace("/", ".") == w:
        # A Java class as the JVM writes it inside (ch/qos/X) and as
        # source code names it (ch.qos.X).
        return True
    if kind in ("module", "host", "command", "image", "library", "resource"):
        # Kubernetes reads a kind in any case (Deployment/x, deployment/x).
        return w.lower() == g.lower()
    if kind == "version":
        return w in g or g in w
    if kind == "path":
        return os.path.normpath(w) == os.path.normpath(g)
    return False


def run_one(explain, log):
    r = subprocess.run([explain, "--log", log, "--format", "json",
                        "--no-probe"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    try:
        return json.loads(r.stdout)["diagnoses"]
    except (ValueError, KeyError):
        return None


def measure(explain, dirs, families):
    rows = []
    for d in dirs:
        for exp in sorted(glob.glob(os.path.join(d, "**", "*.expect.json"),
                                    recursive=True)):
            log = exp[:-len(".expect.json")] + ".log"
            with open(exp) as f:
                label = json.load(f)
            diags = run_one(explain, log)
            row = {"log": os.path.relpath(log, CORPUS if log.startswith(CORPUS) else d),
                   "family": label.get("family"),
                   "silent": bool(label.get("silent")),
                   "source": label.get("source")}
            if diags is None:
                row.update(ok=False, got=None, why="explain failed")
            elif row["silent"]:
                row.update(ok=len(diags) == 0,
                           got=[x.get("id") for x in diags])
            elif not diags:
                row.update(ok=False, got=None, why="silent")
            else:
                first = diags[0]
                fam = family_of(first, families)
                subj = subject_matches(label.get("subject"), first.get("subject"),
                                      [e.get("text", "") for e in
                                       first.get("evidence") or []])
                row.update(ok=fam == row["family"] and subj,
                           got={"id": first.get("id"), "family": fam,
                                "subject": (first.get("subject") or {}).get("value")},
                           why=None if fam == row["family"] and subj else
                           ("family" if fam != row["family"] else "subject"))
            rows.append(row)
    return rows


def summary(rows):
    fails = [r for r in rows if not r["silent"]]
    near = [r for r in rows if r["silent"]]
    by = {}
    for r in fails:
        b = by.setdefault(r["family"], [0, 0])
        b[1] += 1
        b[0] += r["ok"]
    return {
        "failures": len(fails),
        "recognised": sum(r["ok"] for r in fails),
        "silent_on_failure": sum(1 for r in fails if r.get("why") == "silent"),
        "wrong_family": sum(1 for r in fails if r.get("why") == "family"),
        "wrong_subject": sum(1 for r in fails if r.get("why") == "subject"),
        "near_misses": len(near),
        "near_misses_flagged": sum(1 for r in near if not r["ok"]),
        "by_family": by,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--explain", default=os.environ.get("EXPLAIN_BIN") or
                    os.path.join(SOURCE_DIR, "build", "explain"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", action="store_true",
                    help="list every excerpt that is not right")
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    dirs = a.dirs or [CORPUS]
    rows = measure(a.explain, dirs, load_families())
    s = summary(rows)
    if a.json:
        json.dump({"summary": s, "rows": rows}, sys.stdout, indent=1)
        print()
        return
    for fam, (ok, n) in sorted(s["by_family"].items()):
        print("%-20s %3d / %3d" % (fam, ok, n))
    print("recognised: %d of %d failures (%.0f%%); silent %d, wrong family %d,"
          " wrong subject %d" % (s["recognised"], s["failures"],
                                 100.0 * s["recognised"] / max(1, s["failures"]),
                                 s["silent_on_failure"], s["wrong_family"],
                                 s["wrong_subject"]))
    print("near-misses flagged: %d of %d" % (s["near_misses_flagged"],
                                            s["near_misses"]))
    if a.misses:
        for r in rows:
            if not r["ok"]:
                print("MISS %-60s want %-18s got %s" % (
                    r["log"], r["family"] if not r["silent"] else "silence",
                    r.get("got")))


if __name__ == "__main__":
    main()
