"""The plain option coercion (ketacost.cli.coerce) gives what typer's pydantic adapters
give: the same value, or the same error message, for any value."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ketacost.cli.app  # noqa: F401  (installs the plain coercion)
from ketacost.cli import coerce as clitypes

_coercion = pytest.importorskip("typer._coercion")
if not hasattr(_coercion, "build_runtime_param"):  # pragma: no cover - typer < 0.29
    pytest.skip("typer without pydantic adapters", allow_module_level=True)

from typer.core import build_runtime_param as patched  # noqa: E402
from typer.models import ArgumentInfo, OptionInfo  # noqa: E402

from ketacost.cli.formats import BatchFormat, Format  # noqa: E402

original = _coercion.build_runtime_param


def _outcome(runtime: Any, value: Any) -> tuple[str, Any]:
    try:
        return ("ok", runtime._coerce_value(value, param=None, ctx=None))
    except Exception as exc:  # the message a user would see
        return ("error", (type(exc).__name__, getattr(exc, "message", str(exc))))


KINDS: list[tuple[Any, Any]] = [
    (str, OptionInfo()),
    (int, OptionInfo()),
    (bool, OptionInfo()),
    (Format, OptionInfo()),
    (BatchFormat, ArgumentInfo()),
    (Path, OptionInfo()),
    (Path, OptionInfo(exists=True, dir_okay=False)),
    (list[str], OptionInfo()),
]

values = st.one_of(
    st.text(),
    st.text(alphabet="0123456789+-_ .e"),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.sampled_from(["json", "JSON", "table", "csv", "gfe-html", "ics", "", " 1", "1_0", "٣"]),
    st.sampled_from(["tests", "pyproject.toml", "no/such/file", "-", "a\udcff"]),
    st.lists(st.text(), max_size=3).map(tuple),
    st.booleans(),
    st.integers(),
)


def test_the_plain_path_is_installed() -> None:
    assert getattr(patched, "_ketacost", False)
    for annotation, info in KINDS:
        desc = _coercion.resolve_type_descriptor(annotation, info)
        assert clitypes.plain_coercion(desc) is not None, annotation


@pytest.mark.parametrize("annotation,info", KINDS, ids=[repr(k[0]) for k in KINDS])
@settings(deadline=None)
@given(value=values)
def test_same_value_or_same_message(annotation: Any, info: Any, value: Any) -> None:
    desc = _coercion.resolve_type_descriptor(annotation, info)
    assert _outcome(patched(desc), value) == _outcome(original(desc), value)


def test_enum_members_and_messages_match() -> None:
    class Color(str, Enum):
        red = "red"

    desc = _coercion.resolve_type_descriptor(Color, OptionInfo(case_sensitive=False))
    for value in ("red", "RED", Color.red, "blue"):
        assert _outcome(patched(desc), value) == _outcome(original(desc), value)
