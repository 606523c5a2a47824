"""perfmkt as a library: docs/library.md run as a notebook, each API call, its errors and types,
and the packaging a user meets (-h, completion, python -m, LICENSE, CHANGELOG)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import warnings
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

import perfmkt
from tests.conftest import ROOT, make_plan, pace_small, run_cli, run_perfmkt

DOC = ROOT / "docs" / "library.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text, in order (```sh blocks are illustrations)."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


# ---- docs/library.md, every example in order in one namespace ----------------------------


def test_the_library_guide_runs_as_written_and_agrees_with_the_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # the guide's paths are the repository's
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 7
    ns: dict[str, object] = {"__name__": "library_md"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", perfmkt.ExportWarning)  # the sample exports are clean
        for number, block in enumerate(blocks, 1):
            exec(compile(block, f"docs/library.md python block {number}", "exec"), ns)

    # The report is the one `perfmkt report -f json` prints, byte for byte.
    stdout, _ = run_cli(["report", "configs/demo.yaml", "--as-of", "2026-01-31", "-f", "json"])
    assert ns["machine"] == stdout
    cli = json.loads(stdout)
    report = ns["report"]
    assert isinstance(report, perfmkt.Report)
    assert (report.client, report.as_of) == ("Trà Sen Tây Hồ", date(2026, 1, 31))
    assert report.verdict["status"] == cli["verdict"]["status"] == "off_track"

    # The KPI frame holds the JSON's KPIs, unrounded.
    kpis = ns["kpis"]
    assert isinstance(kpis, pl.DataFrame)
    assert kpis["name"].to_list() == [k["name"] for k in cli["kpis"]]
    assert kpis["status"].to_list() == [k["status"] for k in cli["kpis"]]
    for row, shown in zip(kpis.iter_rows(named=True), cli["kpis"], strict=True):
        assert row["actual_to_date"] == pytest.approx(shown["actual_to_date"], rel=1e-5)
        assert row["pace"] == pytest.approx(shown["pace"], rel=1e-5)
        assert [row["projection_low"], row["projection_high"]] == pytest.approx(
            shown["projection_interval"], rel=1e-5
        )
    assert ns["behind"] == [k["name"] for k in cli["kpis"] if k["status"] != "on_track"]
    assert round(ns["spend"].pace, 3) == 0.996  # the guide's comment

    daily = ns["daily"]
    assert daily.height == len(cli["daily"]) and daily["spend"].sum() == pytest.approx(
        sum(d["actual"]["spend"] for d in cli["daily"])
    )

    # The other renderings are the CLI's.
    assert ns["html"].startswith("<!DOCTYPE html>") and "Trà Sen Tây Hồ" in ns["html"]
    assert "Trà Sen Tây Hồ" in ns["text"] and "\x1b[" not in ns["text"]

    # The Plan object, paced from configs/, in English.
    assert ns["same"].verdict["text"] == "Off track — revenue at 78% of plan · day 27 of 56"
    assert [k.actual_to_date for k in ns["same"].kpis] == [k.actual_to_date for k in report.kpis]
    # The plan built in code reads only Google's exports.
    google = ns["google"]
    assert [(k.name, k.status) for k in google.kpis] == [
        ("spend", "overspend"),
        ("orders", "off_track"),
        ("cpo", "off_track"),
    ]
    assert all("/google/" in f["path"] for f in google.notes.files)

    # The export read alone: its spend is what inspect totals.
    inspected, _ = run_cli(
        [
            "inspect",
            "sample_data/demo/google/campaign_report_2026-01-05_2026-01-18.csv",
            "-f",
            "json",
        ]
    )
    assert ns["google_ads"]["spend"].sum() == pytest.approx(
        json.loads(inspected)[0]["totals"]["spend"]
    )
    assert ns["problem"] == (
        f"<plan>: sources[0].path: 'exports/*.csv' matches no file (looked in {ROOT})"
    )


def test_every_name_the_guide_uses_is_exported() -> None:
    used = set(re.findall(r"perfmkt\.([A-Za-z_]+)", DOC.read_text(encoding="utf-8")))
    modules = {"report", "render"}  # also module names: see the guide's last section
    for name in used:
        assert name in perfmkt.__all__ or name in modules, name


# ---- import perfmkt: cheap, and the names type checkers see ------------------------------


def test_import_perfmkt_loads_nothing_heavy_until_a_call() -> None:
    code = (
        "import sys, perfmkt\n"
        "heavy = ('polars', 'pydantic', 'typer', 'rich', 'jinja2', 'numpy', 'yaml')\n"
        "perfmkt.__version__, perfmkt.PlanError, perfmkt.ExportError\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "perfmkt.load_plan\n"  # the function itself: still nothing heavy
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "[]"]


def test_every_public_name_resolves() -> None:
    from perfmkt import api, errors, plan
    from perfmkt.report import Report

    expected = {
        "Plan": plan.Plan,
        "Report": Report,
        "PlanError": errors.PlanError,
        "ExportError": errors.ExportError,
        "NotDailyError": errors.NotDailyError,
        "DataError": errors.DataError,
        "PerfmktError": errors.PerfmktError,
        "ExportWarning": api.ExportWarning,
        "report": api.report,
        "render": api.render,
        "load_plan": api.load_plan,
        "read_export": api.read_export,
        "kpi_frame": api.kpi_frame,
        "__version__": perfmkt.__version__,
    }
    assert set(perfmkt.__all__) == set(expected)
    for name, value in expected.items():
        assert getattr(perfmkt, name) is value, name
        assert name in dir(perfmkt)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        perfmkt.nope  # noqa: B018


def test_report_and_render_stay_the_functions_once_their_modules_are_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import perfmkt.render.terminal
    import perfmkt.report  # binds the package's attribute, were it not guarded
    from perfmkt import api, render, report

    assert perfmkt.report is report is api.report
    assert perfmkt.render is render is api.render
    assert sys.modules["perfmkt.report"].Report is perfmkt.Report
    # A test may still replace them, and gets them back.
    monkeypatch.setattr(perfmkt, "report", lambda *a, **k: "stub")
    assert perfmkt.report("x") == "stub"
    monkeypatch.undo()
    assert perfmkt.report is api.report


def test_the_package_is_typed() -> None:
    assert (ROOT / "perfmkt" / "py.typed").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "Typing :: Typed" in project["project"]["classifiers"]
    assert project["tool"]["mypy"]["files"] == ["perfmkt"]


def test_a_type_checker_sees_the_api(tmp_path: Path) -> None:
    """What mypy infers for a user's script (the TYPE_CHECKING imports in perfmkt/__init__)."""
    script = tmp_path / "use_perfmkt.py"
    script.write_text(
        "import perfmkt\n"
        "r = perfmkt.report('plan.yaml', as_of='2026-01-31')\n"
        "reveal_type(r)\n"
        "reveal_type(perfmkt.render(r, 'html'))\n"
        "reveal_type(perfmkt.render(r, 'pdf'))\n"
        "reveal_type(perfmkt.read_export('x.csv'))\n"
        "reveal_type(perfmkt.load_plan('plan.yaml'))\n"
        "perfmkt.report(42)\n"
        "perfmkt.reprot\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--follow-imports=silent",
            "--python-version=3.11",
            str(script),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    lines = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if ".py:" in line]
    lines[-1] = lines[-1].split(";")[0]  # mypy may add 'maybe "report"?'

    assert lines == [
        'note: Revealed type is "perfmkt.report.Report"',
        'note: Revealed type is "str"',
        'note: Revealed type is "bytes"',
        'note: Revealed type is "polars.dataframe.frame.DataFrame"',
        'note: Revealed type is "perfmkt.plan.Plan"',
        'error: Argument 1 to "report" has incompatible type "int"; expected '
        '"Plan | str | PathLike[str]"  [arg-type]',
        'error: Module has no attribute "reprot"',
    ], done.stdout


