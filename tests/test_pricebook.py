"""The price book: the bundled file is complete and sourced; the loader is strict."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ketacost.book import pricebook
from ketacost.book.files import MAX_BOOK_BYTES
from ketacost.book.pricebook import TREATMENT_IDS
from ketacost.errors import PriceBookError

import bookfactory

BUNDLED = pricebook.bundled_path()
FIGURE_KEYS = {"low", "typical", "high", "value"}


def raw_nodes(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every mapping in the raw YAML that holds a figure's value(s), found without the
    models, so these tests do not just re-run the loader's own checks."""
    found = []
    if isinstance(node, dict):
        if (FIGURE_KEYS & set(node) or "code" in node or "localities" in node) and (
            "description" in node
        ):
            found.append((path, node))
        for key, value in node.items():
            found.extend(raw_nodes(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(raw_nodes(value, f"{path}.{i}"))
    return found


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return bookfactory.load(BUNDLED.read_text(encoding="utf-8"))


def test_bundled_book_loads_and_states_currency_region_and_date(raw: dict[str, Any]) -> None:
    book = pricebook.load()
    assert book.currency == "USD" and raw["currency"] == "USD"
    assert raw["region"]
    assert isinstance(raw["as_of"], dt.date)
    assert set(book.treatments) == set(TREATMENT_IDS)


def test_every_figure_has_unit_basis_and_dated_sources(raw: dict[str, Any]) -> None:
    nodes = raw_nodes(raw)
    assert len(nodes) > 60  # all six treatments, discounts and insurance
    problems = []
    for path, node in nodes:
        table = "localities" in node  # the GPCI table: indices, one source for all
        no_unit = "unit" not in node and "code" not in node
        if no_unit and not isinstance(node.get("value"), bool) and not table:
            problems.append(f"{path}: no unit")
        if node.get("basis") not in ("sourced", "derived", "assumption"):
            problems.append(f"{path}: basis is {node.get('basis')!r}")
        if node.get("basis") in ("derived", "assumption") and not node.get("note"):
            problems.append(f"{path}: {node.get('basis')} without a note")
        sources = node.get("sources") or []
        if not sources:
            problems.append(f"{path}: no sources")
        for s in sources:
            if not str(s.get("url", "")).startswith(("https://", "http://")):
                problems.append(f"{path}: source without a url")
            if not s.get("title"):
                problems.append(f"{path}: source without a title")
            if not isinstance(s.get("accessed"), dt.date):
                problems.append(f"{path}: source without an accessed date")
            if "published" not in s or not (
                s["published"] is None or isinstance(s["published"], dt.date)
            ):
                problems.append(
                    f"{path}: published {s.get('published')!r} is neither a date nor null"
                )
    assert problems == []


def test_low_typical_high_are_ordered_everywhere(raw: dict[str, Any]) -> None:
    problems = []
    for path, node in raw_nodes(raw):
        if "value" in node or "code" in node or "localities" in node:
            continue
        lo, ty, hi = (Decimal(str(node[k])) for k in ("low", "typical", "high"))
        if not lo <= ty <= hi:
            problems.append(f"{path}: {lo} / {ty} / {hi}")
    assert problems == []


def test_money_in_the_book_is_written_exactly(raw: dict[str, Any]) -> None:
    for path, node in raw_nodes(raw):
        for key in FIGURE_KEYS & set(node):
            assert not isinstance(node[key], float), f"{path}.{key} is a YAML float"
            if str(node.get("unit", "")).startswith("USD"):
                assert isinstance(node[key], str), f"{path}.{key}: money as a quoted string"


def test_sources_cite_pages_not_the_research_notes(raw: dict[str, Any]) -> None:
    for path, node in raw_nodes(raw):
        for s in node["sources"]:
            assert not s["url"].endswith(".md") and "example.org" not in s["url"], path


def test_spravato_schedule_and_drug_are_in_the_book() -> None:
    t = pricebook.load().treatments["spravato"]
    assert [p.id for p in t.phases][:2] == ["induction", "optimization"]
    assert t.phases[0].sessions is not None and t.phases[0].sessions.get("typical") == 8
    assert t.phases[0].span_weeks is not None and t.phases[0].span_weeks.get("typical") == 4
    assert t.phases[1].sessions is not None and t.phases[1].sessions.get("typical") == 4
    gap = t.phases[2].interval_weeks
    assert gap is not None and (gap.get("low"), gap.get("high")) == (1, 2)
    assert t.drug is not None
    assert t.drug.devices_per_dose[56].get("typical") == 2
    assert t.drug.devices_per_dose[84].get("typical") == 3
    assert t.practical.observation_minutes.get("typical") >= 120


def test_iter_figures_reaches_every_figure(raw: dict[str, Any]) -> None:
    walked = list(pricebook.iter_figures(pricebook.load()))
    # raw_nodes also finds Flags (value: bool); the model walk must see the same count
    assert len(walked) == len(raw_nodes(raw))


def test_wheel_ships_the_book() -> None:
    # In an installed wheel the file sits in the package; in a checkout at the repo top.
    assert BUNDLED.is_file() and BUNDLED.name == "pricing.yaml"


# ------------------------------------------------------------------ a strict loader


def write(tmp_path: Path, content: str | bytes, name: str = "book.yaml") -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


def dump(data: Any) -> str:
    return bookfactory.dump(data)


def load_error(path: Path) -> str:
    started = time.perf_counter()
    with pytest.raises(PriceBookError) as info:
        pricebook.load(path)
    # not a speed test: a loose guard that refusing a bad file never hangs
    assert time.perf_counter() - started < 30
    message = str(info.value)
    assert str(path) in message
    return message


def test_factory_book_is_valid(test_book_path: Path) -> None:
    book = pricebook.load(test_book_path)
    assert book.treatments["iv"].session_items["session"].get("typical") == Decimal("500.00")


def mutate(change: Any) -> str:
    data = bookfactory.book()
    change(data)
    return dump(data)


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return change


_DELETE = object()
IV_PRICE = "treatments.iv.session_items.session"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (_set(f"{IV_PRICE}.low", "-1.00"), f"{IV_PRICE}: must be >= 0"),
        (_set(f"{IV_PRICE}.high", "100.00"), "low <= typical <= high"),
        (_set(f"{IV_PRICE}.unit", ""), f"{IV_PRICE}.unit"),
        (_set(f"{IV_PRICE}.sources", []), f"{IV_PRICE}.sources"),
        (_set(f"{IV_PRICE}.basis", "guess"), f"{IV_PRICE}.basis"),
        (_set(f"{IV_PRICE}.basis", "derived"), "needs a note"),
        (_set(f"{IV_PRICE}.typical", _DELETE), "needs low, typical and high"),
        (_set(f"{IV_PRICE}.value", "5.00"), "either value or low/typical/high"),
        (_set(f"{IV_PRICE}.low", 1.5), "quoted strings"),
        (_set(f"{IV_PRICE}.low", "NaN"), f"{IV_PRICE}.low"),
        (_set(f"{IV_PRICE}.low", "Infinity"), f"{IV_PRICE}.low"),
        (_set(f"{IV_PRICE}.low", "three hundred"), f"{IV_PRICE}.low"),
        (_set(f"{IV_PRICE}.low", True), "not true/false"),
        (_set(f"{IV_PRICE}.high", "1e400"), "must be at most 1,000,000,000"),
        (_set(f"{IV_PRICE}.high", 10**30), "must be at most 1,000,000,000"),
        (_set(f"{IV_PRICE}.low", float("nan")), "must be a finite number"),
        (_set(f"{IV_PRICE}.high", float("inf")), "must be a finite number"),
        (_set(f"{IV_PRICE}.colour", "red"), f"{IV_PRICE}.colour: unknown key"),
        (_set("discounts.cash.percent_off.value", "120"), "between 0 and 100"),
        (_set("treatments.iv.phases.0.sessions.low", "4.5"), "whole number"),
        (_set("treatments.iv.phases.0.sessions.unit", "weeks"), "unit 'sessions'"),
        (_set(f"{IV_PRICE}.sources.0.url", "not a url"), "url"),
        (_set(f"{IV_PRICE}.sources.0.date", "last year"), "sources.0.date"),
        (_set("treatments.nasal", _DELETE), "treatments is missing: nasal"),
        (_set("treatments.iv.coverage.medicare", _DELETE), "missing payer(s): medicare"),
        (_set("currency", "EUR"), "currency"),
        (_set("as_of", "soon"), "as_of"),
        (_set("discounts.package.applies_to", ["ivv"]), "discounts.package.applies_to"),
        (_set("discounts.package.phases", ["booster"]), "not a phase of"),
    ],
)
def test_malformed_books_name_the_field(tmp_path: Path, change: Any, needle: str) -> None:
    message = load_error(write(tmp_path, mutate(change)))
    assert needle in message


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "must be a mapping, but it is empty"),
        ("- a\n- b\n", "must be a mapping, but it is a list"),
        ("just text", "must be a mapping, but it is a str"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: !!python/object/apply:os.system ['echo hacked']\n", "line 1"),
        ("a: !!python/name:os.system\n", "line 1"),
        ("a: [1, 2\n", "line"),
        ("a: &x [1]\nb: *y\n", "line 2"),
        ("a: &a [*a]\n", "refers to itself"),
    ],
)
def test_hostile_yaml_is_refused(tmp_path: Path, content: str, needle: str) -> None:
    assert needle in load_error(write(tmp_path, content))


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    assert "YAML aliases" in load_error(write(tmp_path, "\n".join(lines) + "\n"))


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    assert "nested" in load_error(write(tmp_path, "a: " + "[" * 200 + "]" * 200 + "\n"))


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    assert "not UTF-8" in load_error(write(tmp_path, b"title: caf\xe9\n"))


