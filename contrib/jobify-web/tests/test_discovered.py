"""The plugin is installed, found in the ``jobify`` entry-point group, and imports nothing heavy."""

from __future__ import annotations

import jobify_web
from jobify.testing.contracts import DistributionContract


def test_the_public_names():
    assert sorted(jobify_web.__all__) == ["Dashboard", "WebSettings", "dashboard", "hash_token"]
    assert callable(jobify_web.dashboard)


class TestDistribution(DistributionContract):
    """Entry point, hooks against the specs, and a light discovery."""

    entry_point = "web"
    distribution = "jobify-web"
    offers = {}  # lifecycle hooks only: it registers no capability
    lazy_modules = ("starlette", "jinja2", "uvicorn", "jobify_web.web", "jobify_web.serving")