# ---- perfmkt.report --------------------------------------------------------------------


def test_report_takes_a_path_or_str_and_as_of_as_a_date_or_iso_text(small_plan: Path) -> None:
    from perfmkt.render.json import to_json

    stdout, _ = pace_small(small_plan, "-f", "json")
    assert to_json(perfmkt.report(small_plan, as_of=date(2026, 3, 5))) == stdout
    assert to_json(perfmkt.report(str(small_plan), as_of="2026-03-05")) == stdout
    at_noon = datetime(2026, 3, 5, 12, 0)  # a datetime's day is the day meant
    assert perfmkt.report(small_plan, as_of=at_noon).as_of == date(2026, 3, 5)


def test_report_in_english_and_without_the_cache(small_plan: Path) -> None:
    english = perfmkt.report(small_plan, as_of="2026-03-05", lang="en", cache=False)
    vietnamese = perfmkt.report(small_plan, as_of="2026-03-05")
    assert (english.locale, vietnamese.locale) == ("en", "vi")
    assert [k.pace for k in english.kpis] == [k.pace for k in vietnamese.kpis]


def test_a_plan_object_paths_are_relative_to_base_dir(
    small_plan: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from perfmkt.render.json import to_json

    from_file = to_json(perfmkt.report(small_plan, as_of="2026-03-05"))
    plan = perfmkt.load_plan(small_plan)
    assert isinstance(plan, perfmkt.Plan)
    assert to_json(perfmkt.report(plan, "2026-03-05", base_dir=small_plan.parent)) == from_file
    monkeypatch.chdir(small_plan.parent)  # base_dir defaults to the working directory
    assert to_json(perfmkt.report(plan, "2026-03-05")) == from_file

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(perfmkt.PlanError) as caught:
        perfmkt.report(plan, "2026-03-05")
    message = (
        f"<plan>: sources[0].path: 'exports/google/*.csv' matches no file (looked in {elsewhere})"
    )
    assert str(caught.value) == message
    assert caught.value.problems[0] == message and len(caught.value.problems) == 3
    assert (caught.value.path, caught.value.row) == ("<plan>", None)


def test_a_plan_object_is_checked_as_a_whole_like_a_file() -> None:
    plan = make_plan(
        date(2026, 3, 2),
        10,
        {"spend": 1_000_000},
        timeline=[{"start": date(2026, 2, 20), "end": date(2026, 3, 3), "spend": 100_000}],
    )
    with pytest.raises(perfmkt.PlanError) as caught:
        perfmkt.report(plan)
    assert str(caught.value).startswith("<plan>: timeline[0]: ")
    assert "outside the flight 2026-03-02..2026-03-11" in str(caught.value)


def test_report_errors_are_the_cli_lines_raised_never_an_exit(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    _, stderr = run_cli(["report", missing], expect=2)
    with pytest.raises(perfmkt.PlanError) as caught:
        perfmkt.report(missing)
    assert stderr == f"perfmkt: error: {caught.value}\n"

    broken = tmp_path / "plan.yaml"
    broken.write_text("client: x\nkpi: {spend: 1}\n", encoding="utf-8")
    _, stderr = run_cli(["report", broken], expect=2)
    with pytest.raises(perfmkt.PlanError) as caught:
        perfmkt.load_plan(broken)
    assert stderr == f"perfmkt: error: {caught.value}\n"
    assert str(caught.value).startswith(f"{broken}:")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"as_of": "March 5"}, ValueError, "as_of='March 5' is not a date like 2026-02-03"),
        ({"as_of": 20260305}, TypeError, "as_of: a date or 'YYYY-MM-DD', not int"),
        ({"lang": "fr"}, ValueError, "lang='fr': choose 'vi' or 'en'"),
        ({"base_dir": "."}, ValueError, "base_dir is for a Plan object"),
        ({"cache": "no"}, TypeError, "cache: True or False, not 'no'"),
    ],
)
def test_wrong_arguments_are_python_errors(
    small_plan: Path, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        perfmkt.report(small_plan, **kwargs)  # type: ignore[arg-type]


def test_a_plan_that_is_neither_a_path_nor_a_plan_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="a Plan or a plan file's path, not dict"):
        perfmkt.report({"client": "x"})  # type: ignore[arg-type]


