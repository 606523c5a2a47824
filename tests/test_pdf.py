"""The PDF a client receives: printed by real Chromium, read back with poppler's pdftotext.

Every page carries the running header (client — campaign, as-of, the agency when set) and
"page N / M" with the right N and M; untrusted names print literally; a white-labelled report
never names perfmkt; no page but the last is left half empty."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from perfmkt.render.pdf import chromium
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.skipif(chromium() is None, reason="PDF printing needs Chromium")

DEMO = ROOT / "configs" / "demo.yaml"
MM = 72 / 25.4  # PDF points per millimetre


def pdftotext(*args: str) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "reading the PDF back needs pdftotext (Debian: apt-get install poppler-utils)"
    done = subprocess.run([tool, *args], capture_output=True, text=True, check=True)
    return done.stdout


def page_count(pdf: Path) -> int:
    # "Pages" from the document's page tree, counted by poppler itself
    return len(re.findall(r"<page ", pdftotext("-bbox", str(pdf), "-")))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, page by page, lines joined with single spaces."""
    return [
        " ".join(pdftotext("-f", str(n), "-l", str(n), str(pdf), "-").split())
        for n in range(1, page_count(pdf) + 1)
    ]


PageWords = tuple[float, float, list[tuple[float, float, float, float]]]


def page_words(pdf: Path) -> list[PageWords]:
    """Per page: its width and height, and each word's box (x0, y0, x1, y1) in points."""
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    tree = ET.fromstring(pdftotext("-bbox", str(pdf), "-"))
    return [
        (
            float(page.get("width", 0)),
            float(page.get("height", 0)),
            [
                tuple(float(w.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))
                for w in page.iterfind("x:word", ns)
            ],
        )
        for page in tree.iterfind(".//x:page", ns)
    ]


def lowest_body_text(pdf: Path) -> list[float]:
    """Per page, how far down the page's content area its lowest word reaches (0 top, 1 bottom),
    not counting the page frame (the header and footer margin boxes)."""
    reach = []
    for _, height, words in page_words(pdf):
        top, bottom = 17 * MM, height - 15 * MM  # the @page margins in print.css
        body = [y1 for _, _, _, y1 in words if top < y1 < bottom]
        reach.append((max(body, default=top) - top) / (bottom - top))
    return reach


def test_a_long_table_repeats_its_header_and_never_splits_a_row(tmp_path: Path) -> None:
    """A table several pages long (rows of seven lines) inside the demo report (its styles
    and print rules): every page it reaches starts with its header row, and each row's first
    and last lines share a page."""
    from perfmkt.render.documents import render
    from perfmkt.render.pdf import html_to_pdf
    from perfmkt.report import report_from_plan_file

    rows = "".join(
        f"<tr><td>row {n} top{'<br>·' * 5}<br>row {n} end</td><td>{n * 1000}</td></tr>"
        for n in range(1, 41)
    )
    table = (
        '<section id="long"><h2>Long table</h2><div class="table-wrap"><table><thead>'
        f"<tr><th>Head A</th><th>Head B</th></tr></thead><tbody>{rows}</tbody></table></div>"
        "</section></main>"
    )
    html = render(report_from_plan_file(DEMO), "html").replace("</main>", table, 1)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(html_to_pdf(html))
    pages = page_texts(pdf)
    holding = [i for i, text in enumerate(pages) if re.search(r"row \d+ (top|end)", text)]
    assert len(holding) >= 3  # the table really runs over several pages
    for i in holding:
        assert "Head A Head B" in pages[i], f"page {i + 1} has rows without the header"
    for n in range(1, 41):
        top = [i for i, text in enumerate(pages) if f"row {n} top" in text]
        end = [i for i, text in enumerate(pages) if f"row {n} end" in text]
        assert top == end and len(top) == 1, f"row {n} split: pages {top} and {end}"


def demo_copy(tmp_path: Path, replace: dict[str, str]) -> Path:
    """The demo plan with its exports found from tmp_path and some lines replaced."""
    text = DEMO.read_text().replace("../sample_data/", f"{ROOT / 'sample_data'}/")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    return plan


