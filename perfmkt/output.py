"""Where reports go, and writing them so a reader never sees half a report.

Every plan owns its files: dated reports named by the ``-o`` folder or pattern, ``latest.*``
copies named by whatever tells the plans apart in their folder (``latest.html`` in a folder of
its own, ``latest-<client>-<campaign>.html`` in a folder shared by plans) and its rows in the
folder's ``history.csv`` (keyed by client and campaign).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import re
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
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
FORMAT_OF_EXTENSION = {ext: name for name, ext in EXTENSIONS.items()}
LATEST = ("html", "md", "json")  # formats that keep a latest.* copy
HISTORY = "history.csv"
SLUG_MAX = 48  # characters; a longer name keeps its start and a short hash


def slug(text: str) -> str:
    """A readable, file-name-safe form of a client or campaign name.

    Latin letters lose their accents (``Tết 2026`` -> ``tet-2026``, ``Đà Nẵng`` ->
    ``da-nang``); letters of other scripts are kept, NFC-normalised (``茶园`` -> ``茶园``,
    ``Чайный дом`` -> ``чайный-дом``, Thai keeps its vowel and tone marks). A name with no
    letter or digit at all, or a very long one, gets a short hash of the name, so different
    names never share a fallback such as ``report``.
    """
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for char in text.replace("đ", "d").replace("Đ", "D"):
        ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        if ascii_form and ascii_form.isalnum():
            out.append(ascii_form.lower())
        elif not ascii_form and unicodedata.category(char)[0] in "LMN":
            out.append(char.lower())
        else:
            out.append("-")
    result = unicodedata.normalize("NFC", re.sub(r"-+", "-", "".join(out)).strip("-"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    if not result:
        return f"n-{digest}"
    if len(result) > SLUG_MAX:
        return f"{result[:SLUG_MAX].rstrip('-')}-{digest}"
    return result


@dataclass(frozen=True)
class Outputs:
    """The files one plan writes: dated reports by format, their ``latest.*`` copies, and the
    history file its rows go to (none for explicit single files such as ``pacing.json``)."""

    files: dict[str, Path]
    latest: dict[str, Path] = field(default_factory=dict)
    history: Path | None = None

    def paths(self) -> list[Path]:
        """Every file this plan alone writes (the history is shared, row by row)."""
        return [*self.files.values(), *self.latest.values()]


def format_of(output: Path | None) -> str | None:
    """The format an ``-o`` file name asks for by its extension (``report.html`` -> html)."""
    if output is None or "{ext}" in str(output) or output.is_dir():
        return None
    return FORMAT_OF_EXTENSION.get(output.suffix.lstrip(".").lower())


def plan_outputs(
    output: Path, formats: list[str], client: str, campaign: str, as_of: date
) -> Outputs:
    """The files one plan writes for ``-o OUTPUT``.

    ``output`` is a pattern when it holds ``{client}``, ``{campaign}``, ``{as_of}`` or
    ``{ext}``; a file when it has a report extension (``x.html``; with several formats,
    ``x.html`` and ``x.md`` beside each other); otherwise a folder, where files are named
    ``client-campaign-as_of.ext``.
    """
    text = str(output)
    names = {"client": slug(client), "campaign": slug(campaign), "as_of": as_of.isoformat()}
    if "{" in text:
        return _pattern_outputs(output, formats, names)
    asked = format_of(output)
    if asked is not None or (len(formats) == 1 and output.suffix and not output.is_dir()):
        if asked is not None and asked not in formats:
            raise PerfmktError(
                f"the file name says {asked} but --format asks for {', '.join(formats)}",
                path=output,
                hint="name the file for its format, or give a folder or a pattern with {ext}",
            )
        if len(formats) == 1:
            return Outputs({formats[0]: output})
        return Outputs({f: output.with_suffix(f".{EXTENSIONS[f]}") for f in formats})
    stem = f"{names['client']}-{names['campaign']}"
    return Outputs(
        files={f: output / f"{stem}-{names['as_of']}.{EXTENSIONS[f]}" for f in formats},
        latest={f: output / f"latest-{stem}.{EXTENSIONS[f]}" for f in formats if f in LATEST},
        history=output / HISTORY,
    )


def _pattern_outputs(output: Path, formats: list[str], names: dict[str, str]) -> Outputs:
    text = str(output)
    if len(formats) > 1 and "{ext}" not in text:
        raise PerfmktError(
            "several formats need {ext} in the output pattern",
            path=output,
            hint="e.g. -o 'reports/{client}/{as_of}.{ext}'",
        )
    asked = FORMAT_OF_EXTENSION.get(Path(text).suffix.lstrip(".").lower())
    if "{ext}" not in text and asked is not None and asked != formats[0]:
        raise PerfmktError(
            f"the file name says {asked} but --format asks for {formats[0]}",
            path=output,
            hint="name the file for its format, or end the pattern with .{ext}",
        )
    parts = Path(text).parts
    # The stable folder: the pattern's folder above any part named by the as-of date, so
    # reports/{client}/{as_of}/report.{ext} keeps one latest and one history per client.
    keep = len(parts) - 1
    while keep > 0 and "{as_of}" in parts[keep - 1]:
        keep -= 1
    below = "/".join(parts[keep:])
    # latest.* is named by what tells plans apart inside the stable folder, so it is exactly
    # as much the plan's own as its dated files are.
    latest_stem = "-".join(
        ["latest", *(names[k] for k in ("client", "campaign") if "{" + k + "}" in below)]
    )
    files, latest, history = {}, {}, None
    for f in formats:
        values = {**names, "ext": EXTENSIONS[f]}
        try:
            files[f] = Path(text.format(**values))
            folder = Path(*(p.format(**values) for p in parts[:keep])) if keep else Path(".")
        except (KeyError, IndexError, ValueError) as exc:
            raise PerfmktError(
                f"unknown placeholder {exc} in the output pattern",
                path=output,
                hint="use {client}, {campaign}, {as_of} and {ext}",
            ) from None
        if history is None:
            history = folder / HISTORY
        copy = folder / f"{latest_stem}.{EXTENSIONS[f]}"
        if f in LATEST and copy != files[f]:
            latest[f] = copy
    return Outputs(files, latest, history)


def lock_within(fd: int, wait: float) -> bool:
    """Take an exclusive ``flock`` on ``fd``, trying every 50 ms for ``wait`` seconds; False
    when another process still holds it (the caller says what that means)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process's umask. Reading it means setting it: threads writing at once (the export
    cache) must not interleave the set and the restore, or one of them leaves the umask at 0."""
    with _UMASK_LOCK:
        umask = os.umask(0)
        os.umask(umask)
    return umask


def write_atomic(path: Path, content: str | bytes, durable: bool = False) -> None:
    """Write via a temporary file in the same folder and ``os.replace``: a crash mid-write
    leaves the previous file untouched. The temporary file is hidden (``.name.xxxx.tmp``) and
    locked while written; one left by a killed run is removed by the next write of that file.
    ``durable`` also syncs the file and its folder to disk (reports, history).

    ``PERFMKT_TEST_SLOW_WRITE=SECONDS`` (tests only) pauses a durable write halfway through,
    so a test can kill the process while a report is being written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(path)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    while True:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        fcntl.flock(handle, fcntl.LOCK_EX)
        if os.fstat(handle).st_nlink:  # not swept away between mkstemp and the lock
            break
        os.close(handle)
    try:
        os.fchmod(handle, 0o666 & ~_umask())  # mkstemp makes 0600; a report is readable
        pause = _test_pause() if durable else 0.0
        if pause:
            _write_all(handle, data[: len(data) // 2])
            time.sleep(pause)
            data = data[len(data) // 2 :]
        _write_all(handle, data)
        if durable:
            os.fsync(handle)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)
    if durable:
        _sync_folder(path.parent)


def _test_pause() -> float:
    try:
        return max(float(os.environ.get("PERFMKT_TEST_SLOW_WRITE") or 0), 0.0)
    except ValueError:
        return 0.0


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_orphans(path: Path) -> None:
    """Temporary files of ``path`` left by a killed run: no process holds their lock."""
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            fd = os.open(temp, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            temp.unlink(missing_ok=True)
        except OSError:
            pass  # being written right now
        finally:
            os.close(fd)