def raised_by_the_api(call: object, error: type[Exception], message: str) -> None:
    """``call()`` raises ``error`` with exactly ``message``, from perfmkt.api itself: the
    argument is refused where it comes in, not deep inside as some other error."""
    with pytest.raises(error) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == message
    assert caught.traceback[-1].path.name == "api.py", caught.traceback[-1]


def test_wrong_arguments_are_refused_where_they_come_in(small_plan: Path) -> None:
    report = perfmkt.report(small_plan, as_of="2026-03-05")
    export = ROOT / "sample_data" / "demo" / "google" / "campaign_report_2026-01-05_2026-01-18.csv"
    cases: list[tuple[object, type[Exception], str]] = [
        (
            lambda: perfmkt.render(report, "text", days="7"),
            TypeError,
            "days: a whole number of days (int), not str",
        ),
        (
            lambda: perfmkt.render(report, "html", days=2.5),
            TypeError,
            "days: a whole number of days (int), not float",
        ),
        (
            lambda: perfmkt.render(report, "html", days=-1),
            ValueError,
            "days=-1: the days in the daily table, 0 or more",
        ),
        (
            lambda: perfmkt.render({}, "html"),
            TypeError,
            "report: a perfmkt.Report (from perfmkt.report), not dict",
        ),
        (
            lambda: perfmkt.render(report, ["html"]),
            TypeError,
            "fmt: a format's name (str), not list",
        ),
        (
            lambda: perfmkt.render(report, "html", templates=3),
            TypeError,
            "templates: a path (str or os.PathLike), not int",
        ),
        (
            lambda: perfmkt.render(report, "html", templates="no-such-folder"),
            ValueError,
            "templates='no-such-folder' is not a folder",
        ),
        (
            lambda: perfmkt.kpi_frame("x"),
            TypeError,
            "report: a perfmkt.Report (from perfmkt.report), not str",
        ),
        (
            lambda: perfmkt.kpi_frame(report, channels="yes"),
            TypeError,
            "channels: True or False, not 'yes'",
        ),
        (
            lambda: perfmkt.load_plan(None),
            TypeError,
            "path: a path (str or os.PathLike), not NoneType",
        ),
        (lambda: perfmkt.read_export(42), TypeError, "path: a path (str or os.PathLike), not int"),
        (
            lambda: perfmkt.read_export(export, platform=3),
            TypeError,
            "platform: a platform's name (str), not int",
        ),
        (
            lambda: perfmkt.read_export(export, daily="no"),
            TypeError,
            "daily: True or False, not 'no'",
        ),
        (
            lambda: perfmkt.report(perfmkt.load_plan(small_plan), base_dir=3),
            TypeError,
            "base_dir: a path (str or os.PathLike), not int",
        ),
    ]
    for call, error, message in cases:
        raised_by_the_api(call, error, message)
    assert perfmkt.render(report, "md", days=0).startswith("#")  # no daily rows: allowed


