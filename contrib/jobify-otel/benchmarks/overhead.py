"""What jobify-otel costs per job: the plugin disabled, installed without an SDK, with the SDK.

Usage (from the repository root, with the dev virtualenv)::

    .venv/bin/python contrib/jobify-otel/benchmarks/overhead.py [--jobs 20000] [--rounds 5]

Each mode runs ``--jobs`` no-op async jobs (push, run, done; storage off, as
``benchmarks/compare.py``'s throughput-nostore) in a fresh process, modes
alternating round by round; the table shows the median of the rounds:

- ``disabled``: ``[jobify.plugins] disable = ["otel"]``: the kernel calls nothing;
- ``no SDK``: installed, no OpenTelemetry SDK configured (the API's no-op
  providers): metrics go to no-op instruments, no span is made;
- ``Prometheus``: no SDK, ``[jobify.metrics] listen`` serving: only the
  Prometheus registry records;
- ``SDK``: a ``TracerProvider`` with a ``BatchSpanProcessor`` (to an exporter
  that drops spans) and a ``MeterProvider`` with a reader: every run is a
  recorded span, every measurement is aggregated;
- ``SDK + Prometheus``: the same, and ``[jobify.metrics] listen`` serving.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MODES = {
    "disabled": '[jobify.plugins]\ndisable = ["otel"]\n',
    "no SDK": "[jobify]\n",
    "Prometheus": '[jobify.metrics]\nlisten = "127.0.0.1:0"\n',
    "SDK": "[jobify]\n",
    "SDK + Prometheus": '[jobify.metrics]\nlisten = "127.0.0.1:0"\n',
}

CHILD = r"""
import asyncio, json, sys, time

sdk = sys.argv[2] == "1"
if sdk:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Drop(SpanExporter):
        def export(self, spans):
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Drop()))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))

from jobify import Jobify

async def main(n):
    app = Jobify(storage=False)

    @app.task
    async def noop(x: int) -> int:
        return x

    async with app:
        await asyncio.gather(*(noop.push(i) for i in range(200)))  # warm-up
        await app.wait_all()
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(noop.push(i) for i in range(n)))
        await app.wait_all()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"jobs_per_s": n / wall, "cpu_us_per_job": cpu / n * 1e6}

print(json.dumps(asyncio.run(main(int(sys.argv[1])))))
"""


def run(mode: str, jobs: int, work: Path) -> dict[str, float]:
    """Run ``jobs`` jobs in ``mode`` in a fresh process; return its figures."""
    config = work / f"{mode.replace(' ', '_').replace('+', '')}.toml"
    config.write_text(MODES[mode])
    env = {**os.environ, "JOBIFY_CONFIG": str(config)}
    sdk = "1" if mode.startswith("SDK") else "0"
    proc = subprocess.run(  # noqa: S603 - this python, this script's own code
        [sys.executable, "-c", CHILD, str(jobs), sdk],
        capture_output=True, text=True, env=env, cwd=work, check=True, timeout=600,
    )  # fmt: skip
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Race the modes; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="jobify-otel-cost-") as tmp:
        for r in range(args.rounds):
            order = list(MODES)[r % len(MODES) :] + list(MODES)[: r % len(MODES)]
            for mode in order:
                samples[mode].append(run(mode, args.jobs, Path(tmp)))
                print(f"round {r + 1} {mode}: {samples[mode][-1]}", file=sys.stderr, flush=True)
    base = statistics.median(s["cpu_us_per_job"] for s in samples["disabled"])
    print("| mode | jobs/s | CPU µs per job | CPU vs disabled |")
    print("|---|---:|---:|---:|")
    for mode, runs in samples.items():
        rate = statistics.median(s["jobs_per_s"] for s in runs)
        cpu = statistics.median(s["cpu_us_per_job"] for s in runs)
        print(f"| {mode} | {rate:,.0f} | {cpu:.1f} | {cpu - base:+.1f} µs ({cpu / base:.2f}x) |")
    print(f"\n{args.rounds} rounds of {args.jobs} jobs, medians; storage off.")


if __name__ == "__main__":
    main()
