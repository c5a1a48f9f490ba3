"""jobify-core alone (no plugin distribution) runs async tasks now, later and at a time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

APP = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime, timedelta, timezone
    from jobify import Jobify

    app = Jobify()
    seen = []

    @app.task
    async def record(tag: str) -> str:
        seen.append(tag)
        return tag

    async def main():
        async with app:
            now = await record.push("now")
            later = await record.schedule("later").delay(0.05)
            at = await record.schedule("at").at(datetime.now(timezone.utc) + timedelta(seconds=0.1))
            await app.wait_all(timeout=5)
            assert [j.result() for j in (now, later, at)] == ["now", "later", "at"], seen
        assert app.configs.app_started is False
        assert app.assembly.storage is None
        leaked = sorted(m for m in sys.modules if m.startswith("jobify_") or m in ("sqlite3", "croniter"))
        assert not leaked, leaked
        print("ok", seen)

    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_fresh_virtualenv_with_only_core(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         str(ROOT / "core")],
        check=True, timeout=300,
    )  # fmt: skip
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "list", "--format=freeze"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    names = {line.split("==")[0].lower() for line in listed.splitlines()}
    assert not {n for n in names if n.startswith("jobify-") and n != "jobify-core"}
    assert "croniter" not in names
    result = subprocess.run(
        [str(python), "-c", APP], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "ok ['now', 'later', 'at']" in result.stdout
