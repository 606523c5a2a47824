"""Time an agency's morning: one ``perfmkt report`` over many client plans into one folder.

    python benchmarks/batch.py [--plans 200] [--jobs 1 2 0] [--formats html,json] [--data DIR]

Generates ``--plans`` client plans, each with exports of its own (the three example plans'
shapes in turn: the e-commerce demo, lead generation with a CRM export, branding; their
campaigns renamed per client, so every export's bytes differ and each is parsed on its own),
then runs ``perfmkt report plans/*.yaml -f FORMATS -o out -q --jobs N`` in a fresh process for
each ``--jobs`` (0: the default, the number of CPUs), first with an empty export cache, then
again with the cache the first run filled (the daily rerun, when most exports are old). Each
run writes a fresh output folder; the outputs of every run must be byte for byte those of the
first. Reported: wall time, wall time per plan, CPU seconds per plan (all processes), the
largest single process's peak memory and the whole process tree's peak (Linux, sampled every
50 ms: the parent and its workers together).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from run import measure  # this folder is the script's: on sys.path

ROOT = Path(__file__).resolve().parent.parent
SHAPES = {  # config, its exports folder, the campaign prefixes its regexes and exports use
    "demo": ("configs/demo.yaml", "sample_data/demo", ("TSTH",)),
    "leadgen": ("configs/leadgen.yaml", "sample_data/leadgen", ("SM",)),
    "branding": ("configs/branding.yaml", "sample_data/branding", ("TSTH",)),
}


def generate(folder: Path, plans: int) -> list[Path]:
    """``plans`` plans in ``folder/plans``, client ``c001``'s exports in ``plans/exports/c001``."""
    made = []
    for number in range(1, plans + 1):
        shape = list(SHAPES)[(number - 1) % len(SHAPES)]
        config, exports, prefixes = SHAPES[shape]
        client = f"c{number:03d}"
        prefix = f"C{number:03d}"
        text = (ROOT / config).read_text(encoding="utf-8")
        text = re.sub(r"(?m)^client: .*$", f"client: Client {number:03d}", text)
        text = text.replace(f"../{exports}/", f"exports/{client}/")
        for old in prefixes:
            text = text.replace(f'"^{old}', f'"^{prefix}')
        target = folder / "plans" / "exports" / client
        for source in sorted((ROOT / exports).rglob("*.csv")):
            data = source.read_bytes()
            for old in prefixes:  # campaign names, in UTF-8 and UTF-16 exports alike
                for encoding in ("utf-8", "utf-16-le"):
                    for tail in ("_", " |"):
                        data = data.replace(
                            (old + tail).encode(encoding), (prefix + tail).encode(encoding)
                        )
            copy = target / source.relative_to(ROOT / exports)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            stat = source.stat()
            os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # download order
        plan = folder / "plans" / f"{client}.yaml"
        plan.write_text(text, encoding="utf-8")
        made.append(plan)
    return made


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 0])
    parser.add_argument("--formats", default="html,json")
    parser.add_argument("--data", type=Path, default=None, help="keep the plans here")
    args = parser.parse_args()
    folder = args.data or Path(tempfile.mkdtemp(prefix="perfmkt-batch-"))
    try:
        plans = generate(folder, args.plans)
        print(f"{len(plans)} plans, {len(list(folder.rglob('*.csv')))} exports in {folder}")
        print(f"{'jobs':>4} {'cache':>5} {'wall':>8} {'per plan':>9} {'cpu/plan':>9} "
              f"{'largest':>8} {'all procs':>9}")  # fmt: skip
        first: dict[str, bytes] | None = None
        for jobs in args.jobs:
            cache = folder / f"cache-{jobs}"
            for state in ("cold", "warm"):
                out = folder / f"out-{jobs}-{state}"
                env = {**os.environ, "PERFMKT_CACHE_DIR": str(cache)}
                env["PERFMKT_LOG_DIR"] = str(folder / "logs")
                command = [sys.executable, "-m", "perfmkt", "report", *map(str, plans)]
                command += ["-f", args.formats, "-o", str(out), "-q"]
                command += ["--jobs", str(jobs)] if jobs else []
                try:
                    result = measure(command, env, tree=True)
                except RuntimeError as failed:
                    sys.exit(str(failed))
                files = tree_bytes(out)
                first = first or files
                same = "" if files == first else "  OUTPUT DIFFERS from the first run"
                print(
                    f"{jobs or 'cpus':>4} {state:>5} {result['wall']:>7.1f}s "
                    f"{result['wall'] / len(plans) * 1000:>7.0f}ms "
                    f"{result['cpu'] / len(plans) * 1000:>7.0f}ms "
                    f"{result['largest'] / 1e6:>6.0f}MB {result['tree'] / 1e6:>7.0f}MB{same}",
                    flush=True,
                )
                shutil.rmtree(out)
    finally:
        if args.data is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
