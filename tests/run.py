#!/usr/bin/env python3
"""Run every Postern test and print one summary line: "N passed, N failed".

Stages (each reported as it runs):
  1. unit tests: every binary under build/test and build/san/test (ASan/UBSan);
     each prints "ok - FILE: CASE" / "not ok - FILE: CASE" per case
  2. fuzz targets: every binary under build/fuzz and build/san/fuzz, run for
     FUZZ_SECONDS (default 3) over tests/fuzz/corpus/NAME if that exists
  3. system tests: pytest over tests/ (real instances, real tables, Debian's
     Postfix as the reference where a test compares)

Usage: tests/run.py [--unit] [--fuzz] [--system] [pytest args...]
With no stage option, all three run.  Exit status 1 if anything failed.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
passed = 0
failed = 0
failures = []


def binaries(sub):
    out = []
    for build in ("build", "build/san"):
        top = os.path.join(ROOT, build, sub)
        for dirpath, _, files in os.walk(top):
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                if os.access(p, os.X_OK):
                    out.append(p)
    return sorted(out)


def run_unit():
    global passed, failed
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    for b in binaries("test"):
        rel = os.path.relpath(b, ROOT)
        try:
            p = subprocess.run([b], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=300, errors="replace")
            out, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired:
            out, rc = "timeout after 300s\n", -1
        ok = len(re.findall(r"^ok - ", out, re.M))
        bad = re.findall(r"^not ok - (.*)$", out, re.M)
        passed += ok
        failed += len(bad)
        for b_ in bad:
            failures.append(f"{rel}: {b_}")
        if rc != 0 and not bad:
            failed += 1
            failures.append(f"{rel}: exit status {rc}")
        if bad or rc != 0:
            sys.stdout.write(f"--- {rel} (exit {rc})\n{out}")
        print(f"unit {rel}: {ok} ok, {len(bad)} failed", flush=True)


def run_fuzz():
    global passed, failed
    secs = os.environ.get("FUZZ_SECONDS", "3")
    for b in binaries("fuzz"):
        rel = os.path.relpath(b, ROOT)
        name = os.path.basename(b)
        corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
        cmd = [b, "-t", secs] + ([corpus] if os.path.isdir(corpus) else [])
        try:
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                               errors="replace")
            out, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired:
            out, rc = "fuzz target hung\n", -1
        if rc == 0:
            passed += 1
        else:
            failed += 1
            failures.append(f"{rel}: fuzz exit {rc}")
            sys.stdout.write(f"--- {rel}\n{out[-4000:]}")
        last = out.strip().splitlines()[-1] if out.strip() else ""
        print(f"fuzz {rel}: {'ok' if rc == 0 else 'FAILED'} {last}", flush=True)


def run_system(extra):
    global passed, failed
    xml = os.path.join(ROOT, "build", "pytest.xml")
    os.makedirs(os.path.dirname(xml), exist_ok=True)
    if os.path.exists(xml):
        os.unlink(xml)
    # Debian's python3 has python3-pytest; a pyenv python3 first in PATH does not.
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    cmd = [py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--durations=12",
           f"--junitxml={xml}", os.path.join(ROOT, "tests")] + extra
    rc = subprocess.run(cmd, cwd=ROOT).returncode
    if rc == 5:                         # no tests collected
        return
    if not os.path.exists(xml):
        failed += 1
        failures.append(f"pytest exit {rc} without a report")
        return
    root = ET.parse(xml).getroot()
    for case in root.iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failures.append(name)
        elif case.find("skipped") is not None:
            continue
        else:
            passed += 1
    if rc not in (0, 1):
        failed += 1
        failures.append(f"pytest exit status {rc}")


def main():
    args = sys.argv[1:]
    stages = [a for a in args if a in ("--unit", "--fuzz", "--system")]
    extra = [a for a in args if a not in stages]
    if not stages:
        stages = ["--unit", "--fuzz", "--system"]
    if "--unit" in stages:
        run_unit()
    if "--fuzz" in stages:
        run_fuzz()
    if "--system" in stages:
        run_system(extra)
    if failures:
        print("FAILED:")
        for f in failures:
            print(f"  {f}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
