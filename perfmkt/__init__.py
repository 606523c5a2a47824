"""perfmkt: are we on pace to hit the campaign plan, where not, and what now?

As a library (see docs/library.md)::

    import perfmkt

    report = perfmkt.report("configs/demo.yaml", as_of="2026-01-31")
    perfmkt.kpi_frame(report)          # KPI pacing as a polars DataFrame
    perfmkt.render(report, "html")     # the client report
    perfmkt.read_export("sample_data/demo/google/campaign_report_2026-01-05_2026-01-18.csv")

Importing the package is cheap: polars, pydantic and the rest load on first use.
"""

from __future__ import annotations

import sys

# Not typing.TYPE_CHECKING: importing typing alone costs `import perfmkt` more than all the rest
# (mypy and pyright read any name TYPE_CHECKING as true).
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "ExportError",
    "ExportWarning",
    "NotDailyError",
    "PerfmktError",
    "Plan",
    "PlanError",
    "Report",
    "__version__",
    "kpi_frame",
    "load_plan",
    "read_export",
    "render",
    "report",
]

if TYPE_CHECKING:  # what type checkers see; at run time each name loads on first use
    from types import ModuleType
    from typing import Any

    from perfmkt.api import ExportWarning, kpi_frame, load_plan, read_export, render, report
    from perfmkt.errors import DataError, ExportError, NotDailyError, PerfmktError, PlanError
    from perfmkt.plan import Plan
    from perfmkt.report import Report
else:
    ModuleType = type(sys)  # types.ModuleType, without importing types

# Name -> the module it comes from, imported when the name is first used.
_LAZY = {
    "DataError": "perfmkt.errors",
    "ExportError": "perfmkt.errors",
    "NotDailyError": "perfmkt.errors",
    "PerfmktError": "perfmkt.errors",
    "PlanError": "perfmkt.errors",
    "ExportWarning": "perfmkt.api",
    "kpi_frame": "perfmkt.api",
    "load_plan": "perfmkt.api",
    "read_export": "perfmkt.api",
    "render": "perfmkt.api",
    "report": "perfmkt.api",
    "Plan": "perfmkt.plan",
    "Report": "perfmkt.report",
}


def _load(name: str) -> Any:
    from importlib import import_module

    return getattr(import_module(_LAZY[name]), name)


if not TYPE_CHECKING:  # hidden from type checkers, which then flag a misspelt name

    def __getattr__(name: str) -> Any:
        if name not in _LAZY:
            raise AttributeError(f"module 'perfmkt' has no attribute {name!r}")
        value = _load(name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(ModuleType):
    """``perfmkt.report`` and ``perfmkt.render`` are the library's functions, although modules
    of the same names exist: importing ``perfmkt.report`` (or ``perfmkt.render.…``) would
    otherwise rebind the package's attribute to the module. The modules stay importable by
    their full names (``from perfmkt.report import Report``)."""

    @property
    def report(self) -> Any:
        return _load("report")

    @report.setter
    def report(self, value: Any) -> None:
        _shadowed(self, "report", value)

    @property
    def render(self) -> Any:
        return _load("render")

    @render.setter
    def render(self, value: Any) -> None:
        _shadowed(self, "render", value)


def _shadowed(package: ModuleType, name: str, value: Any) -> None:
    """The import system binding a submodule: ignored. Anything else (a test's monkeypatch)
    replaces the function."""
    if isinstance(value, ModuleType):
        return
    module = sys.modules[_LAZY[name]]
    setattr(module, name, value)


sys.modules[__name__].__class__ = _Package
