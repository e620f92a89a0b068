"""Where a price book's text comes from: the bundled book, or a file read safely."""

from __future__ import annotations

from pathlib import Path

from ketacost.errors import PriceBookError

MAX_BOOK_BYTES = 2 * 1024 * 1024


def bundled_path() -> Path:
    """The price book shipped inside the package (wheel or editable checkout).

    Found next to this module, not through `importlib.resources`: the package is
    always installed as files (a wheel or an editable checkout), and the resources
    machinery (with zipfile and tempfile) cost ~4 ms of every run's start-up."""
    package = Path(__file__).resolve().parents[1]
    path = package / "data" / "pricing.yaml"
    if path.is_file():
        return path
    # Editable install from a checkout: the book lives at the top of the repo.
    return package.parents[1] / "data" / "pricing.yaml"


def read_book_text(p: Path) -> str:
    """A book's text: a regular file (never a device or a FIFO), read up to the cap."""
    from ketacost import safeio

    where = safeio.shown(p)
    try:
        raw = safeio.read_capped(p, MAX_BOOK_BYTES)
    except safeio.TooBig as exc:
        raise PriceBookError(
            f"{where}: is {exc.size:,} bytes; a price book may be at most {MAX_BOOK_BYTES:,}"
        ) from None
    except safeio.ReadError as exc:
        reason = exc.reason
        if reason == "is a directory":
            reason = "is a directory, not a price book file"
        elif "NUL" in reason:
            where = repr(str(p))
        raise PriceBookError(f"{where}: {reason}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PriceBookError(
            f"{where}: is not UTF-8 text (bad byte at offset {exc.start})"
        ) from None


def _shown(p: Path) -> str:
    """A path as the user typed it, quoted when blanks would hide it, cut when huge."""
    from ketacost.safeio import shown

    return shown(p)
