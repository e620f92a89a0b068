"""A printable HTML handout as a PDF, printed by a headless Chromium (or Chrome)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ketacost.errors import KetacostError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class PdfError(KetacostError):
    """No browser to print with, or the browser failed: exit 2, nothing written."""


def find_browser() -> str | None:
    """KETACOST_CHROMIUM if set, else the first Chromium or Chrome on PATH."""
    given = os.environ.get("KETACOST_CHROMIUM")
    if given:
        return shutil.which(given)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, where: str) -> bytes:
    """The PDF Chromium prints from `html`; `where` names the -o file in errors."""
    browser = find_browser()
    if browser is None:
        raise PdfError(
            f"-o {where}: a PDF is printed with Chromium or Google Chrome, and neither was "
            "found (install one, e.g. 'apt install chromium', or set KETACOST_CHROMIUM); "
            "or write .html and print it from any browser",
            param="--output",
        )
    with tempfile.TemporaryDirectory(prefix="ketacost-pdf-") as tmp:
        folder = Path(tmp)
        page, pdf = folder / "page.html", folder / "page.pdf"
        page.write_text(html, encoding="utf-8")
        args = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            subprocess.run(args, capture_output=True, timeout=120, check=True)
            data = pdf.read_bytes()
        except (OSError, subprocess.SubprocessError):
            data = b""
        if not data.startswith(b"%PDF"):
            raise PdfError(
                f"-o {where}: {Path(browser).name} did not print a PDF; write .html and "
                "print it from a browser",
                param="--output",
            )
        return data
