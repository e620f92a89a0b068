"""The user's cache and config folders for ketacost, as platformdirs names them.

On Linux, in the plain case (the XDG variable an absolute path, or unset with an
absolute HOME), the folder is worked out here: importing platformdirs costs ~2.5 ms of
every run's start-up (issue 17). Any other case, and every other system, asks
platformdirs. `tests/test_userdirs.py` holds the two equal."""

from __future__ import annotations

import os
import posixpath
import sys

APP = "ketacost"


def _plain_linux(variable: str, fallback: str) -> str | None:
    """The folder for the plain Linux case, or None to ask platformdirs."""
    if not sys.platform.startswith("linux") or hasattr(sys, "getandroidapilevel"):
        return None
    if os.environ.get("ANDROID_DATA") or os.environ.get("ANDROID_ROOT"):
        return None
    base = os.environ.get(variable, "")
    if base:
        return posixpath.join(base, APP) if posixpath.isabs(base) else None
    home = os.environ.get("HOME", "")
    if not posixpath.isabs(home):
        return None
    return posixpath.join(home.rstrip("/") + fallback, APP)


def user_cache_dir() -> str:
    plain = _plain_linux("XDG_CACHE_HOME", "/.cache")
    if plain is not None:
        return plain
    import platformdirs

    return platformdirs.user_cache_dir(APP)


def user_config_dir() -> str:
    plain = _plain_linux("XDG_CONFIG_HOME", "/.config")
    if plain is not None:
        return plain
    import platformdirs

    return platformdirs.user_config_dir(APP)