def render_pdf(plan: Path, out: Path, *args: str) -> Path:
    run_cli(["report", plan, "-f", "pdf", "-o", out, "-q", *args])
    assert out.read_bytes().startswith(b"%PDF-")
    return out


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_pdf(DEMO, tmp_path_factory.mktemp("pdf") / "demo.pdf")


def test_every_page_has_the_running_header_and_page_n_of_m(demo_pdf: Path) -> None:
    pages = page_texts(demo_pdf)
    # the demo: header, five KPI cards, alerts, charts, costs, week-over-week, weekly, daily,
    # channels, notes — three to ten A4 pages, not one long strip and not a page per table
    assert 3 <= len(pages) <= 10
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert "Trà Sen Tây Hồ — Tết 2026 – Hộp quà" in text, f"page {number}"
        assert "Số liệu đến ngày 03/02/2026" in text, f"page {number}"
        # Vietnamese report: "trang N / M", once per page and with this page's number
        assert re.findall(r"trang \d+ / \d+", text) == [f"trang {number} / {total}"]


def test_no_page_but_the_last_is_half_empty(demo_pdf: Path) -> None:
    reach = lowest_body_text(demo_pdf)
    assert all(r > 0.5 for r in reach[:-1]), [round(r, 2) for r in reach]


def test_the_first_page_holds_every_card_with_its_chance(demo_pdf: Path) -> None:
    """The answer and the whole scorecard on page 1: each KPI's card with its chance to hit (the
    cards print their chance small enough that the scorecard still fits under the summary)."""
    first = page_texts(demo_pdf)[0]
    assert "Chỉ số chính, tính đến nay" in first
    chances = re.findall(r"Khả năng (?:đạt|đúng ngân sách): [<>]? ?\d+%", first)
    assert len(chances) == 5, chances


def test_nothing_runs_off_the_page(demo_pdf: Path) -> None:
    """Every word of the body inside the page's 12 mm side margins: no table or chart is wider
    than A4 (its words would be cut off or overprint the margin)."""
    for number, (width, height, words) in enumerate(page_words(demo_pdf), start=1):
        body = [(x0, x1) for x0, y0, x1, y1 in words if 17 * MM < y1 < height - 15 * MM]
        assert body, f"page {number} has no body text"
        assert min(x0 for x0, _ in body) >= 12 * MM, f"page {number}"
        assert max(x1 for _, x1 in body) <= width - 12 * MM, f"page {number}"


@pytest.mark.parametrize(
    ("lang", "page", "as_of"),
    [("en", "page", "As of 3 Feb 2026"), ("vi", "trang", "Số liệu đến ngày 03/02/2026")],
)
def test_white_labelled_pdf_with_hostile_names(
    tmp_path: Path, lang: str, page: str, as_of: str
) -> None:
    """Quotes, a backslash and </style> in the names print as written (a name that closed the
    style element would spill CSS text into the page, or end the page frame's string); the
    agency is in the header and perfmkt nowhere, in either language."""
    client = 'Trà "Sen" </style><b>x</b> \\ Tây'
    plan = demo_copy(
        tmp_path,
        {
            "client: Trà Sen Tây Hồ": f"client: '{client}'",
            "costs:": "branding: {agency: 'Lotus & Partners'}\ncosts:",
        },
    )
    pdf = render_pdf(plan, tmp_path / "white.pdf", "--lang", lang)
    pages = page_texts(pdf)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"{client} — Tết 2026 – Hộp quà" in text, f"page {number}"
        assert f"Lotus & Partners · {as_of}" in text, f"page {number}"
        assert re.findall(rf"{page} \d+ / \d+", text) == [f"{page} {number} / {total}"]
        assert "{" not in text and "content:" not in text  # no CSS spilled into the page
        assert "perfmkt" not in text.lower(), f"page {number}"
    info = pdf.read_bytes()  # the document information (title, creator) is not compressed
    assert b"perfmkt" not in info.lower()
