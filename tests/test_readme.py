"""README's commands are true: the opening two, and every `perfmkt` example it shows."""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
EXAMPLES = [
    line.split("#")[0].strip()
    for block in BLOCKS
    for line in block.splitlines()
    if line.startswith("perfmkt ")
]


def test_readme_opens_with_the_two_newcomer_commands() -> None:
    first, second = BLOCKS[0].strip(), BLOCKS[1].strip()
    assert first.endswith("pip install . && perfmkt report configs/demo.yaml")
    assert "pip install '.[test]'" in second and second.endswith("&& pytest")
    assert "ruff check ." in second


@pytest.mark.parametrize("command", EXAMPLES)
def test_readme_example_runs(command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    args: list[str] = []
    for word in shlex.split(command)[1:]:
        if args and args[-1] in ("-o", "--output"):
            args.append(str(tmp_path / word))  # examples write into a scratch folder
        elif "*" in word and "{" not in word:
            args.extend(sorted(glob.glob(word)))
        else:
            args.append(word)
    if "pdf" in args and shutil.which("chromium") is None and not os.environ.get("CI"):
        pytest.skip("no local chromium for the PDF example")
    # The example configs have KPIs off track on purpose: --fail-on makes that exit 1.
    run_cli(args, expect=1 if "--fail-on" in args else 0)


def test_readme_plan_example_is_a_valid_plan(tmp_path: Path) -> None:
    from perfmkt.plan import load_plan

    section = README[README.index("## The plan file") :]
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.S)
    assert example
    path = tmp_path / "plan.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    plan = load_plan(path)
    assert plan.channels["meta"].campaigns == "^TSTH \\|"
    assert plan.timeline[1].days(plan.flight)[0].isoformat() == "2026-01-19"
