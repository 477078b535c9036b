#!/usr/bin/env python3
"""Per-package table of spawn sites and findings per kind, for docs/evaluation.md.

Usage: scripts/corpus_table.py [CORPUS_DIR] [BINARY]
Runs `audit --format json` on each package of the corpus (see scripts/corpus.sh)
and prints a Markdown table.
"""

import json
import pathlib
import subprocess
import sys

KINDS = [
    "dangling",
    "unawaited-local",
    "no-shutdown",
    "cancel-not-awaited",
    "cancelled-error-escapes",
    "unguarded-restart",
    "unbounded-collection",
    "swallows-cancellation",
    "silent-failure",
    "shutdown-not-wired",
]
SHORT = ["dang", "local", "no-sd", "c-n-a", "c-e-e", "restart", "unbnd", "swallow", "silent", "wired"]


def main() -> None:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/async-task-ownership"
    print("| package | files | spawn sites | with findings | " + " | ".join(SHORT) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(SHORT))
    totals = [0] * (3 + len(KINDS))
    for pkg in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        out = subprocess.run([binary, "audit", "--format", "json", str(pkg)], capture_output=True, text=True)
        data = json.loads(out.stdout)
        s = data["summary"]
        by_kind = s.get("by_kind", {})
        row = [s["files"], s["spawn_sites"], s["with_findings"]] + [by_kind.get(k, 0) for k in KINDS]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"| {pkg.name} | " + " | ".join(str(v) for v in row) + " |")
    print("| **total** | " + " | ".join(f"**{v}**" for v in totals) + " |")


if __name__ == "__main__":
    main()
