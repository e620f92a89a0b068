"""Pin the terminal so output is stable: no colour, 100 columns, no rich terminal tricks."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest
import yaml

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
    path.write_text(yaml.safe_dump(bookfactory.book(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()


# `HYPOTHESIS_PROFILE=thorough pytest` runs the property tests ten times longer.
from hypothesis import settings  # noqa: E402

settings.register_profile("default", max_examples=250, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
# The quick local loop: `HYPOTHESIS_PROFILE=quick pytest -m "not slow"`.
settings.register_profile("quick", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
