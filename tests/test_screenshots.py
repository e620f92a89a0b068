"""The README's pictures match what the code prints today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
assert spec and spec.loader
screenshots = importlib.util.module_from_spec(spec)
spec.loader.exec_module(screenshots)


@pytest.mark.parametrize("name", sorted(screenshots.SHOTS))
def test_screenshot_is_current(name: str) -> None:
    committed = (ROOT / "docs" / f"{name}.svg").read_text(encoding="utf-8")
    fresh = screenshots.render(screenshots.SHOTS[name])
    assert fresh == committed, (
        f"docs/{name}.svg no longer matches the output; run "
        ".venv/bin/python scripts/screenshots.py and commit the pictures"
    )
