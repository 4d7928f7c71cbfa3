#!/usr/bin/env python3
"""No room includes a room that comes later in the data flow (docs/design.md, "Who may include whom").

    include_order.py SOURCE_DIR

Reads every file under include/sparsechaos/<room>/ and src/<room>/, and fails, naming the file
and the include, when a room includes a room after it in ORDER or a room that is not listed.
"""
import pathlib
import re
import sys

# The rooms in the order of the data flow; a room may include itself and the rooms before it.
ORDER = ["models", "network", "parallel", "petsc", "analysis", "engine", "tangent", "rate", "io", "runs"]

def main():
    root = pathlib.Path(sys.argv[1])
    bad = []
    checked = 0
    for base in (root / "include" / "sparsechaos", root / "src"):
        for path in sorted(base.rglob("*.[ch]pp")):
            room = path.relative_to(base).parts[0]
            if room not in ORDER:
                if len(path.relative_to(base).parts) > 1:
                    bad.append(f"{path}: room '{room}' is not in the include order")
                continue
            checked += 1
            for line_no, line in enumerate(path.read_text().splitlines(), 1):
                m = re.match(r'\s*#include "sparsechaos/([a-z_]+)/', line)
                if m and m.group(1) != room:
                    other = m.group(1)
                    if other not in ORDER or ORDER.index(other) > ORDER.index(room):
                        bad.append(f"{path}:{line_no}: {room} includes {other}, which comes later in the data flow")
    if checked < 50:
        bad.append(f"only {checked} files found under {root}: wrong directory?")
    for b in bad:
        print(b)
    if bad:
        sys.exit(1)
    print(f"ok: {checked} files, every include points to its own room or an earlier one ({' < '.join(ORDER)})")

if __name__ == "__main__":
    main()
