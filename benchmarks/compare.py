"""Side-by-side race: this project vs jobify 0.14.0 (the reference) vs APScheduler 3.11.

Usage::

    python benchmarks/compare.py            # full sizes (a few minutes)
    python benchmarks/compare.py --quick    # tiny sizes, seconds
    python benchmarks/compare.py --only throughput-nostore,latency-sqlite --rounds 5
    python benchmarks/compare.py --only throughput-sqlite --impls this --disable otel
    python benchmarks/compare.py --only throughput-sqlite --impls this --variant history.toml

Every scenario runs in a fresh subprocess (``benchmarks/scenarios.py``) with the
implementation's own python: this project uses the python running this script
(``--this-python`` to change it); the reference and APScheduler get their own
virtualenvs under ``benchmarks/.venvs/``, created with pip when missing
(``--reference-python`` / ``--apscheduler-python`` point at existing ones).
Implementations alternate round by round; the table shows medians and the
ratio this project / reference.

This project runs as ``pip install jobify`` and its default plugins give it:
the contrib distributions that observe every job (``CONTRIB``: jobify-otel's
telemetry), installed in the development venv, are disabled (a
``jobify.toml`` with ``[jobify.plugins] disable``), as 0.14 has nothing like
them. ``--contrib`` loads them too, as an app that installed them does.

``--disable NAME[,NAME]`` also races this project with those plugin
distributions disabled, as ``this-disabled``: the ratio ``this /
this-disabled`` is what the plugins cost (e.g. ``--contrib --disable otel``
for jobify-otel's observers). ``--variant FILE`` races this project also with
``JOBIFY_CONFIG=FILE`` (e.g. a file with ``[jobify.history]``), in the same
columns: what the setting costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIOS_PY = HERE / "scenarios.py"
VENVS = HERE / ".venvs"
REQUIREMENTS = {"reference": "jobify==0.14.0", "apscheduler": "apscheduler>=3.11,<3.12"}
KIND = {
    "this": "jobify", "this-disabled": "jobify", "reference": "jobify", "apscheduler": "apscheduler"
}  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    """One race: ``scenario`` of scenarios.py with full and quick parameters."""

    id: str
    scenario: str
    full: dict[str, Any]
    quick: dict[str, Any]
    metrics: tuple[str, ...]  # reported, in order; "jobs_per_s"-like names are higher-better
    aps: bool = False  # APScheduler has an equivalent
    timeout: float = 300.0
    extra: dict[str, Any] = field(default_factory=dict)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("latency-nostore", "latency", {"n": 2_000}, {"n": 20}, ("latency_us",)),
    Scenario(
        "throughput-nostore", "throughput", {"n": 10_000}, {"n": 50}, ("jobs_per_s",), aps=True
    ),
    Scenario(
        "latency-sqlite",
        "latency",
        {"n": 1_000, "storage": "sqlite"},
        {"n": 10, "storage": "sqlite"},
        ("latency_us",),
    ),
    Scenario(
        "throughput-sqlite",
        "throughput",
        {"n": 10_000, "storage": "sqlite"},
        {"n": 50, "storage": "sqlite"},
        ("jobs_per_s",),
    ),
    Scenario("sync-thread", "sync_thread", {"n": 2_000}, {"n": 20}, ("jobs_per_s",), aps=True),
    Scenario(
        "pending-delay-3600",
        "pending",
        {"n": 100_000},
        {"n": 200},
        ("schedule_s", "bytes_per_job"),
        aps=True,
    ),
    Scenario(
        "timer-lateness",
        "lateness",
        {"n": 300, "span": 1.5},
        {"n": 10, "span": 0.1},
        ("p50_ms", "p99_ms"),
        aps=True,
    ),
    Scenario(
        "idle-cpu-1000-pending",
        "idle_cpu",
        {"n": 1_000, "seconds": 3.0},
        {"n": 10, "seconds": 0.1},
        ("cpu_ms_per_s",),
        aps=True,
    ),
    Scenario(
        "durable-delay-awaited",
        "schedule_awaited",
        {"n": 5_000, "storage": "sqlite"},
        {"n": 20, "storage": "sqlite"},
        ("jobs_per_s",),
    ),
    Scenario("restore-5k", "restore", {"n": 5_000}, {"n": 30}, ("startup_s",)),
    Scenario("restore-10k", "restore", {"n": 10_000}, {"n": 30}, ("startup_s",)),
    Scenario("restore-100k", "restore", {"n": 100_000}, {}, ("startup_s",), timeout=900),
    Scenario(
        "cron-200-every-second",
        "cron",
        {"n": 200, "seconds": 4.0},
        {"n": 5, "seconds": 1.1},
        ("runs", "cpu_s", "cpu_ms_per_run"),
        aps=True,
    ),
    Scenario(
        "cron-200-sqlite-same-expression",
        "cron",
        {"n": 200, "seconds": 4.0, "storage": "sqlite"},
        {"n": 5, "seconds": 1.1, "storage": "sqlite"},
        ("runs", "cpu_s", "cpu_ms_per_run"),
    ),
    Scenario(
        "cron-200-sqlite-distinct-expressions",
        "cron",
        {"n": 200, "seconds": 4.0, "storage": "sqlite", "distinct": True},
        {"n": 5, "seconds": 1.1, "storage": "sqlite", "distinct": True},
        ("runs", "cpu_s", "cpu_ms_per_run"),
    ),
)
HIGHER_IS_BETTER = {"jobs_per_s", "runs"}
CONTRIB = ["otel"]
"""Plugin distributions outside a default install that add work to every job."""


def run_scenario(
    python: str,
    impl: str,
    scenario: str,
    params: dict[str, Any],
    timeout: float = 300.0,
    config: str = "",
) -> dict[str, float]:
    """Run one scenario in a fresh ``python`` process; return its metrics.

    ``config``: the ``jobify.toml`` this project reads (``$JOBIFY_CONFIG``); none by default.
    """
    with tempfile.TemporaryDirectory(prefix="jobify-race-cwd-") as cwd:
        proc = subprocess.run(
            [python, str(SCENARIOS_PY), KIND[impl], scenario, json.dumps(params)],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "JOBIFY_CONFIG": config, "PYTHONHASHSEED": "0"},
        )
    if proc.returncode != 0:
        msg = f"{impl} {scenario} {params} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        raise RuntimeError(msg)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def ensure_venv(name: str) -> str:
    """The python of ``benchmarks/.venvs/NAME``, created with pip when missing."""
    venv = VENVS / name
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} ({REQUIREMENTS[name]}) ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", REQUIREMENTS[name]], check=True
        )
    return str(python)


def _fmt(value: float) -> str:
    if value != value:  # nan
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def disabling_config(
    directory: Path, plugins: list[str], name: str = "jobify-disabled.toml", base: str = ""
) -> str:
    """Write a ``jobify.toml`` (``base``'s text, if given) that disables ``plugins``."""
    path = directory / name
    text = Path(base).read_text() if base else ""
    if plugins:
        if "[jobify.plugins]" in text:
            msg = f"{base} has a [jobify.plugins] table; add {plugins} to its disable list"
            raise SystemExit(msg)
        text += f"\n[jobify.plugins]\ndisable = {json.dumps(plugins)}\n"
    path.write_text(text)
    return str(path)


def race(
    pythons: dict[str, str],
    scenarios: list[Scenario],
    rounds: int,
    quick: bool,
    log: Any = sys.stderr,
    disable: list[str] | None = None,
    variant: str | None = None,
    contrib: bool = False,
) -> list[dict[str, Any]]:
    """Run every scenario ``rounds`` times per implementation, alternating; return rows.

    ``disable``: also run this project as ``this-disabled``, with these plugins disabled;
    ``variant``: the same column, with this config file instead. ``contrib``: load the
    ``CONTRIB`` distributions in this project's runs (else they are disabled).
    """
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="jobify-race-") as tmp:
        configs: dict[str, str] = {}
        off = [] if contrib else CONTRIB
        if off:
            configs["this"] = disabling_config(Path(tmp), off, "jobify-default.toml")
        if (disable or variant) and "this" in pythons:
            pythons = {"this": pythons["this"], "this-disabled": pythons["this"], **pythons}
            configs["this-disabled"] = disabling_config(
                Path(tmp), sorted({*off, *(disable or [])}), base=variant or ""
            )
        for sc in scenarios:
            params = sc.quick if quick else sc.full
            if not params:
                continue
            impls = [i for i in pythons if i != "apscheduler" or sc.aps]
            samples: dict[str, list[dict[str, float]]] = {i: [] for i in impls}
            for r in range(rounds):
                order = impls[r % len(impls) :] + impls[: r % len(impls)]
                for impl in order:
                    p = dict(params)
                    if sc.scenario == "restore":
                        p["db"] = str(Path(tmp) / f"{impl}-{p['n']}.db")
                    t = time.perf_counter()
                    samples[impl].append(
                        run_scenario(
                            pythons[impl], impl, sc.scenario, p, sc.timeout, configs.get(impl, "")
                        )
                    )
                    print(
                        f"  {sc.id} round {r + 1} {impl}: {samples[impl][-1]} "
                        f"({time.perf_counter() - t:.1f}s)",
                        file=log,
                        flush=True,
                    )
            for metric in sc.metrics:
                row: dict[str, Any] = {"scenario": sc.id, "metric": metric, "params": params}
                for impl in impls:
                    row[impl] = statistics.median(s[metric] for s in samples[impl])
                if "this" in row and "reference" in row and row["reference"]:
                    row["ratio"] = row["this"] / row["reference"]
                if "this" in row and row.get("this-disabled"):
                    row["plugins_ratio"] = row["this"] / row["this-disabled"]
                rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table of medians and ratios (with ``this-disabled`` columns when it ran)."""
    disabled = any("this-disabled" in row for row in rows)
    head = "| scenario | metric | this |"
    rule = "|---|---|---:|"
    if disabled:
        head += " this, variant | this/variant |"
        rule += "---:|---:|"
    out = [head + " reference | this/ref | APScheduler 3.11 |", rule + "---:|---:|---:|"]
    for row in rows:
        better = "higher" if row["metric"] in HIGHER_IS_BETTER else "lower"
        ratio = f"{row['ratio']:.2f}x" if "ratio" in row else "-"
        cells = [_fmt(row[k]) if k in row else "-" for k in ("this", "reference", "apscheduler")]
        line = f"| {row['scenario']} | {row['metric']} ({better} is better) | {cells[0]} |"
        if disabled:
            off = _fmt(row["this-disabled"]) if "this-disabled" in row else "-"
            plugins = f"{row['plugins_ratio']:.2f}x" if "plugins_ratio" in row else "-"
            line += f" {off} | {plugins} |"
        out.append(f"{line} {cells[1]} | {ratio} | {cells[2]} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 3, quick 1)")
    parser.add_argument("--only", default="", help="comma-separated scenario ids")
    parser.add_argument("--impls", default="this,reference,apscheduler")
    parser.add_argument("--this-python", default=sys.executable)
    parser.add_argument("--reference-python", default=None)
    parser.add_argument("--apscheduler-python", default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--disable",
        default="",
        help="comma-separated plugin names: also race this project with them disabled",
    )
    parser.add_argument(
        "--contrib",
        action="store_true",
        help=f"load the contrib plugins that observe every job ({', '.join(CONTRIB)}) too",
    )
    parser.add_argument(
        "--variant",
        type=Path,
        default=None,
        help="a jobify.toml: also race this project with it (instead of --disable)",
    )
    args = parser.parse_args(argv)
    if args.variant is not None and args.disable:
        parser.error(
            "--variant and --disable both fill the second column of this project; pick one"
        )
    variant = None if args.variant is None else str(args.variant.resolve())

    wanted = [i for i in args.impls.split(",") if i]
    pythons: dict[str, str] = {}
    for impl in wanted:
        given = getattr(args, f"{impl}_python")
        pythons[impl] = given or ensure_venv(impl)
    only = {s for s in args.only.split(",") if s}
    scenarios = [s for s in SCENARIOS if not only or s.id in only]
    rounds = args.rounds or (1 if args.quick else 3)
    started = time.perf_counter()
    disable = [name for name in args.disable.split(",") if name]
    rows = race(
        pythons, scenarios, rounds, args.quick, disable=disable, variant=variant,
        contrib=args.contrib,
    )  # fmt: skip
    print(table(rows))
    print(
        f"\n{rounds} round(s), {time.perf_counter() - started:.0f}s; medians; "
        f"ratio = this / reference."
        + ("" if args.contrib else f" This project without {', '.join(CONTRIB)} (--contrib).")
        + (f" 'this, variant': [jobify.plugins] disable = {disable}." if disable else "")
        + (f" 'this, variant': JOBIFY_CONFIG={variant}." if variant else "")
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