def test_directory_missing_and_huge_files_are_refused(tmp_path: Path) -> None:
    assert "is a directory" in load_error(tmp_path)
    assert "no such file" in load_error(tmp_path / "absent.yaml")
    huge = write(tmp_path, "# " + "x" * (MAX_BOOK_BYTES + 10) + "\n")
    assert "at most" in load_error(huge)


def test_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, which reads any file whatever its mode: simulate the refusal.
    p = write(tmp_path, dump(bookfactory.book()))

    import os

    real_open = os.open

    def denied(path: str, *args: object, **kwargs: object) -> int:
        if str(path) == str(p):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    assert "cannot be read (permission denied)" in load_error(p)


def test_bom_is_accepted(tmp_path: Path) -> None:
    p = write(tmp_path, b"\xef\xbb\xbf" + dump(bookfactory.book()).encode())
    assert pricebook.load(p).currency == "USD"


def test_long_error_lists_are_cut_short(tmp_path: Path) -> None:
    data = bookfactory.book()
    for t in data["treatments"].values():
        t["bogus"] = 1
    message = load_error(write(tmp_path, dump(data)))
    assert "more problem(s)" in message
    assert len(message.splitlines()) <= 6


def test_validated_book_is_cached_and_a_bad_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KETACOST_CACHE_DIR", str(tmp_path / "cache"))
    first = pricebook.load()
    (entry,) = (tmp_path / "cache").glob("book-*.json")

    import ketacost.book.yamlsafe

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again despite the cache")

    monkeypatch.setattr(ketacost.book.yamlsafe, "parse", no_parsing)
    assert pricebook.load() == first
    entry.write_bytes(b"not JSON")
    monkeypatch.undo()
    monkeypatch.setenv("KETACOST_CACHE_DIR", str(tmp_path / "cache"))
    assert pricebook.load() == first  # rebuilt from the YAML


def test_validate_never_trusts_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETACOST_CACHE_DIR", "off")
    pricebook.load()
    assert not list(tmp_path.glob("**/book-*"))
