"""Write the README's options tables from the options table (ketacost/options.py).

    .venv/bin/python scripts/readme_options.py          # rewrite README.md
    .venv/bin/python scripts/readme_options.py --check  # exit 1 if it is not current

Each table sits between `<!-- options: SECTION -->` and `<!-- /options -->`;
tests/test_options.py fails while one differs from what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- options: (\w+) -->\n)(.*?)(<!-- /options -->)", re.DOTALL)


def current(text: str) -> str:
    """The README text with every options table as the table of options says."""
    from ketacost.options import readme_table

    return BLOCK.sub(lambda m: m[1] + readme_table(m[2]) + m[4], text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    fresh = current(text)
    if "--check" in sys.argv[1:]:
        if fresh != text:
            sys.stderr.write("README.md: the options tables are not current; run this script\n")
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
