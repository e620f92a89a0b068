"""The language of what ketacost prints: English, or Spanish (`--lang es`).

Messages are marked `_("...")` (or `t("... {name}", name=...)` with named fields) and
translated from a gettext catalog, `locale/es/LC_MESSAGES/ketacost.po`, read by the small
pure-Python reader below: no compiled `.mo` to build, and nothing heavy to import (Babel
only extracts the messages, in development and in the tests). Money stays `$1,234.56`,
as US Spanish writes it; dates follow the language (CLDR's es_US medium format).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

LANGUAGES = ("en", "es")
DOMAIN = "ketacost"
_state: dict[str, object] = {"lang": "en", "catalog": None}


def catalog_path(lang: str = "es") -> Path:
    return Path(__file__).parent / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file: plain entries only (no plural forms or contexts,
    which ketacost does not use); untranslated and fuzzy entries are left out."""
    import ast  # only when a catalog is read (a language other than English)

    out: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal fuzzy
        key, value = "".join(msgid), "".join(msgstr)
        if key and value and not fuzzy:
            out[key] = value
        msgid.clear()
        msgstr.clear()
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if msgid or msgstr:
                flush()
            fuzzy = True
        elif line.startswith("msgid "):
            if msgid or msgstr:
                flush()
            target = msgid
            target.append(ast.literal_eval(line[6:]))
        elif line.startswith("msgstr "):
            target = msgstr
            target.append(ast.literal_eval(line[7:]))
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line:
            target = None
    if msgid or msgstr:
        flush()
    return out


def set_language(lang: str | None) -> None:
    """Use `lang` for everything printed from now on (None or "en": English)."""
    lang = (lang or "en").strip().lower()
    if lang not in LANGUAGES:
        from ketacost.errors import InputError

        raise InputError(f"--lang: '{lang}' is not one of: {', '.join(LANGUAGES)}", param="--lang")
    _state["lang"] = lang
    _state["catalog"] = None


def language() -> str:
    return str(_state["lang"])


def _catalog() -> dict[str, str]:
    found = _state["catalog"]
    if found is None:
        lang = language()
        path = catalog_path(lang)
        found = read_po(path.read_text(encoding="utf-8")) if lang != "en" else {}
        _state["catalog"] = found
    return found  # type: ignore[return-value]


def _(message: str) -> str:
    """`message` in the current language (English when there is no translation)."""
    if _state["lang"] == "en" or not message:
        return message
    return _catalog().get(message, message)


def t(message: str, **fields: object) -> str:
    """A message with named fields: `t("{n} sessions", n=6)`, translated first."""
    return _(message).format(**fields)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet."""
    return message


_MONTHS_ES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(day: dt.date) -> str:
    """A date as the language writes it: 2026-11-27 in English (as before), 27 nov 2026
    in Spanish (CLDR es_US, medium)."""
    if _state["lang"] == "es":
        return f"{day.day} {_MONTHS_ES[day.month - 1]} {day.year}"
    return day.isoformat()


def fmt_month(year: int, month: int) -> str:
    """'Mar 2027' / 'mar 2027'."""
    names = _MONTHS_ES if _state["lang"] == "es" else _MONTHS_EN
    return f"{names[month - 1]} {year}"


def from_environment() -> None:
    """KETACOST_LANG, when set (the CLI's --lang and the config file come after it)."""
    env = os.environ.get("KETACOST_LANG")
    if env:
        set_language(env)


def book(text: str) -> str:
    """Text from the price book (a treatment's name, a note) in the current language:
    its words, spaces folded, are the catalog's msgid."""
    words = " ".join(text.split())
    return _(words)


_DAYS_ES = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")


def fmt_weekday_date(day: dt.date) -> str:
    """'Tue 2026-12-01' / 'mar 1 dic 2026': a visit's day and date."""
    if _state["lang"] == "es":
        return f"{_DAYS_ES[day.weekday()]} {fmt_date(day)}"
    return f"{day:%a %Y-%m-%d}"


_MONTH_NAMES_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def fmt_day_month(month: int, day: int) -> str:
    """'January 1' / '1 de enero': a date that recurs every year (a plan year's start)."""
    if _state["lang"] == "es":
        return f"{day} de {_MONTH_NAMES_ES[month - 1]}"
    return dt.date(2001, month, day).strftime("%B %-d")


def plural(label: str) -> str:
    """A price book's session label in the plural, as English writes it ('infusions');
    `book()` then finds its translation ('infusiones')."""
    return label + "s"
