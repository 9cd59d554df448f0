#!/usr/bin/python3
"""Run the worked examples in README.md and check (or refresh) their output.

Every ```console block is a sequence of `$ command` lines, each followed by
the output it prints.  Commands run with sh in a scratch directory holding
`refugesim` (the program under test) and `scenarios` (the repository's).
A block's shown output must appear in the command's real output, line by
line and in order; a line `…` stands for lines left out.  Exit status must
be 0, unless an output line shows an error, then 2.

  readme_examples.py --check  README.md PROGRAM     (the test suite)
  readme_examples.py --update README.md PROGRAM     (rewrite the outputs)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```console\n(.*?)^```\n", re.M | re.S)
SKIP = "…"
# Lines that change from run to run (creation time, build) are shown as …
VOLATILE = re.compile(r"created \d{4}-\d\d-\d\dT|refugesim \d+\.\d+\.\d+ \(")


def parse(block):
    cmds = []
    for line in block.splitlines():
        if line.startswith("$ "):
            cmds.append([line[2:], []])
        elif cmds:
            cmds[-1][1].append(line)
    return cmds


def run(cmd, cwd):
    # python3 in an example is the system's (Debian's python3-h5py), as a
    # reader of the README on a Debian machine has it
    env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
    p = subprocess.run(["sh", "-c", cmd], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=600, env=env)
    return p.returncode, p.stdout.rstrip("\n").splitlines()


def in_order(shown, actual):
    i = 0
    for want in shown:
        if want.strip() == SKIP:
            continue
        while i < len(actual) and actual[i].rstrip() != want.rstrip():
            i += 1
        if i == len(actual):
            return want
        i += 1
    return None


def refresh(shown, actual):
    """Keep the block's shape: as many leading lines as it showed, then … if it had one."""
    actual = [SKIP if VOLATILE.search(a) else a for a in actual]
    if shown and shown[-1].strip() == SKIP:
        keep = len(shown) - 1
        return actual[:keep] + [SKIP] if len(actual) > keep else actual
    return actual


def main():
    mode, readme, program = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    root = os.path.dirname(os.path.abspath(readme))
    text = open(readme, encoding="utf-8").read()
    work = tempfile.mkdtemp(prefix="rs_readme_")
    os.symlink(program, os.path.join(work, "refugesim"))
    os.symlink(os.path.join(root, "scenarios"), os.path.join(work, "scenarios"))
    failures, n = [], 0
    out_blocks = []
    try:
        for m in FENCE.finditer(text):
            lines = []
            for cmd, shown in parse(m.group(1)):
                n += 1
                code, actual = run(cmd, work)
                expect_error = any("error:" in s for s in shown)
                if mode == "--update":
                    shown = refresh(shown, actual)
                else:
                    missing = in_order(shown, actual)
                    if missing is not None:
                        failures.append("%s\n  line not in output: %r\n  got:\n    %s"
                                        % (cmd, missing, "\n    ".join(actual[:60])))
                    if code != (2 if expect_error else 0):
                        failures.append("%s\n  exit status %d" % (cmd, code))
                lines.append("$ " + cmd)
                lines.extend(shown)
            out_blocks.append((m.start(1), m.end(1), "\n".join(lines) + "\n"))
    finally:
        shutil.rmtree(work)
    if mode == "--update":
        for start, end, body in reversed(out_blocks):
            text = text[:start] + body + text[end:]
        open(readme, "w", encoding="utf-8").write(text)
        print("updated %d commands" % n)
        return 0
    for f in failures:
        print("FAIL:", f)
    print("%d README commands, %d failures" % (n, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
