"""Reading a plan file: its text, its YAML, and where each key is, before any model sees it.

``read_plan`` turns a plan file into plain data and a map from key path to 1-based line
(``("timeline", 1, "orders") -> 12``), so every later problem can be reported as
``plan.yaml:12: timeline[1].orders: …``. On the way it refuses, each as one ``PlanError`` line
with the file and line, what PyYAML would load silently or slowly:

- a file over ``MAX_PLAN_BYTES``, or not UTF-8 (a UTF-8 BOM and CRLF line ends are fine);
- YAML syntax errors (tabs in indentation among them) and control characters;
- a tree of more than ``MAX_NODES`` values once aliases expand (a "billion laughs"), a
  recursive alias;
- a key written twice, a key that is not text (``1:``, ``2026-01-05:``, ``~:``);
- a date that does not exist or has an implausible year (``0026-01-05``), ``.inf``, ``.nan``
  and numbers over ``MAX_NUMBER_CHARS`` characters.

Pure parsing: what the keys mean is ``perfmkt.plan``'s business.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import yaml

from perfmkt.errors import PlanError

PLAUSIBLE_YEARS = range(2000, 2100)


def year_problem(year: int, written: str) -> str | None:
    """A campaign year outside 2000–2099 is a typo (``0026-01-05``, ``2206-01-05``)."""
    if year in PLAUSIBLE_YEARS:
        return None
    hint = f" (did you mean {2000 + year}?)" if year < 100 else ""
    return f"{written}: year {year:04d} is not a plausible campaign year{hint}"


# libyaml's loader when PyYAML has it: the plan loads several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Bounds that keep a broken or hostile plan file to one clear line, in bounded time and memory:
# a hand-written plan is a few KB and a few hundred YAML nodes.
MAX_PLAN_BYTES = 1_000_000
MAX_NODES = 100_000  # after expanding aliases: a "billion laughs" file is tiny but explodes
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_FLOAT = "tag:yaml.org,2002:float"
_INT = "tag:yaml.org,2002:int"
MAX_NUMBER_CHARS = 100  # a plan's largest number (a spend in VND) has about 15 digits
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_KEY_KINDS = {"int": "a number", "float": "a number", "bool": "a yes/no", "timestamp": "a date"}

Loc = tuple[Any, ...]


def read_plan(path: Path) -> tuple[dict[Loc, int], Any]:
    """(key path -> 1-based line, the plain data) of the plan file at ``path``; the data is
    None for an empty file."""
    return _parse(_read_text(path), path)


def _read_text(path: Path) -> str:
    """The plan's text; a file that is too large or not UTF-8 is one line naming where."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise PlanError(f"cannot read the plan: {exc.strerror}", path=path) from exc
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanError(
            f"the file is larger than {MAX_PLAN_BYTES:,} bytes (the limit falls on this line): "
            "not a plan",
            path=path,
            row=raw.count(b"\n", 0, MAX_PLAN_BYTES) + 1,
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanError("the plan is UTF-16, not UTF-8", path=path, row=1, hint="save it as UTF-8")
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line_start = raw.rfind(b"\n", 0, offset) + 1
        raise PlanError(
            f"not UTF-8: byte 0x{raw[offset]:02X} at offset {offset} "
            f"(column {offset - line_start + 1})",
            path=path,
            row=raw.count(b"\n", 0, offset) + 1,
            hint="save the plan as UTF-8",
        ) from None


def _parse(text: str, path: Path) -> tuple[dict[Loc, int], Any]:
    """(key path -> line, the plain data) of a plan's YAML text.

    The node tree is checked before anything walks it with aliases expanded (the line map,
    construction, pydantic): its expanded size is capped and a recursive alias refused. Then
    what PyYAML would silently accept is refused with its line: a key written twice (YAML
    keeps the last), a date that does not exist or has an implausible year (``0026-01-05``),
    ``.inf`` and ``.nan``.
    """
    loader = _LOADER(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise PlanError(
                f"not valid YAML: {exc.problem}", path=path, row=mark.line + 1 if mark else None
            ) from None
        except yaml.reader.ReaderError as exc:  # a control character, e.g. a NUL byte
            code = ord(exc.character) if isinstance(exc.character, str) else exc.character
            raise PlanError(
                f"not valid YAML: control character U+{code:04X} is not allowed",
                path=path,
                row=text.count("\n", 0, max(exc.position, 0)) + 1,
            ) from None
        except RecursionError:
            raise PlanError("not valid YAML: nested too deeply", path=path) from None
        if node is None:
            return {}, None
        _check_size(node, path)
        lines: dict[Loc, int] = {}
        problems: list[tuple[int, str]] = []
        for loc, item, line in _walk(node):
            lines.setdefault(loc, line)
            problems.extend(_node_problems(loc, item, line))
        if problems:
            raise_problems(path, problems)
        try:
            return lines, loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise PlanError(
                f"not valid YAML: {exc.problem}", path=path, row=mark.line + 1 if mark else None
            ) from None
        except (ValueError, OverflowError) as exc:  # a safety net: values are checked above
            raise PlanError(f"not a value a plan can hold: {exc}", path=path) from None
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_size(root: yaml.Node, path: Path) -> None:
    """Refuse a tree that is recursive or larger than ``MAX_NODES`` once aliases expand.

    Iterative, and each distinct node is sized once (aliases share nodes), so a billion laughs
    costs as much as its text.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_NODES:
                raise PlanError(
                    f"the plan has more than {MAX_NODES:,} YAML values (an alias *name "
                    "counting as what it repeats): not a plan",
                    path=path,
                    row=node.start_mark.line + 1,
                )
            continue
        if key in size:
            continue
        if key in open_nodes:  # reached again inside its own expansion
            raise PlanError(
                "an alias refers to the mapping or list it is in (a recursive alias)",
                path=path,
                row=node.start_mark.line + 1,
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))


def _walk(root: yaml.Node) -> Iterator[tuple[Loc, yaml.Node, int]]:
    """(key path, node, 1-based line) for every node, aliases expanded, in document order; a
    mapping value's line is its key's."""
    stack: list[tuple[Loc, yaml.Node, int]] = [((), root, root.start_mark.line + 1)]
    while stack:
        loc, node, line = stack.pop()
        yield loc, node, line
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                stack.append(((*loc, name), value, key.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            for i in range(len(node.value) - 1, -1, -1):
                item = node.value[i]
                stack.append(((*loc, i), item, item.start_mark.line + 1))


def _node_problems(loc: Loc, node: yaml.Node, line: int) -> list[tuple[int, str]]:
    where = f"{loc_text(loc)}: " if loc else ""
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        found = []
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                continue  # `<<: *defaults` may be overridden on purpose
            key_line = key.start_mark.line + 1
            if key.tag != _STR:  # every key of a plan is a name: not `1:`, `2026-01-05:`, `~:`
                kind = _KEY_KINDS.get(key.tag.rsplit(":", 1)[-1], "empty")
                found.append((key_line, f"{where}key {key.value!r} is {kind}, not a name"))
            elif key.value in first:
                found.append(
                    (
                        key_line,
                        f"{where}key {key.value!r} is written twice (first on line "
                        f"{first[key.value]}); YAML would silently keep only the last",
                    )
                )
            else:
                first[key.value] = key_line
        return found
    if not isinstance(node, yaml.ScalarNode):
        return []
    if node.tag == _FLOAT and node.value.lstrip("+-").lower() in (".inf", ".nan"):
        return [(line, f"{where}{node.value} is not a number a plan can use")]
    if node.tag in (_INT, _FLOAT) and len(node.value) > MAX_NUMBER_CHARS:
        return [
            (line, f"{where}a number {len(node.value):,} characters long is not one a plan can use")
        ]
    if node.tag == _TIMESTAMP:
        problem = _date_problem(node)
        return [(line, f"{where}{problem}")] if problem else []
    return []


def _date_problem(node: yaml.ScalarNode) -> str | None:
    """Why a YAML date or timestamp is no campaign day (2026-02-30, 0026-01-05), or None."""
    try:
        value = yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
    except ValueError as exc:
        return f"{node.value} is not a date: {exc}"
    return year_problem(value.year, node.value)


def loc_text(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    return next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 1)


def raise_problems(path: Path, problems: list[tuple[int, str]]) -> NoReturn:
    problems = list(dict.fromkeys(problems))  # a node reached through two aliases speaks once
    line, first = problems[0]
    more = f" (+{len(problems) - 1} more: run `perfmkt validate`)" if len(problems) > 1 else ""
    err = PlanError(first + more, path=path, row=line)
    err.problems = [f"{path}:{ln}: {msg}" for ln, msg in problems]
    raise err from None
