"""Issue 6 at full size, one command: hostile files, 30 crash kills, serving while indexing,
and hostile requests. Each part prints its own figures (see bench/RESULTS.md).

    python bench/robustness.py

Takes about 15 minutes on 2 cores; CI runs the same checks at a smaller size in tests/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PARTS = [
    ("hostile files", [sys.executable, str(BENCH / "hostile_bench.py")]),
    ("crash kills", [sys.executable, str(BENCH / "crash_bench.py"), "--kills", "30"]),
    ("serve while indexing", [sys.executable, str(BENCH / "serve_while_indexing.py")]),
]


def main() -> int:
    failed = []
    with tempfile.TemporaryDirectory(prefix="ddsearch-fuzz-") as fuzz_dir:
        fuzz = [sys.executable, "-m", "pytest", "-q", "-s", "tests/test_web_attacks.py"]
        parts = [*PARTS, ("hostile requests", [*fuzz, "--basetemp", fuzz_dir])]
        for name, command in parts:
            print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
            env = {**os.environ, "DDSEARCH_FUZZ_EXAMPLES": "1000"}
            if subprocess.run(command, cwd=BENCH.parent, env=env, check=False).returncode:
                failed.append(name)
    print("\nall parts finished" if not failed else f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
