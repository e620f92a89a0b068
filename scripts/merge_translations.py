"""Put translations into the Spanish catalog: `merge_translations.py FILE.py` where
FILE.py defines ES = {msgid: msgstr}. A msgstr must keep the msgid's {fields}."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src" / "ketacost" / "locale" / "es" / "LC_MESSAGES" / "ketacost.po"
FIELD = re.compile(r"\{(\w*)\}")


def main() -> int:
    from babel.messages.pofile import read_po, write_po

    es: dict[str, str] = runpy.run_path(sys.argv[1])["ES"]
    with PO.open("rb") as fh:
        cat = read_po(fh)
    bad = 0
    for msgid, msgstr in es.items():
        if sorted(FIELD.findall(msgid)) != sorted(FIELD.findall(msgstr)):
            print(f"fields differ: {msgid!r}")
            bad += 1
            continue
        if msgid in cat:
            cat[msgid].string = msgstr
    with PO.open("wb") as fh:
        write_po(fh, cat, width=88, sort_output=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
