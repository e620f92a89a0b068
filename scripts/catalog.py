"""The Spanish catalog: extract every message, merge it into the .po, check it.

    .venv/bin/python scripts/catalog.py            # update src/ketacost/locale/es/.../ketacost.po
    .venv/bin/python scripts/catalog.py --check    # exit 1 if a message has no Spanish

Messages are what the code marks with `_()`, `t()` or `N_()` (Babel extracts them),
plus the price book's own words that reach a page (treatment names, phase labels,
notes on a visit, discount and program names and how-tos), which the code shows
through `i18n.book()`. A new message lands in the .po with an empty msgstr, for a
translator; tests/test_spanish.py fails until it has one.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ketacost"
KEYWORDS: dict[str, Any] = {"_": None, "t": None, "N_": None, "tr": None}
# A one-literal `_("...")` call, as written inside an f-string.
INLINE = re.compile(r"""(?<![\w.])_\((['"])((?:(?!\1).)+)\1\)""")


def code_messages() -> dict[str, list[str]]:
    """msgid -> where it is used, from the package's source."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=(),
    ):
        if isinstance(message, tuple):
            message = message[0]
        # Only modules that use the catalog: elsewhere `t` is a treatment, not a call.
        if "ketacost.i18n import" not in (PACKAGE / filename).read_text(encoding="utf-8"):
            continue
        if message and message.strip():
            found.setdefault(message, []).append(f"{filename}:{lineno}")
    # Babel does not look inside f-strings: `f"<h2>{_('Sources')}</h2>"`.
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "ketacost.i18n import" not in text:
            continue
        for lineno, line in enumerate(text.splitlines(), start=1):
            for match in INLINE.finditer(line):
                message = match.group(2)
                where = f"{path.relative_to(PACKAGE)}:{lineno}"
                found.setdefault(message, []).append(where)
    return found


def book_messages(book: Any = None) -> dict[str, list[str]]:
    """msgid -> path, for the bundled price book's words that reach a page."""
    from ketacost.book import pricebook

    book = book or pricebook.load()
    found: dict[str, list[str]] = {}

    def add(text: str | None, where: str) -> None:
        if text:
            found.setdefault(" ".join(text.split()), []).append(where)

    for tid, t in book.treatments.items():
        add(t.name, f"treatments.{tid}.name")
        add(t.session_label, f"treatments.{tid}.session_label")
        add(t.session_label + "s", f"treatments.{tid}.session_label (plural)")
        add(t.setting, f"treatments.{tid}.setting")
        add(t.practical.needs_ride.note, f"treatments.{tid}.practical.needs_ride.note")
        for ph in t.phases:
            add(ph.label, f"treatments.{tid}.phases.{ph.id}.label")
        for payer, cov in t.coverage.items():
            add(cov.description.rstrip("."), f"treatments.{tid}.coverage.{payer}.description")
    for did, d in book.discounts.items():
        add(d.name, f"discounts.{did}.name")
        add(d.how, f"discounts.{did}.how")
    for hid, h in book.financial_help.items():
        add(h.name, f"financial_help.{hid}.name")
        add(h.how, f"financial_help.{hid}.how")
    for fid, f in book.financing.items():
        add(f.name, f"financing.{fid}.name")
        add(f.how, f"financing.{fid}.how")
    ins = book.insurance
    add(ins.spravato_savings.name, "insurance.spravato_savings.name")
    if ins.spravato_observation_rebate is not None:
        add(ins.spravato_observation_rebate.name, "insurance.spravato_observation_rebate.name")
    return found


def all_messages() -> dict[str, list[str]]:
    out = code_messages()
    for msgid, where in book_messages().items():
        out.setdefault(msgid, []).extend(where)
    return out


def po_path() -> Path:
    return PACKAGE / "locale" / "es" / "LC_MESSAGES" / "ketacost.po"


def _location(where: str) -> tuple[str, int]:
    """'report/html.py:104' -> ('report/html.py', 104); a book path has line 0."""
    if ":" in where:
        name, line = where.rsplit(":", 1)
        return name, int(line)
    return where, 0


def update() -> int:
    """Merge the messages into the .po: translations kept, new ones empty, obsolete
    ones dropped. Returns how many have no translation."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    path = po_path()
    old: dict[str, str] = {}
    if path.exists():
        with path.open("rb") as fh:
            for m in read_po(fh):
                if m.id and m.string:
                    old[str(m.id)] = str(m.string)
    cat = Catalog(
        locale="es_US",
        domain="ketacost",
        project="ketacost",
        language_team="Spanish (US)",
        fuzzy=False,
    )
    missing = 0
    for msgid, where in sorted(all_messages().items()):
        string = old.get(msgid, "")
        missing += not string
        locations = [
            (w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) if ":" in w else (w, 0)
            for w in where[:3]
        ]
        cat.add(
            msgid,
            string,
            locations=locations,
            flags=("python-brace-format",) if "{" in msgid else (),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, cat, width=88, sort_output=True, omit_header=False)
    return missing


def check() -> list[str]:
    """The messages with no Spanish in the committed .po."""
    sys.path.insert(0, str(PACKAGE.parent))
    from ketacost.i18n import read_po

    have = read_po(po_path().read_text(encoding="utf-8"))
    return [m for m in all_messages() if m not in have]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        missing = check()
        for m in missing:
            print(f"no Spanish: {m!r}")
        return 1 if missing else 0
    missing = update()
    print(f"wrote {po_path()} ({missing} without Spanish)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
