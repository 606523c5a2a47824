"""One error family for everything a user can get wrong.

The core raises these; only ``cli.py`` turns them into a one-line message and an exit code.
"""

from __future__ import annotations

from pathlib import Path


class PerfmktError(Exception):
    """A problem with the user's input, located as precisely as we can.

    ``str(err)`` is the one line a user sees: ``file:row: column: message (hint)``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.row is not None:
                where += f":{self.row}"
        parts = [p for p in (where, self.column) if p]
        text = ": ".join([*parts, self.message])
        if self.hint:
            text += f" ({self.hint})"
        return text


class PlanError(PerfmktError):
    """The YAML plan is missing, malformed or inconsistent.

    ``problems`` lists every problem found (``perfmkt validate`` prints them all).
    """

    def __init__(self, message: str, **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.problems: list[str] = [self.format()]


class ExportError(PerfmktError):
    """An export file cannot be read or does not have the shape we need."""


class UnknownExportError(ExportError):
    """A text file whose header no reader recognises (``perfmkt inspect`` then tries it as a
    shop's orders export)."""


class NotDailyError(ExportError):
    """An export of period or lifetime totals: readable, but not one row per day (``perfmkt
    inspect`` reads it for its totals)."""


class DataError(PerfmktError):
    """The data and the plan do not fit together (e.g. no rows at all in the flight)."""
