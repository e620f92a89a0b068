"""The cache of validated price books: plain JSON that cannot run code when read.

Parsing and validating the YAML costs ~20 ms a run; reading this cache ~3 ms. An entry
is keyed by a hash of the book's text, the national book's text, pricebook.py's source
and the version, so an edit to any of them misses the cache. It used to be a pickle,
and a pickle planted in the cache folder ran code on the next estimate (issue 15).

An entry is JSON of plain values: models as {"$m": class name, "f": fields}, decimals,
dates and non-string dict keys tagged. Reading it builds only the price book's own model
classes (an allow-list), with model_construct: no class is looked up by a name the file
chooses, no code runs. The folder and the entry must belong to this user and be
writable by no one else, so another user cannot plant a book with false prices either;
anything odd is ignored and the book rebuilt from the YAML.

The folder is the user's cache folder; KETACOST_CACHE_DIR overrides it, "off" turns the
cache off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

SUFFIX = ".json"


def cache_dir() -> Path | None:
    env = os.environ.get("KETACOST_CACHE_DIR")
    if env == "off":
        return None
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ketacost"))


def _models() -> dict[str, type[BaseModel]]:
    """The price book's model classes, by name: the only classes an entry may build."""
    from ketacost import planfile
    from ketacost.book import pricebook

    found: dict[str, type[BaseModel]] = {}
    # The book's own models, and the plan-file models its plan templates hold.
    for root in (pricebook.Strict, planfile._Strict):
        todo: list[type[BaseModel]] = [root]
        while todo:
            cls = todo.pop()
            if cls.__module__ in (pricebook.__name__, planfile.__name__):
                found[cls.__name__] = cls
            todo.extend(cls.__subclasses__())
    return found


def encode(value: Any) -> Any:
    """Plain JSON data for a validated book (TypeError for anything unexpected)."""
    if isinstance(value, BaseModel):
        fields = {name: encode(getattr(value, name)) for name in type(value).model_fields}
        return {"$m": type(value).__name__, "f": fields}
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, dt.datetime):
        raise TypeError("a datetime in a price book")
    if isinstance(value, dt.date):
        return {"$t": value.isoformat()}
    if isinstance(value, dict):
        return {"$k": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any, models: dict[str, type[BaseModel]]) -> Any:
    """The book from `encode`'s data; ValueError for anything `encode` never writes."""
    if isinstance(data, list):
        return [decode(v, models) for v in data]
    if not isinstance(data, dict):
        if data is None or isinstance(data, (str, bool, int)):
            return data
        raise ValueError("unexpected value")
    if set(data) == {"$m", "f"}:
        cls = models.get(data["$m"]) if isinstance(data["$m"], str) else None
        fields = data["f"]
        if cls is None or not isinstance(fields, dict) or set(fields) != set(cls.model_fields):
            raise ValueError("unexpected model")
        return _construct(cls, {k: decode(v, models) for k, v in fields.items()})
    if set(data) == {"$d"} and isinstance(data["$d"], str):
        return Decimal(data["$d"])
    if set(data) == {"$t"} and isinstance(data["$t"], str):
        return dt.date.fromisoformat(data["$t"])
    if set(data) == {"$k"} and isinstance(data["$k"], list):
        out: dict[Any, Any] = {}
        for pair in data["$k"]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError("unexpected mapping")
            out[decode(pair[0], models)] = decode(pair[1], models)
        return out
    raise ValueError("unexpected object")


def _construct(cls: type[BaseModel], fields: dict[str, Any]) -> BaseModel:
    """What model_construct does when every field is given (the models have no private
    attributes and forbid extras), at half its cost: no validation, no code from the file."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _private(st: os.stat_result) -> bool:
    """Ours, and writable by no one else."""
    mine = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def get(key: str | None) -> Any:
    """The cached book for `key`, or None (missing, foreign, unreadable or stale)."""
    folder = cache_dir()
    if key is None or folder is None:
        return None
    from ketacost import safeio
    from ketacost.book import pricebook
    from ketacost.book.files import MAX_BOOK_BYTES

    try:
        if not _private(os.stat(folder)):
            return None
        fd = safeio.open_regular(folder / f"book-{key}{SUFFIX}")
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not _private(st) or st.st_size > 4 * MAX_BOOK_BYTES:
                return None
            data = json.loads(handle.read())
        book = decode(data, _models())
    except Exception:  # missing, unreadable, foreign or stale: rebuild it
        return None
    return book if isinstance(book, pricebook.PriceBook) else None


def put(key: str | None, book: Any) -> None:
    folder = cache_dir()
    if key is None or folder is None:
        return
    import tempfile

    with contextlib.suppress(OSError, TypeError, ValueError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(folder)
        # Our own default folder, made group-writable by an older version under a umask
        # of 002: make it ours alone (a folder the user named stays as it is).
        named = bool(os.environ.get("KETACOST_CACHE_DIR"))
        mine = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
        if not _private(st) and not named and mine:
            os.chmod(folder, stat.S_IMODE(st.st_mode) & ~(stat.S_IWGRP | stat.S_IWOTH))
            st = os.stat(folder)
        if not _private(st):
            return  # a folder others can write to is no place to keep what we trust
        text = json.dumps(encode(book), separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, folder / f"book-{key}{SUFFIX}")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
