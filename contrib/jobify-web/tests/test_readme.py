"""The README documents every option and every API endpoint, with an example each."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
from starlette.routing import Route

from jobify_web import WebSettings
from jobify_web.web import ACTIONS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_option_is_in_the_table():
    for field in attrs.fields(WebSettings):
        assert f"\n| `{field.name}` |" in README, field.name


def test_every_api_endpoint_has_a_section_with_an_example():
    sections = dict(re.findall(r"\n### (`[^\n]+) — [^\n]*\n(.*?)(?=\n### |\n## )", README, re.S))
    documented = " ".join(sections)
    paths = {
        "/api", "/api/overview", "/api/tasks", "/api/jobs", "/api/jobs/{id}", "/api/runs",
        "/api/cluster", "/api/events", *(f"/api/jobs/{{id}}/{a}" for a in ACTIONS),
    }  # fmt: skip
    for path in paths:
        assert path in documented or path.rsplit("/", 1)[1] in documented, path
    for heading, body in sections.items():
        assert "```console" in body and "curl" in body, heading


def test_the_routes_are_those_the_readme_lists(make_app, token):
    from jobify_web import dashboard

    app = dashboard(make_app(), token=token)
    api = sorted(r.path for r in app.routes if isinstance(r, Route) and r.path.startswith("/api"))
    assert api == [
        "/api", "/api/cluster", "/api/events", "/api/jobs", "/api/jobs/{job_id:path}",
        "/api/jobs/{job_id:path}/{action}", "/api/overview", "/api/runs", "/api/tasks",
    ]  # fmt: skip


def test_the_screenshots_it_shows_are_committed():
    images = re.findall(r"\]\((docs/[^)]+\.png)\)", README)
    assert {Path(i).stem for i in images} >= {"tasks", "jobs", "job", "failures", "cluster"}
    for image in images:
        assert (ROOT / image).is_file(), image
