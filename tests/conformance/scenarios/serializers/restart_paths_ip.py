"""Default serializer across a restart: pathlib paths and ipaddress addresses/networks/interfaces."""

import asyncio
import ipaddress
from pathlib import Path
from typing import Any

from harness import acatch, phase, report, run_phase

from jobify import Jobify

app = Jobify()
restored: dict[str, Any] = {}


@app.task
async def take(name: str, value: Any) -> None:
    restored[name] = value


def values() -> dict[str, Any]:
    return {
        "path": Path("/srv/data/report.csv"),
        "relative_path": Path("a/b"),
        "ipv4": ipaddress.IPv4Address("10.0.0.1"),
        "ipv6": ipaddress.IPv6Address("fe80::1"),
        "ipv4_network": ipaddress.IPv4Network("10.0.0.0/8"),
        "ipv6_network": ipaddress.IPv6Network("2001:db8::/32"),
        "ipv4_interface": ipaddress.IPv4Interface("192.168.1.7/24"),
        "ipv6_interface": ipaddress.IPv6Interface("fe80::1/64"),
    }


def seen(value: Any) -> Any:
    """The restored value as a user sees it: its type and its repr."""
    return [type(value).__name__, repr(value)]


async def first() -> None:
    async with app:
        stored = {}
        for name, value in values().items():
            got = await acatch(take.schedule(name, value).delay(0.2, job_id=name))
            stored[name] = "ok" if "ok" in got else got
        report(stored)


async def second() -> None:
    async with app:
        await app.wait_all(timeout=2)
    expected = values()
    report(
        {
            name: {"type_and_repr": seen(value), "equal": value == expected[name]}
            for name, value in sorted(restored.items())
        }
    )


if phase() == "first":
    asyncio.run(first())
elif phase() == "second":
    asyncio.run(second())
else:
    report({"stored": run_phase("first"), "restored": run_phase("second")})
