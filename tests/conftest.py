"""Pin the terminal so output is stable: no colour, 100 columns, no rich terminal tricks."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Set before anything creates a Console: rich reads these when a Console is made, and
# typer's help reads TERMINAL_WIDTH.
PINNED_ENV = {
    "NO_COLOR": "1",
    "COLUMNS": "100",
    "LINES": "50",
    "TERMINAL_WIDTH": "100",
    "TERM": "dumb",
    "_TYPER_FORCE_DISABLE_TERMINAL": "1",
}
os.environ.update(PINNED_ENV)
# The price-book cache goes to a folder of this run's own, never the user's.
import tempfile  # noqa: E402

os.environ["KETACOST_CACHE_DIR"] = tempfile.mkdtemp(prefix="ketacost-cache-")
# Never read a developer's own config file: defaults must be the tool's. The file named
# must exist (a missing KETACOST_CONFIG file is an error), so it is an empty one.
os.environ["KETACOST_CONFIG"] = os.path.join(os.environ["KETACOST_CACHE_DIR"], "none.yaml")
Path(os.environ["KETACOST_CONFIG"]).write_text("", encoding="utf-8")
for var in ("KETACOST_TODAY",):
    os.environ.pop(var, None)
for var in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "KETACOST_PRICING", "KETACOST_DEBUG"):
    os.environ.pop(var, None)

import bookfactory  # noqa: E402

FIXED_START = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _pinned_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in PINNED_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KETACOST_PRICING", raising=False)


@pytest.fixture
def test_book_path(tmp_path: Path) -> Path:
    """The code-built test book written as YAML."""
    path = tmp_path / "book.yaml"
    path.write_text(bookfactory.dump(bookfactory.book()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def _click_commands() -> dict[int, Any]:
    return {}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, _click_commands: dict[int, Any]):
    # typer's CliRunner turns the app into click commands on every call, a third to half
    # of a short run's time; a real run does it once, and so does a test session here.
    # The commands hold no state between calls: each call makes its own click context.
    import typer.testing
    from typer.testing import CliRunner

    build = typer.testing._get_command

    def built_once(app: Any) -> Any:
        if id(app) not in _click_commands:
            _click_commands[id(app)] = (app, build(app))
        return _click_commands[id(app)][1]

    monkeypatch.setattr(typer.testing, "_get_command", built_once)
    return CliRunner()


# `HYPOTHESIS_PROFILE=thorough pytest` runs the property tests ten times longer.
from hypothesis import settings  # noqa: E402

settings.register_profile("default", max_examples=250, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
# The quick local loop, `pytest -m "not slow"`, runs the property tests with this one.
settings.register_profile("quick", max_examples=25, deadline=None)


def pytest_configure(config: pytest.Config) -> None:
    # Skipping the slow tests says "a quick look": the property tests then try 25 cases,
    # not 250. A plain `pytest` (CI) runs everything at the default; HYPOTHESIS_PROFILE
    # chooses either way.
    quick = " ".join(str(config.getoption("markexpr") or "").split()) == "not slow"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick" if quick else "default"))
