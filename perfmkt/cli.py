"""The ``perfmkt`` command: parse arguments, call the library, print, choose the exit code.

Heavy libraries (polars, babel) are imported inside the commands so ``perfmkt --help`` is fast.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from perfmkt import __version__
from perfmkt.errors import PerfmktError

if TYPE_CHECKING:
    from rich.console import Console


class ExitCode(IntEnum):
    OK = 0
    FAIL_ON = 1  # a KPI at or beyond --fail-on, or an alert fired (only with --fail-on)
    BAD_INPUT = 2  # plan, export or argument the user can fix
    UNEXPECTED = 3  # a bug: please report it


# -h as well as --help, on perfmkt and every command (subcommands inherit the setting).
CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="perfmkt",
    help="Campaign pacing for performance marketers: exports + plan → are we on pace?",
    # --install-completion for the shell perfmkt runs in (--show-completion prints the script)
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"perfmkt {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """perfmkt: are we on pace to hit the campaign plan, where not, and what now?

    Example: perfmkt report configs/demo.yaml
    """


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    from perfmkt.render.terminal import THEME

    probe = Console(stderr=stderr)
    # Piped output gets a wide page instead of rich's 80 columns, unless COLUMNS says otherwise.
    width = None if probe.is_terminal or os.environ.get("COLUMNS") else TEXT_WIDTH
    return Console(stderr=stderr, theme=THEME, highlight=False, width=width)


def _fail(err: PerfmktError) -> typer.Exit:
    typer.echo(f"perfmkt: error: {err}", err=True)
    return typer.Exit(ExitCode.BAD_INPUT)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-02-03") from None


FORMATS = ("table", "json", "html", "md", "csv", "pdf")
TEXT_WIDTH = 160  # piped without COLUMNS (as perfmkt.api.TEXT_WIDTH, the view written to a file)


class Log:
    """Messages for people (text on stderr) or log shippers (one JSON object a line)."""

    def __init__(self, quiet: bool, json_lines: bool) -> None:
        self.quiet, self.json_lines = quiet, json_lines

    def emit(self, level: str, message: str, **fields: Any) -> None:
        if self.quiet and level == "info":
            return
        if self.json_lines:
            import json

            record = {"level": level, "message": message, **fields}
            typer.echo(json.dumps(record, ensure_ascii=False, default=str), err=True)
        else:
            prefix = {"info": "", "warning": "perfmkt: warning: ", "error": "perfmkt: error: "}
            typer.echo(prefix[level] + message, err=True)


@app.command()
def report(
    plans: Annotated[
        list[Path], typer.Argument(help="Campaign plans (YAML); several run as a batch.")
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Last complete day to pace (default: latest day in the data, "
            "capped at yesterday and the flight end).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, html, md, csv or pdf; several with commas. Default: the -o "
            "file's extension (report.html is html), else table.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="A file, a folder, or a pattern with {client} {campaign} {as_of} {ext}. "
            "Written atomically, with the plan's latest.html/.md/.json and its rows of "
            "history.csv beside. Default: standard output.",
        ),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=0, help="Days shown in the daily table.")] = 14,
    templates: Annotated[
        Path | None,
        typer.Option(
            help="Folder of templates overriding the packaged ones (white label).",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a KPI is at_risk (or worse) / off_track (or worse), or an alert "
            "fired.",
        ),
    ] = None,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            help="slack (the webhook URL from PERFMKT_SLACK_WEBHOOK), slack:env:NAME (from "
            "variable NAME) or email:ADDRESS (SMTP from PERFMKT_SMTP_* or the plan's smtp:); "
            "repeatable. slack:URL still works but shows the webhook in crontabs, ps and logs."
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only problems (no data warnings, no file list)."),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 2 when a plan's data give any warning (a lagging source, a partial day, "
            "a channel or source matching nothing); its reports are still written.",
        ),
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Parse every export again instead of using the Parquet cache."
        ),
    ] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text, or json (one object a line) for logs.")
    ] = "text",
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="vi or en: the language of every report, notification and the terminal view "
            "(default: the plan's locale:, else vi for VND).",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Plans run at once, each in its own process (default: one process per 8 "
            "plans, up to the number of CPUs; 1 runs them one after another in this process).",
        ),
    ] = None,
) -> None:
    """Pace campaign plans against their exports: KPI, weekly, daily and channel tables, in the
    terminal or as client-ready HTML, Markdown, PDF, and JSON or CSV for machines.

    Exit codes: 0 fine; 1 a KPI at or beyond --fail-on, or an alert fired (only with
    --fail-on); 2 bad input (or, with --strict, a data warning); 3 unexpected failure (the
    message names a log file).

    Example: perfmkt report plans/*.yaml -f html,md -o 'reports/{client}/{campaign}/{as_of}.{ext}'
    """
    if fmt is None:  # the file's extension says it: -o report.html writes HTML
        from perfmkt.output import format_of

        fmt = format_of(output) or "table"
    formats = list(dict.fromkeys(f.strip() for f in fmt.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise typer.BadParameter(
            f"{', '.join(unknown) or fmt!r}: choose from {', '.join(FORMATS)}",
            param_hint="--format",
        )
    if fail_on not in (None, "at_risk", "off_track"):
        raise typer.BadParameter(
            f"{fail_on!r}: choose at_risk or off_track", param_hint="--fail-on"
        )
    if lang not in (None, "vi", "en"):
        raise typer.BadParameter(f"{lang!r}: choose vi or en", param_hint="--lang")
    if log_format not in ("text", "json"):
        raise typer.BadParameter(f"{log_format!r}: choose text or json", param_hint="--log-format")
    from perfmkt.batch import notify_problem

    for target in notify or []:  # a typo fails now, not as a warning once every plan has run
        if problem := notify_problem(target):
            raise typer.BadParameter(problem, param_hint="--notify")
    # A plan named twice (plans/*.yaml plans/a.yaml) runs once.
    unique: dict[str, Path] = {}
    for plan in plans:
        unique.setdefault(os.path.abspath(plan), plan)
    plans = list(unique.values())
    to_stdout = output is None
    if to_stdout and (
        len(formats) > 1 or formats == ["pdf"] or (len(plans) > 1 and formats != ["table"])
    ):
        raise typer.BadParameter(
            "several formats or plans, or pdf, need -o (a folder or a pattern with {ext})",
            param_hint="--output",
        )
    if (
        output is not None
        and len(plans) > 1
        and "{" not in str(output)
        and output.suffix
        and not output.is_dir()
    ):
        raise typer.BadParameter(
            "several plans need -o to be a folder or a pattern such as 'reports/{client}/'",
            param_hint="--output",
        )
    as_of_day = _parse_date(as_of)
    if output is not None:  # a pattern or a file name that cannot work fails once, up front
        from perfmkt.output import plan_outputs

        try:
            plan_outputs(output, formats, "client", "campaign", date(2026, 1, 1))
        except PerfmktError as err:
            raise _fail(err) from None
    from functools import partial

    from perfmkt.batch import Settings, default_jobs, run_batch

    log = Log(quiet, log_format == "json")
    # The progress bar (stderr, terminals only) runs while the plans do; output comes after.
    with _progress(quiet or log_format == "json") as progress:
        outcomes = run_batch(
            plans,
            Settings(
                formats=formats,
                render=partial(_render_as, to_stdout=to_stdout, days=days, templates=templates),
                output=output,
                as_of=as_of_day,
                fail_on=fail_on,
                notify=list(notify or []),
                progress=progress,
                cache=not no_cache,
                strict=strict,
                lang=lang,
                jobs=jobs or default_jobs(len(plans)),
            ),
        )
    for outcome in outcomes:
        _report_outcome(outcome, log, to_stdout and not quiet)
    codes = [o.code for o in outcomes]
    code = max(codes, default=0)
    if code:
        raise typer.Exit(code)


def _report_outcome(outcome: Any, log: Log, show: bool) -> None:
    """What one plan's run did: its problem, warnings, --fail-on reasons, files, output."""
    plan = str(outcome.plan)
    if outcome.problem:
        extra = f" (details in {outcome.log_file})" if outcome.log_file else ""
        log.emit(
            "error",
            outcome.problem + extra,
            plan=plan,
            exit_code=outcome.code,
            log_file=outcome.log_file,
        )
        return
    # The data's warnings (lagging source, partial day…) are for people, unless --quiet; with
    # --strict they made the run fail, so they are problems and always said.
    if not log.quiet or outcome.strict:
        for warning in outcome.data_warnings:
            log.emit("warning", f"{plan}: {warning}", plan=plan)
    for warning in outcome.warnings:
        log.emit("warning", warning, plan=plan)
    if outcome.strict:
        log.emit("error", outcome.strict, plan=plan, exit_code=outcome.code)
    for reason in outcome.failing:
        log.emit("warning", f"{plan}: {reason}", plan=plan, exit_code=outcome.code)
    for path in outcome.written:
        log.emit("info", f"wrote {path}", plan=plan, file=str(path))
    if show:
        _print(outcome.rendered)


def _print(rendered: dict[str, Any]) -> None:
    ((name, content),) = rendered.items()
    if name == "table":
        console = _console()
        for part in content:
            console.print(part)
            console.print()
    else:
        sys.stdout.write(content)


class _progress:
    """A progress bar over the export files, on a terminal only (stderr)."""

    def __init__(self, off: bool) -> None:
        self.off = off
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.off or not sys.stderr.isatty():
            return None
        from rich.progress import Progress

        self.bar = Progress(console=_console(stderr=True), transient=True)
        self.bar.start()
        task: list[Any] = []

        def advance(count: int, path: Path | None, label: str = "reading exports") -> None:
            if path is None:
                task.append(self.bar.add_task(label, total=count))
            elif task:
                self.bar.update(task[-1], advance=count, description=path.name)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _render_as(
    result: Any, name: str, *, to_stdout: bool, days: int, templates: Path | None
) -> Any:
    """A batch's renderer (module level, so worker processes can be handed it): the terminal
    view is text when it goes to a file."""
    return _render(
        result, "table_text" if name == "table" and not to_stdout else name, days, templates
    )


def _render(result: Any, name: str, days: int, templates: Path | None) -> Any:
    """One format of the report: rich renderables (table, for stdout), else what the library's
    ``perfmkt.render`` gives (``table_text`` is its ``text``)."""
    if name == "table":
        from perfmkt.render.terminal import render

        return render(result, days, _console().width)
    if name == "email":  # the e-mail body: not a library format, but white-labelled too
        from perfmkt.render import documents

        return documents.render(result, "email", days, [templates] if templates else [])
    from perfmkt.api import render as render_as

    return render_as(
        result, "text" if name == "table_text" else name, days=days, templates=templates
    )


def _write(path: Path, content: str | bytes) -> None:
    from perfmkt.output import write_atomic

    try:
        write_atomic(path, content)
    except OSError as exc:
        raise _fail(PerfmktError(f"cannot write: {exc.strerror}", path=path)) from None


@app.command()
def validate(
    plans: Annotated[list[Path], typer.Argument(help="Campaign plans (YAML).")],
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 2 on warnings too (a cron job that stops).")
    ] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse every export again.")] = False,
) -> None:
    """Check plans and the exports they name without pacing: the plan, every export on its own
    (detection, columns, numbers, dates), currencies and fx, channel matches, truth sources and
    each source's days. Lists every problem a report would hit; exit 2 when there is one.

    Example: perfmkt validate configs/demo.yaml
    """
    from perfmkt.check import check_plan, describe

    failed = False
    for plan in plans:
        result = check_plan(plan, cache=not no_cache)
        for line in describe(result):
            typer.echo(line)
        for warning in result.warnings:
            typer.echo(f"perfmkt: warning: {warning}", err=True)
        for problem in result.errors:
            typer.echo(f"perfmkt: error: {problem}", err=True)
        failed = failed or not result.ok or (strict and bool(result.warnings))
    if failed:
        raise typer.Exit(ExitCode.BAD_INPUT)


@app.command()
def inspect(
    files: Annotated[list[Path], typer.Argument(help="Export files (CSV/TSV, any platform).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    platform: Annotated[
        str | None, typer.Option(help="Force the reader instead of detecting it.")
    ] = None,
) -> None:
    """Show what perfmkt reads in export files: platform, level, rows, days, columns, totals.

    Example: perfmkt inspect sample_data/demo/google/*.csv
    """
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"{fmt!r}: choose table or json", param_hint="--format")
    from perfmkt.inspect import inspect_file
    from perfmkt.sources.base import ReadOptions

    failed = False
    results = []
    for path in files:
        try:
            results.append(inspect_file(path, ReadOptions(platform=platform)))
        except PerfmktError as err:
            typer.echo(f"perfmkt: error: {err}", err=True)
            failed = True
    if fmt == "json":
        import json

        from perfmkt.serialize import jsonable

        sys.stdout.write(json.dumps(jsonable(results), ensure_ascii=False, indent=2) + "\n")
    else:
        from perfmkt.render.terminal import inspect_panel

        console = _console()
        for result in results:
            console.print(inspect_panel(result))
    if failed:
        raise typer.Exit(ExitCode.BAD_INPUT)


@app.command()
def init(
    source: Annotated[
        Path, typer.Option("--from", help="Folder holding the exports to start from.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Plan file to write.")] = Path(
        "plan.yaml"
    ),
    force: Annotated[bool, typer.Option(help="Overwrite an existing plan file.")] = False,
) -> None:
    """Write a commented starter plan from the exports in a folder: flight from their dates,
    channels from their platforms and campaigns, targets from what they show so far.

    Example: perfmkt init --from sample_data/demo -o plans/demo.yaml
    """
    from datetime import date as _date

    from perfmkt.init import starter_plan

    if output.exists() and not force:
        raise _fail(PerfmktError("already exists", path=output, hint="use --force to replace it"))
    try:
        text = starter_plan(source, output.resolve().parent, _date.today())
    except PerfmktError as err:
        raise _fail(err) from None
    _write(output, text)
    typer.echo(f"wrote {output}: edit it, then run `perfmkt validate {output}`")


cache_app = typer.Typer(
    help="The cache of parsed exports: what it holds, and emptying it.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def cache_info() -> None:
    """Where the cache of parsed exports is, how many entries and bytes it holds, and when its
    entries were last used (entries unused for 30 days are pruned, at most once a day).

    Example: perfmkt cache info
    """
    from perfmkt.sources.cache import info

    try:
        found = info()
    except PerfmktError as err:
        raise _fail(err) from None
    extra = (
        f" (+{found.incomplete} incomplete file{'s' if found.incomplete > 1 else ''})"
        if found.incomplete
        else ""
    )
    lines = [
        ("folder", str(found.folder) + ("" if found.folder.is_dir() else " (not created yet)")),
        ("entries", f"{found.entries}{extra}"),
        ("size", _size(found.size)),
        ("oldest use", _when(found.oldest)),
        ("newest use", _when(found.newest)),
        ("pruned", _when(found.pruned)),
    ]
    for label, value in lines:
        typer.echo(f"{label:<11} {value}")


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove every cached export (waiting for runs that are reading or writing one); the next
    run parses its exports again.

    Example: perfmkt cache clear
    """
    from perfmkt.sources.cache import cache_dir, clear

    try:
        entries, freed = clear()
    except PerfmktError as err:
        raise _fail(err) from None
    plural = "entry" if entries == 1 else "entries"
    typer.echo(f"removed {entries} {plural} ({_size(freed)}) from {cache_dir()}")


def _size(count: int) -> str:
    """Bytes in the largest unit that keeps the figure under 1000 once rounded (999,950 bytes
    is "1.0 MB", not "1000.0 KB")."""
    if count < 1000:
        return "1 byte" if count == 1 else f"{count} bytes"
    size = count / 1000
    for unit in ("KB", "MB"):
        if round(size, 1) < 1000:
            return f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def _when(moment: Any) -> str:
    if moment is None:
        return "—"
    from datetime import datetime

    days = (datetime.now().date() - moment.date()).days  # calendar days: 23:00 is yesterday
    ago = "today" if days <= 0 else "1 day ago" if days == 1 else f"{days} days ago"
    return f"{moment:%Y-%m-%d %H:%M} ({ago})"


def main() -> None:
    """Console-script entry point: the one place an unexpected error becomes an exit code."""
    try:
        # "perfmkt" under `python -m perfmkt` too: in usage lines and the completion script
        app(prog_name="perfmkt")
    except Exception as exc:  # a traceback shown to a user is a bug; say so in one line
        if os.environ.get("PERFMKT_TRACEBACK"):
            raise
        from perfmkt.batch import crash_log

        typer.echo(
            f"perfmkt: unexpected error: {type(exc).__name__}: {exc} "
            f"(this is a bug: details in {crash_log(exc)}; please report it)",
            err=True,
        )
        sys.exit(ExitCode.UNEXPECTED)
