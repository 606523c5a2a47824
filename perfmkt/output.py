"""Where reports go, and writing them so a reader never sees half a report."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

from perfmkt.errors import PerfmktError

EXTENSIONS = {
    "table": "txt",
    "json": "json",
    "html": "html",
    "md": "md",
    "csv": "csv",
    "pdf": "pdf",
}


def slug(text: str) -> str:
    """A file-name-safe form of a client or campaign name (Tết 2026 -> tet-2026)."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "report"


def output_paths(
    output: Path, formats: list[str], client: str, campaign: str, as_of: date
) -> dict[str, Path]:
    """The file each format is written to.

    ``output`` is a pattern when it holds ``{client}``, ``{campaign}``, ``{as_of}`` or
    ``{ext}``; a file when one format is asked and it has a suffix; otherwise a folder, where
    files are named ``client-campaign-as_of.ext``.
    """
    text = str(output)
    values = {"client": slug(client), "campaign": slug(campaign), "as_of": as_of.isoformat()}
    if "{" in text:
        if len(formats) > 1 and "{ext}" not in text:
            raise PerfmktError(
                "several formats need {ext} in the output pattern",
                path=output,
                hint="e.g. -o 'reports/{client}/{as_of}.{ext}'",
            )
        try:
            return {f: Path(text.format(**values, ext=EXTENSIONS[f])) for f in formats}
        except (KeyError, IndexError, ValueError) as exc:
            raise PerfmktError(
                f"unknown placeholder {exc} in the output pattern",
                path=output,
                hint="use {client}, {campaign}, {as_of} and {ext}",
            ) from None
    if len(formats) == 1 and output.suffix and not output.is_dir():
        return {formats[0]: output}
    stem = f"{values['client']}-{values['campaign']}-{values['as_of']}"
    return {f: output / f"{stem}.{EXTENSIONS[f]}" for f in formats}


def stable_folder(path: Path, as_of: date) -> Path:
    """The folder of ``path`` above any part named by the as-of date: where ``latest.*`` and
    the history live, so a pattern like ``reports/{client}/{as_of}/report.{ext}`` still keeps
    one history per client, not one per day."""
    folder = path.parent
    day = as_of.isoformat()
    while day in folder.name and folder.parent != folder:
        folder = folder.parent
    return folder


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same folder and ``os.replace``: a crash mid-write
    leaves the previous file untouched and no temporary file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # mkstemp makes 0600; a report is as readable as any file
    try:
        if isinstance(content, bytes):
            with os.fdopen(handle, "wb") as out:
                out.write(content)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
