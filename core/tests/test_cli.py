"""The jobify command: check, plugins, jobs, and run's argument errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobify.cli import main


@pytest.fixture(autouse=True)
def _kernel_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOBIFY_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("JOBIFY_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def test_check_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "jobify.toml").write_text("[jobify]\n[jobify.storage]\nuse = false\n")
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "jobify.toml: ok" in out
    assert "storage:     off" in out


def test_check_reports_errors_with_exit_code_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[jobify.storage]\nuse = "nosuch"\n')
    assert main(["check", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "no storage named 'nosuch'" in err
    assert "Installed: none" in err


def test_check_without_any_file(capsys: pytest.CaptureFixture[str]):
    assert main(["check"]) == 1
    assert "no config file found" in capsys.readouterr().err


def test_check_missing_file(capsys: pytest.CaptureFixture[str]):
    assert main(["check", "--config", "missing.toml"]) == 1
    assert "missing.toml: configuration file not found" in capsys.readouterr().err


def test_plugins_with_autoload_off(capsys: pytest.CaptureFixture[str]):
    assert main(["plugins"]) == 0
    assert "no plugin distributions installed" in capsys.readouterr().out


def test_jobs_with_storage_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "jobify.toml").write_text("[jobify.storage]\nuse = false\n")
    assert main(["jobs"]) == 0
    assert "storage is off" in capsys.readouterr().out


def test_run_without_app(capsys: pytest.CaptureFixture[str]):
    assert main(["run"]) == 1
    assert "no app given" in capsys.readouterr().err


def test_run_with_non_app_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "notapp.py").write_text("value = 42\n")
    assert main(["run", "notapp:value"]) == 1
    assert "not a Jobify app" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
