"""ketacost's own lookup of the cache and config folders equals platformdirs' in every
case it answers itself, and defers to platformdirs in the others."""

from __future__ import annotations

import itertools
import sys

import platformdirs
import pytest

from ketacost import userdirs

HOMES = [None, "", "relative/home", "/home/pat", "/home/pat/", "/"]
XDGS = [None, "", "relative", "/xdg/base", "/xdg/base/", " /xdg"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux lookup")
@pytest.mark.parametrize(("home", "xdg"), list(itertools.product(HOMES, XDGS)))
def test_the_same_folders_as_platformdirs(
    monkeypatch: pytest.MonkeyPatch, home: str | None, xdg: str | None
) -> None:
    for name in ("ANDROID_DATA", "ANDROID_ROOT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("HOME", home), ("XDG_CACHE_HOME", xdg), ("XDG_CONFIG_HOME", xdg)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    for ours, theirs in (
        (userdirs.user_cache_dir, platformdirs.user_cache_dir),
        (userdirs.user_config_dir, platformdirs.user_config_dir),
    ):
        try:
            expected = theirs("ketacost")
        except RuntimeError:  # no home platformdirs can find: ours must not invent one
            with pytest.raises(RuntimeError):
                ours()
            continue
        assert ours() == expected


def test_the_plain_case_is_answered_without_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", "/home/pat")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/etc/pat")
    monkeypatch.delenv("ANDROID_DATA", raising=False)
    monkeypatch.delenv("ANDROID_ROOT", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # an import would fail
    assert userdirs.user_cache_dir() == "/home/pat/.cache/ketacost"
    assert userdirs.user_config_dir() == "/etc/pat/ketacost"
