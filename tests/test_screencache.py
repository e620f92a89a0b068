"""`ketacost prices` from the screen cache: the same text as laid out, a miss on any
change it depends on, and nothing but our own plain text ever shown from it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ketacost.cli.app import app
from ketacost.report import screencache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KETACOST_CACHE_DIR", str(folder))
    return folder


def screens(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{screencache.PREFIX}*{screencache.SUFFIX}"))


def run(runner: Any, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, ["prices", *args], env=env)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_shown_from_the_cache_as_laid_out(runner: Any, cache: Path, monkeypatch: Any) -> None:
    first = run(runner, "spravato")
    assert len(screens(cache)) == 1
    laid_out: list[Any] = []
    import ketacost.report.table as table

    monkeypatch.setattr(table, "prices_renderable", lambda *a: laid_out.append(a))
    assert run(runner, "spravato") == first
    assert laid_out == []  # the second run came from the cache
    monkeypatch.undo()
    monkeypatch.setenv("KETACOST_CACHE_DIR", "off")
    assert run(runner, "spravato") == first


@pytest.mark.parametrize(
    "env",
    [
        {"COLUMNS": "60"},
        {"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": ""},
        {"KETACOST_LANG": "es"},
    ],
)
def test_a_console_or_language_change_misses(runner: Any, cache: Path, env: Any) -> None:
    plain = run(runner, "iv")
    other = run(runner, "iv", env=env)
    assert len(screens(cache)) == 2
    if "COLUMNS" in env or "FORCE_COLOR" in env:
        assert other != plain


def test_a_book_edit_misses(runner: Any, cache: Path, test_book_path: Path) -> None:
    before = run(runner, "--pricing", str(test_book_path))
    text = test_book_path.read_text(encoding="utf-8")
    test_book_path.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    after = run(runner, "--pricing", str(test_book_path))
    assert "Edited" in after and "Edited" not in before
    assert len(screens(cache)) == 2


@pytest.mark.parametrize(
    "planted",
    [
        "FAKE PRICES\n\x1b]0;a title set by someone else\x07\n",
        "FAKE \x9b31m\n",
        "FAKE \x1b[2J cleared\n",
        b"\xff\xfe not utf-8",
        "",
    ],
)
def test_odd_entries_are_laid_out_again(runner: Any, cache: Path, planted: str | bytes) -> None:
    real = run(runner, "iv")
    (entry,) = screens(cache)
    data = planted.encode() if isinstance(planted, str) else planted
    entry.write_bytes(data)
    assert run(runner, "iv") == real


def test_entries_others_could_write_are_ignored(runner: Any, cache: Path) -> None:
    real = run(runner, "iv")
    (entry,) = screens(cache)
    entry.write_text("FAKE PRICES\n", encoding="utf-8")
    entry.chmod(0o664)
    assert run(runner, "iv") == real
    entry.write_text("FAKE PRICES\n", encoding="utf-8")
    entry.chmod(0o600)
    cache.chmod(0o777)
    try:
        assert run(runner, "iv") == real
    finally:
        cache.chmod(0o700)


def test_an_entry_that_is_not_a_file(runner: Any, cache: Path) -> None:
    real = run(runner, "iv")
    (entry,) = screens(cache)
    entry.unlink()
    os.mkfifo(entry)
    assert run(runner, "iv") == real  # a FIFO is refused without blocking
    entry.unlink()
    entry.mkdir()
    assert run(runner, "iv") == real


def test_old_entries_go(cache: Path) -> None:
    for n in range(screencache.KEEP + 5):
        screencache.put(f"{n:064x}", f"screen {n}\n")
        # distinct times, oldest first, whatever the file system's clock resolution
        entry = cache / f"{screencache.PREFIX}{n:064x}{screencache.SUFFIX}"
        os.utime(entry, ns=(n * 10**9, n * 10**9))
    kept = screens(cache)
    assert len(kept) == screencache.KEEP
    assert screencache.get(f"{screencache.KEEP + 4:064x}") == f"screen {screencache.KEEP + 4}\n"


def test_bad_text_is_not_kept(cache: Path) -> None:
    screencache.put("a" * 64, "bell \x07\n")
    assert screencache.get("a" * 64) is None
    screencache.put("b" * 64, "\x1b[1mbold\x1b[0m ok\n")
    assert screencache.get("b" * 64) == "\x1b[1mbold\x1b[0m ok\n"
