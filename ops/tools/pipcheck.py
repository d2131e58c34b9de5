#!/usr/bin/env python3
"""`pip check`, except for requirements the locks leave out on purpose.

    python ops/tools/pipcheck.py requirements-overrides.txt

Fails (exit 1, pip's lines printed) when pip check reports anything but a missing
requirement named in the overrides file (`name; sys_platform == 'never'` lines):
those are declared by a locked wheel and never imported (see the file's comments).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

_MISSING = re.compile(r"^\S+ \S+ requires ([A-Za-z0-9._-]+), which is not installed\.$")


def dropped(path: Path) -> set[str]:
    """Normalised names of the requirements an overrides file removes."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and "sys_platform == 'never'" in line:
            names.add(re.split(r"[;<>=!\[ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def main() -> int:
    allowed = dropped(Path(sys.argv[1]))
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    problems = [line for line in done.stdout.splitlines()
                if line.strip() and not ((m := _MISSING.match(line)) and m.group(1).lower().replace("_", "-") in allowed)]
    if done.returncode and problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
