"""What a platform reader declares: how to recognise its header and what its columns mean."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExportFormat:
    """One platform's export shape.

    ``columns`` maps a unified facts field to the headers that can feed it, best first; the
    first header present in a file wins and the report's notes say which one it was.
    ``measure_prefixes`` does the same for headers that carry a suffix such as the currency
    (``Amount spent (VND)``).
    """

    platform: str
    label: str
    matches: Callable[[list[str]], bool]
    date_columns: tuple[str, ...]
    text_columns: dict[str, tuple[str, ...]]
    measure_columns: dict[str, tuple[str, ...]]
    measure_prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    how_to_export_daily: str = ""

    def pick(self, header: list[str], field_name: str) -> str | None:
        """The header feeding ``field_name`` in this file, or None."""
        present = set(header)
        candidates = {**self.text_columns, **self.measure_columns}.get(field_name, ())
        for name in candidates:
            if name in present:
                return name
        for prefix in self.measure_prefixes.get(field_name, ()):
            for name in header:
                if name.startswith(prefix):
                    return name
        return None