# ---- kpi_frame, render ------------------------------------------------------------------


def test_kpi_frame_is_the_kpis_and_their_channels(small_plan: Path) -> None:
    report = perfmkt.report(small_plan, as_of="2026-03-05")
    frame = perfmkt.kpi_frame(report)
    assert frame.columns[:4] == ["name", "label", "direction", "kind"]
    assert frame["name"].to_list() == [k.name for k in report.kpis]
    assert frame["pace"].to_list() == [k.pace for k in report.kpis]
    assert frame.schema["chance"] == pl.Float64 and frame.schema["status"] == pl.String

    both = perfmkt.kpi_frame(report, channels=True)
    channel_kpis = [(c["name"], k.name) for c in report.channels for k in c.get("kpis") or []]
    assert both.columns[0] == "channel"
    assert both.height == len(report.kpis) + len(channel_kpis)
    assert both.filter(pl.col("channel").is_null())["name"].to_list() == frame["name"].to_list()
    assert list(
        both.filter(pl.col("channel").is_not_null()).select("channel", "name").iter_rows()
    ) == (channel_kpis)


def test_render_gives_what_the_cli_writes(small_plan: Path, tmp_path: Path) -> None:
    report = perfmkt.report(small_plan, as_of="2026-03-05")
    for fmt in ("md", "csv", "json"):
        stdout, _ = pace_small(small_plan, "-f", fmt)
        assert perfmkt.render(report, fmt) == stdout, fmt
    text_file = tmp_path / "out" / "report.txt"
    pace_small(small_plan, "-f", "table", "-o", text_file, "--quiet")
    assert perfmkt.render(report, "text") == text_file.read_text(encoding="utf-8")
    html = perfmkt.render(report, "html", days=3)
    assert isinstance(html, str) and html.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match="format 'xml': choose from html, md, json, csv, text"):
        perfmkt.render(report, "xml")


# ---- read_export -------------------------------------------------------------------------


def test_read_export_is_a_dataframe_of_unified_facts() -> None:
    from perfmkt.schema import FACTS_SCHEMA

    path = ROOT / "tests" / "fixtures" / "exports" / "meta" / "vi_adset_day.csv"
    frame = perfmkt.read_export(path)
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == list(FACTS_SCHEMA)
    assert set(frame["platform"].unique()) == {"meta"}
    inspected, _ = run_cli(["inspect", path, "-f", "json"])
    assert frame["spend"].sum() == pytest.approx(json.loads(inspected)[0]["totals"]["spend"])
    assert perfmkt.read_export(str(path), platform="meta").equals(frame)


