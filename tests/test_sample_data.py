"""The sample exports are what the generators in the repo write, and every example plan in
configs/ produces a report from them."""

from __future__ import annotations

import importlib.util
import json
import types
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

GENERATORS = {
    "generate_demo.py": ["demo"],
    "generate_examples.py": ["leadgen", "branding"],
}


def _load(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name[:-3], ROOT / "sample_data" / name)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", sorted(GENERATORS))
def test_generator_reproduces_the_committed_files(script: str, tmp_path: Path) -> None:
    module = _load(script)
    if script == "generate_demo.py":
        module.main(tmp_path / "demo")
    else:
        module.main(tmp_path)
    for folder in GENERATORS[script]:
        committed = ROOT / "sample_data" / folder
        written = sorted(
            p.relative_to(tmp_path / folder) for p in (tmp_path / folder).rglob("*.csv")
        )
        assert written == sorted(p.relative_to(committed) for p in committed.rglob("*.csv"))
        for name in written:
            assert (tmp_path / folder / name).read_bytes() == (committed / name).read_bytes(), name


@pytest.mark.parametrize("config", sorted(p.name for p in (ROOT / "configs").glob("*.yaml")))
def test_every_example_config_reports(config: str) -> None:
    run_cli(["validate", ROOT / "configs" / config])
    result = json.loads(run_cli(["report", ROOT / "configs" / config, "-f", "json"])[0])
    assert result["flight"]["days_elapsed"] > 0
    assert all(k["actual_to_date"] is not None for k in result["kpis"])


def test_one_example_per_objective() -> None:
    import yaml

    objectives = {
        yaml.safe_load(p.read_text(encoding="utf-8"))["objective"]
        for p in (ROOT / "configs").glob("*.yaml")
    }
    assert objectives == {"ecommerce", "leadgen", "branding"}
