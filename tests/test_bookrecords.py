"""The price book's records (what every module uses, what the cache holds) against the
pydantic schema that validates a book from YAML: the same classes by name, the same
fields in the same order, the same values, whichever way the book was read."""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from ketacost.book import cache as bookcache
from ketacost.book import pricebook, schema
from ketacost.book.yamlsafe import parse

CLINIC = {
    "extends": "national",
    "title": "Example Clinic",
    "region": "Springfield, IL",
    "as_of": "2026-11-20",
    "treatments": {
        "iv": {
            "session_items": {
                "infusion": {
                    "description": "Our infusion price.",
                    "unit": "USD/session",
                    "value": "450.00",
                    "basis": "sourced",
                    "checked": "2026-11-10",
                    "sources": [
                        {
                            "title": "Our fee schedule",
                            "url": "https://clinic.example.com/fees",
                            "published": "2026-11-01",
                            "accessed": "2026-11-10",
                        }
                    ],
                }
            }
        }
    },
    "billing": {"coding": {"spravato": {"use": "itemized"}}},
}


def _schema_classes() -> dict[str, type[BaseModel]]:
    return {
        name: cls
        for name, cls in vars(schema).items()
        if isinstance(cls, type)
        and issubclass(cls, BaseModel)
        and cls.__module__ == schema.__name__
        and cls is not schema.Strict
    }


def assert_same(model: Any, record: Any, path: str = "book") -> None:
    """A validated model and its record hold the same values, field by field."""
    if isinstance(model, BaseModel) and type(model).__module__ == schema.__name__:
        assert type(record).__name__ == type(model).__name__, path
        assert record._fields == tuple(type(model).model_fields), path
        for name in record._fields:
            assert_same(getattr(model, name), getattr(record, name), f"{path}.{name}")
    elif isinstance(model, BaseModel):  # a plan template's plan: the fields it was given
        assert record == model.model_dump(exclude_unset=True), path
        assert type(model).model_validate(record) == model, path
    elif isinstance(model, dict):
        assert isinstance(record, dict) and list(record) == list(model), path
        for key in model:
            assert_same(model[key], record[key], f"{path}.{key}")
    elif isinstance(model, list):
        assert isinstance(record, list) and len(record) == len(model), path
        for i, (m, r) in enumerate(zip(model, record, strict=True)):
            assert_same(m, r, f"{path}[{i}]")
    else:
        assert type(record) is type(model) and record == model, path


def test_every_schema_class_has_a_record_with_its_fields_in_order() -> None:
    models = _schema_classes()
    assert set(models) == set(pricebook.RECORDS)
    for name, model in models.items():
        assert pricebook.RECORDS[name]._fields == tuple(model.model_fields), name


def _data(path: Path | None) -> dict[str, Any]:
    national = parse(pricebook.bundled_path().read_text(encoding="utf-8"), "national")
    if path is None:
        return dict(national)
    from ketacost.book.clinic import extend

    return dict(extend(parse(path.read_text(encoding="utf-8"), str(path)), str(path), national))


@pytest.mark.parametrize("which", ["national", "clinic"])
def test_a_book_from_the_cache_equals_the_validated_book_field_by_field(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KETACOST_CACHE_DIR", str(tmp_path / "cache"))
    path = None
    if which == "clinic":
        path = tmp_path / "clinic.yaml"
        path.write_text(yaml.safe_dump(CLINIC, sort_keys=False), encoding="utf-8")
    model = schema.PriceBook.model_validate(_data(path))
    first = pricebook.load(path)  # a cache miss: validated, then stored
    assert list((tmp_path / "cache").glob("book-*.json"))
    cached = pricebook.load(path)  # a hit: records straight from the JSON
    assert cached is not first
    assert_same(model, first)
    assert_same(model, cached)
    assert cached == first
    if which == "clinic":
        assert cached.overridden and cached.title == "Example Clinic"
        assert cached.treatments["iv"].session_items["infusion"].get("typical") == Decimal(450)


def test_the_cached_path_imports_no_pydantic(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ketacost.book import pricebook\n"
        "book = pricebook.load()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'ketacost.book.schema',"
        " 'ketacost.planfile', 'yaml'))))\n"
    )
    env = {**os.environ, "KETACOST_CACHE_DIR": str(tmp_path)}
    run = [sys.executable, "-c", code]
    miss = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    hit = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    assert "ketacost.book.schema" in miss  # the first run validated the YAML
    assert hit.strip() == "[]"


def test_records_are_read_only_and_copy_and_pickle_by_value() -> None:
    book = pricebook.load()
    fig = book.treatments["iv"].consult_fee
    with pytest.raises(AttributeError):
        fig.unit = "USD"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del book.title
    assert copy.deepcopy(book) == book and copy.copy(fig) == fig
    assert pickle.loads(pickle.dumps(book)) == book
    assert repr(book).startswith("PriceBook(title=")
    assert repr(fig).startswith("Figure(description=")


def test_a_record_takes_exactly_its_fields() -> None:
    src = pricebook.Source(
        title="t", url="https://x.example", published=None, accessed=pricebook.dt.date(2026, 1, 1)
    )
    assert src.when == "no date; read 2026-01-01"
    with pytest.raises(TypeError, match="takes exactly"):
        pricebook.Source(title="t")


def test_a_cache_entry_naming_no_record_class_is_refused() -> None:
    book = pricebook.load()
    data = json.loads(json.dumps(bookcache.encode(book)))
    data["$m"] = "Strict"
    with pytest.raises(ValueError):
        bookcache.decode(data, bookcache._models())
    data["$m"] = "PriceBook"
    data["f"]["extra"] = None
    with pytest.raises(ValueError):
        bookcache.decode(data, bookcache._models())


@pytest.mark.parametrize(
    "value",
    [{"x": 1}, 1.5, {"$d": 5}, {"$k": [[1]]}, {"$t": "2026-01-01", "$d": "1"}, [{"y": None}]],
)
def test_a_cache_entry_with_what_encode_never_writes_is_refused(value: object) -> None:
    data = json.loads(json.dumps(bookcache.encode(pricebook.load())))
    data["f"]["notes"] = value
    with pytest.raises(ValueError):
        bookcache.decode(data, bookcache._models())
    data["f"]["notes"] = ["a note"]
    assert bookcache.decode(data, bookcache._models()).notes == ["a note"]
