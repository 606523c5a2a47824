"""Small building blocks for SVG charts drawn as text: escaping, linear scales, nice ticks,
path data, text width estimates and element helpers. Pure functions of their arguments, no
plotting library: an HTML report's charts cost milliseconds, not a matplotlib import."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Escapes for text and attribute values alike (quotes included: campaign names are untrusted).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
# Characters XML 1.0 forbids even escaped (control characters from a mangled export).
_FORBIDDEN = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def esc(text: object) -> str:
    """``text`` safe inside SVG/XML text and double- or single-quoted attributes."""
    return str(text).translate(_FORBIDDEN).translate(_ESCAPES)


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zero ("12", "12.5", "-3")."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def attrs(values: dict[str, object]) -> str:
    """`` key="value"`` pairs, escaped; None values left out; ``_`` in keys written as ``-``
    (``stroke_width`` -> ``stroke-width``); floats as coordinates."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        text = num(value) if isinstance(value, float) else esc(value)
        out.append(f' {key.rstrip("_").replace("_", "-")}="{text}"')
    return "".join(out)


def tag(name: str, content: str | None = None, **values: object) -> str:
    """One element; ``content`` is markup already (escape text with ``esc`` first)."""
    if content is None:
        return f"<{name}{attrs(values)}/>"
    return f"<{name}{attrs(values)}>{content}</{name}>"


def text(x: float, y: float, words: str, **values: object) -> str:
    """A ``<text>`` element holding escaped ``words``."""
    return tag("text", esc(words), x=float(x), y=float(y), **values)


@dataclass(frozen=True)
class Linear:
    """Maps ``domain`` onto ``range_`` linearly (a zero-width domain maps to the range's
    start, so one point or all-equal values still draw)."""

    domain: tuple[float, float]
    range_: tuple[float, float]

    def __call__(self, value: float) -> float:
        d0, d1 = self.domain
        r0, r1 = self.range_
        if d1 == d0:
            return r0
        return r0 + (value - d0) / (d1 - d0) * (r1 - r0)


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about ``count`` intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10.0 * power


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low..high`` (0 included when the range holds it): the
    first at or below ``low``, the last at or above ``high``. An empty range (all zero) gives
    ``[0, 1]`` so an axis still has a scale."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high < low:
        low, high = high, low
    if high == low:
        if high == 0:
            return [0.0, 1.0]
        low, high = min(0.0, low), max(0.0, high)
    step = nice_step(high - low, count)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    # Whole multiples of the step, rounded so 0.1 + 0.2 noise never reaches a label.
    digits = max(0, -math.floor(math.log10(step)) + 2)
    return [round(i * step, digits) + 0.0 for i in range(first, last + 1)]


def path(points: Iterable[tuple[float, float] | None]) -> str:
    """Path data through ``points``; a None breaks the line (a gap, not a drop to zero)."""
    parts: list[str] = []
    pen_up = True
    for point in points:
        if point is None:
            pen_up = True
            continue
        x, y = point
        parts.append(f"{'M' if pen_up else 'L'}{num(x)} {num(y)}")
        pen_up = False
    return "".join(parts)


def steps(edges: Sequence[float], values: Sequence[float | None]) -> str:
    """Path data of a step line: ``values[i]`` held flat from ``edges[i]`` to ``edges[i + 1]``
    (``len(edges) == len(values) + 1``), vertical risers between; None leaves a gap."""
    parts: list[str] = []
    previous: float | None = None
    for i, value in enumerate(values):
        if value is None:
            previous = None
            continue
        if previous is None:
            parts.append(f"M{num(edges[i])} {num(value)}")
        elif previous != value:
            parts.append(f"V{num(value)}")
        parts.append(f"H{num(edges[i + 1])}")
        previous = value
    return "".join(parts)


# Advance widths in em of a common sans-serif (Arial/Helvetica metrics, rounded): enough to lay
# out legends and labels without a font file. Accents do not change a letter's width.
_NARROW = set("iljI.,:;'|!·()[] ") | {"\u00a0"}
_WIDE = set("mwMW@%")
_DIGITS = set("0123456789$₫€£")


def text_width(words: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width of ``words`` at font ``size`` (px), a little generous."""
    total = 0.0
    for char in unicodedata.normalize("NFD", words):
        if unicodedata.combining(char):
            continue
        if char in _NARROW:
            total += 0.30
        elif char in _WIDE:
            total += 0.86
        elif char in _DIGITS:
            total += 0.56
        elif char.isupper():
            total += 0.68
        else:
            total += 0.54
    return total * size * (1.08 if bold else 1.0) * 1.04


def fit(words: str, size: float, width: float, bold: bool = False) -> str:
    """``words`` cut with an ellipsis so its estimated width stays within ``width``."""
    if text_width(words, size, bold) <= width:
        return words
    cut = words
    while cut and text_width(cut + "…", size, bold) > width:
        cut = cut[:-1]
    return cut.rstrip() + "…" if cut else ""


def wrap(words: str, size: float, width: float, bold: bool = False, lines: int = 2) -> list[str]:
    """``words`` broken at spaces into at most ``lines`` lines of estimated width within
    ``width``; what does not fit on the last line is cut with an ellipsis."""
    out: list[str] = []
    rest = words.split()
    while rest and len(out) < lines - 1:
        line = rest.pop(0)
        while rest and text_width(f"{line} {rest[0]}", size, bold) <= width:
            line = f"{line} {rest.pop(0)}"
        if text_width(line, size, bold) > width:  # one word too long for a line
            rest.insert(0, line)
            break
        out.append(line)
    if rest or not out:
        out.append(fit(" ".join(rest), size, width, bold))
    return out


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def document(
    prefix: str, width: int, height: int, title: str, desc: str, body: str, font: str
) -> str:
    """A standalone inline ``<svg>``: scales to its container's width (height follows the
    viewBox), named for assistive technology by its ``<title>`` and ``<desc>`` (ids made from
    ``prefix``, which must be unique in the page)."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="{esc(font)}" '
        f'style="display:block;width:100%;height:auto;max-width:100%">'
    )
    return (
        f'{head}<title id="{prefix}-title">{esc(title)}</title>'
        f'<desc id="{prefix}-desc">{esc(desc)}</desc>{body}</svg>'
    )