def test_read_export_warns_what_is_worth_a_look(tmp_path: Path) -> None:
    path = tmp_path / "google.csv"
    path.write_text(
        "Day,Campaign,Cost,Impr.,Conversions\n2026-01-01,A,5,10,3\n2026-01-02,A,5,10,-1\n",
        encoding="utf-8",
    )
    with pytest.warns(perfmkt.ExportWarning) as caught:
        frame = perfmkt.read_export(path)
    assert [str(w.message) for w in caught] == [
        f"{path}: 1 row with a negative Conversions (a conversion adjustment?): summed as written"
    ]
    assert frame["orders"].sum() == 2


def test_read_export_errors_are_the_cli_lines(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    _, stderr = run_cli(["inspect", path], expect=2)
    with pytest.raises(perfmkt.ExportError) as caught:
        perfmkt.read_export(path)
    assert stderr == f"perfmkt: error: {caught.value}\n"


def test_a_period_export_needs_daily_false(tmp_path: Path) -> None:
    path = tmp_path / "period.csv"
    path.write_text("Campaign,Cost,Impr.\nA,5,10\n", encoding="utf-8")
    with pytest.raises(perfmkt.NotDailyError):
        perfmkt.read_export(path)
    frame = perfmkt.read_export(path, daily=False)
    assert frame["date"].null_count() == 1 and frame["spend"].to_list() == [5.0]


# ---- the command as users expect it: -h, completion, python -m --------------------------


def _commands() -> list[list[str]]:
    from perfmkt.cli import app, cache_app

    names = [[c.name or c.callback.__name__] for c in app.registered_commands]
    subcommands = [["cache", c.name or c.callback.__name__] for c in cache_app.registered_commands]
    return [[], *names, ["cache"], *subcommands]


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "perfmkt")
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short, _ = run_cli([*command, "-h"])
    long, _ = run_cli([*command, "--help"])
    assert short == long and "Usage:" in short and "-h, --help" in short


def test_python_dash_m_is_perfmkt_and_importing_main_runs_nothing() -> None:
    done = run_perfmkt("-h")
    assert done.returncode == 0 and done.stdout.startswith("Usage: perfmkt [OPTIONS] COMMAND")
    imported = subprocess.run(
        [sys.executable, "-c", "import perfmkt.__main__"], capture_output=True, text=True
    )
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "", "")


def test_completion_scripts_and_completions() -> None:
    # Typer picks the shell it runs in; this variable lets a test name it.
    name_it = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    bash = run_perfmkt("--show-completion", "bash", **name_it)
    assert bash.returncode == 0, bash.stderr
    assert "_PERFMKT_COMPLETE=complete_bash" in bash.stdout
    assert "complete -o default -F _perfmkt_completion perfmkt" in bash.stdout
    zsh = run_perfmkt("--show-completion", "zsh", **name_it)
    assert zsh.stdout.startswith("#compdef perfmkt")

    def complete(words: str) -> list[str]:
        done = run_perfmkt(
            _PERFMKT_COMPLETE="complete_bash",
            COMP_WORDS=words,
            COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        )
        return done.stdout.split()

    assert complete("perfmkt rep") == ["report"]
    assert complete("perfmkt cache ") == ["info", "clear"]
    assert "--format" in complete("perfmkt report --fo")


def test_install_completion_writes_the_shell_script(tmp_path: Path) -> None:
    done = run_perfmkt(
        "--install-completion",
        "bash",
        HOME=str(tmp_path),
        _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1",
    )
    assert done.returncode == 0, done.stderr
    assert "bash completion installed in" in done.stdout
    script = (tmp_path / ".bash_completions" / "perfmkt.sh").read_text(encoding="utf-8")
    assert "_PERFMKT_COMPLETE=complete_bash" in script
    assert "perfmkt.sh" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


# ---- LICENSE, CHANGELOG, project metadata --------------------------------------------


def test_license_changelog_and_project_metadata() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n\nCopyright (c) 2026 perfmkt contributors\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert set(project["urls"]) >= {"Homepage", "Repository", "Issues", "Changelog"}
    supported = {c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if "Python :: 3." in c}
    assert supported == {"3.11", "3.12", "3.13"}
    assert project["requires-python"] == ">=3.11"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{perfmkt.__version__}] - " in changelog  # the version being built is listed
    assert os.path.exists(ROOT / "docs" / "library.md")
