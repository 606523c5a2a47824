"""The demo exports are what the generator in the repo writes: anyone can regenerate them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import ROOT


def test_generator_reproduces_the_committed_demo(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_demo", ROOT / "sample_data" / "generate_demo.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    committed = ROOT / "sample_data" / "demo"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    assert written == sorted(p.relative_to(committed) for p in committed.rglob("*.csv"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
