"""PDF by printing the HTML report with a locally installed Chromium or Chrome (headless, no
network). Page header and footer come from the report's own print CSS (``@page`` margin boxes)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from markupsafe import Markup

from perfmkt.errors import PerfmktError


def css_string(value: object) -> Markup:
    """Untrusted text (a client's name) as a quoted CSS string inside a <style> element: CSS
    escapes, not HTML entities (a style element does not decode them), and no ``<`` that could
    close the element."""
    text = " ".join(str("" if value is None else value).split())
    escaped = "".join(
        f"\\{ord(c):x} " if c in '"\\<>&' or ord(c) < 0x20 or ord(c) == 0x7F else c for c in text
    )
    return Markup(f'"{escaped}"')


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str) -> bytes:
    """Print HTML to PDF with a locally installed Chromium (headless, no network)."""
    browser = chromium()
    if browser is None:
        raise PerfmktError(
            "PDF needs a local Chromium or Chrome and none was found",
            hint="install it (Debian/Ubuntu: apt-get install chromium; macOS: brew install "
            "--cask chromium), or write --format html and print it from a browser",
        )
    with tempfile.TemporaryDirectory() as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
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
            f"--user-data-dir={folder}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            subprocess.run(args, capture_output=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PerfmktError(f"Chromium could not print the PDF: {exc}") from exc
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PerfmktError("Chromium did not write the PDF", hint=f"tried {browser}")
        return pdf.read_bytes()
