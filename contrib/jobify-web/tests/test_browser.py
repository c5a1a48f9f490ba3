"""The dashboard in a real browser: Debian's headless Chromium driven by Selenium.

A jobify app and its dashboard run in a thread of their own (uvicorn on
127.0.0.1, a free port); the browser logs in, sees a scheduled job, pauses it
(and the app stops running it), runs one now and sees its history row appear
without reloading, reads a failure's error, and is refused without the token
and without the CSRF token.

Chromium and ChromeDriver come from Debian's packages, which
``scripts/with-chromium`` installs when missing (``make test`` runs the suite
under it, and then these tests are required). Without them and outside that
script, the tests are skipped, saying how to run them.

With ``JOBIFY_WEB_SCREENSHOTS=1`` the screenshots of each page are written to
``contrib/jobify-web/docs/`` (``make screenshots``), which the README shows;
otherwise to a temporary directory.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from jobify import Jobify
from jobify.crontab import create_crontab
from jobify.serializers import ExtendedJSONSerializer
from jobify.testing.memory import MemoryCluster, MemoryDatabase, MemoryStorage
from jobify_web import WebSettings
from jobify_web.serve import EmbeddedServer
from jobify_web.settings import parse_listen
from jobify_web.web import Dashboard

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

TOKEN = "browser-test-token-0123456789"
DOCS = Path(__file__).resolve().parents[1] / "docs"
REQUIRED = bool(os.environ.get("JOBIFY_TEST_CHROMIUM"))
CHROMIUM = os.environ.get("JOBIFY_TEST_CHROMIUM") or shutil.which("chromium") or ""
CHROMEDRIVER = os.environ.get("JOBIFY_TEST_CHROMEDRIVER") or shutil.which("chromedriver") or ""
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,860", "--hide-scrollbars",
)  # fmt: skip


# --- an app served from a thread -------------------------------------------------------------


class Served:
    """A jobify app and its dashboard, served by uvicorn on a loop in another thread."""

    def __init__(self, build: Callable[[], Coroutine[Any, Any, Jobify]]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.app: Jobify = self.call(build())
        self.dashboard = Dashboard(self.app, WebSettings(token=TOKEN), tick=0.2)
        self.server = EmbeddedServer(
            self.dashboard.asgi, parse_listen("127.0.0.1:0"), access_log=False
        )
        self.call(self.server.start())
        self.url = self.server.url

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        async def stop() -> None:
            await self.dashboard.hub.close()
            await self.server.stop()
            await self.app.shutdown()

        try:
            self.call(stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


RUNS: list[str] = []


async def build_shop(tmp_path: Path) -> Jobify:
    """The app of the screenshots: a shop's emails, reports, a heartbeat and a failing task."""
    config = tmp_path / "jobify.toml"
    config.write_text('[jobify]\ntz = "Europe/Berlin"\n[jobify.history]\nenabled = true\n')
    app = Jobify.from_config(
        config, storage=MemoryStorage(database=MemoryDatabase()), autoload=False,
        serializer=ExtendedJSONSerializer(), cron_factory=create_crontab,
    )  # fmt: skip

    @app.task(name="emails.send_receipt", retry=2)
    async def send_receipt(order: int, to: str) -> str:
        RUNS.append(f"receipt {order}")
        return f"receipt for order {order} sent to {to}"

    @app.task(name="billing.charge_card", timeout=30)
    async def charge_card(order: int, amount: float) -> None:
        raise RuntimeError(f"card declined for order {order} (amount {amount:.2f} EUR)")

    @app.task(name="reports.nightly", cron="0 3 * * *")
    def nightly() -> None:
        RUNS.append("nightly")

    @app.task(name="ops.heartbeat", cron="* * * * * * *")
    async def heartbeat() -> None:
        RUNS.append("heartbeat")

    @app.task(name="cache.warm", durable=False)
    async def warm(region: str) -> None: ...

    await app.startup()
    for order, who in ((2041, "ada@example.com"), (2042, "grace@example.com")):
        await send_receipt.schedule(order, who).delay(3600, job_id=f"receipt-{order}")
    await send_receipt.schedule(2043, "linus@example.com").delay(7200)
    await warm.schedule("eu-west").delay(600)
    failed = await charge_card.push(1977, 49.9)
    await failed.wait()
    await charge_card.schedule(1978, 12.5).delay(1800, job_id="charge-1978")
    return app


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (CHROMIUM and CHROMEDRIVER):
        if REQUIRED:
            pytest.fail("JOBIFY_TEST_CHROMIUM is set but Chromium or ChromeDriver is missing")
        pytest.skip(
            "no chromium/chromedriver: run under scripts/with-chromium (make test does), "
            "which installs Debian's chromium and chromium-driver"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(lambda: build_shop(tmp_path_factory.mktemp("shop")))
    try:
        yield served
    finally:
        served.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("JOBIFY_WEB_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        return DOCS
    return tmp_path_factory.mktemp("screenshots")


def wait(driver: Any, condition: Callable[[Any], Any], seconds: float = 10) -> Any:
    return WebDriverWait(driver, seconds, poll_frequency=0.05).until(condition)


def text_of(driver: Any, css: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).text)


def log_in(driver: Any, url: str, token: str = TOKEN) -> None:
    driver.delete_all_cookies()
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
    wait(driver, lambda d: "Log in" not in d.title)


def accept_confirm(driver: Any) -> str:
    alert = wait(driver, expected_conditions.alert_is_present())
    question = str(alert.text)
    alert.accept()
    return question


def row(driver: Any, job_id: str) -> Any:
    return driver.find_element(By.CSS_SELECTOR, f'tr.job[data-job-id="{job_id}"]')


HEARTBEAT = "ops.heartbeat__jobify_cron_definition"


# --- the tests ----------------------------------------------------------------------------


def test_without_the_token_the_browser_gets_the_login_form_and_no_data(browser, shop, shots):
    browser.delete_all_cookies()
    browser.get(f"{shop.url}/jobs")
    assert browser.find_element(By.ID, "login")
    assert "receipt-2041" not in browser.page_source
    assert "emails.send_receipt" not in browser.page_source
    browser.find_element(By.ID, "token").send_keys("not-the-token-at-all")
    browser.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
    wait(browser, lambda d: "Wrong token" in d.page_source)
    assert "receipt-2041" not in browser.page_source
    browser.get(f"{shop.url}/login")
    browser.save_screenshot(str(shots / "login.png"))


def test_log_in_and_see_the_tasks(browser, shop, shots):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/")
    tasks = browser.find_element(By.CSS_SELECTOR, "table.tasks").text
    for name in ("emails.send_receipt", "reports.nightly", "ops.heartbeat", "cache.warm"):
        assert name in tasks
    assert "0 3 * * *" in tasks
    wait(browser, lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    browser.save_screenshot(str(shots / "tasks.png"))


def test_see_a_scheduled_job_and_pause_it_and_the_app_stops_running_it(browser, shop, shots):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/jobs")
    assert "scheduled" in row(browser, "receipt-2041").text
    assert "scheduled" in row(browser, HEARTBEAT).text
    browser.save_screenshot(str(shots / "jobs.png"))
    wait(browser, lambda _: RUNS.count("heartbeat") >= 1, 5)  # it runs every second
    row(browser, HEARTBEAT).find_element(By.CSS_SELECTOR, "button[data-action=pause]").click()
    assert accept_confirm(browser) == f"Pause job {HEARTBEAT}?"
    wait(browser, lambda d: "Paused." in d.page_source)
    assert "paused" in row(browser, HEARTBEAT).text
    assert shop.app.find_job(HEARTBEAT).paused
    time.sleep(0.2)  # a run that had started already ends
    before = RUNS.count("heartbeat")
    time.sleep(2.5)
    assert RUNS.count("heartbeat") == before  # paused: no more runs
    browser.get(f"{shop.url}/jobs?status=paused")
    assert [
        e.get_attribute("data-job-id") for e in browser.find_elements(By.CSS_SELECTOR, "tr.job")
    ] == [HEARTBEAT]


def test_run_a_job_now_and_see_its_history_row_appear(browser, shop, shots):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/jobs/receipt-2042")
    assert "No runs recorded yet." in browser.page_source
    assert '"to": "grace@example.com"' in text_of(browser, "pre.arguments")
    wait(browser, lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    browser.find_element(By.CSS_SELECTOR, "button[data-action=run]").click()
    assert accept_confirm(browser) == "Run now job receipt-2042?"
    wait(browser, lambda d: "Asked to run now." in d.page_source)
    # the run ends a moment later: the page hears it (server-sent events), no reload
    rows = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "table.runs tr.run"))
    assert "success" in rows[0].text
    assert "receipt for order 2042 sent to grace@example.com" in rows[0].text
    assert "receipt 2042" in RUNS
    browser.save_screenshot(str(shots / "job-ended.png"))
    browser.get(f"{shop.url}/jobs/{HEARTBEAT}")  # paused above; its runs before that
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.runs tr.run")) >= 1
    browser.save_screenshot(str(shots / "job.png"))


def test_read_a_failures_error(browser, shop, shots):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/failures")
    failure = browser.find_element(By.CSS_SELECTOR, "table.runs tr.run")
    assert "RuntimeError" in failure.text
    assert "card declined for order 1977 (amount 49.90 EUR)" in failure.text
    browser.save_screenshot(str(shots / "failures.png"))
    failure.find_element(By.CSS_SELECTOR, "a").click()
    wait(browser, lambda d: "Outcome" in d.page_source)
    assert "card declined for order 1977" in text_of(browser, "dd.error")


def test_an_action_without_the_csrf_token_is_refused(browser, shop):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/jobs/receipt-2041")
    browser.execute_script(
        "document.querySelectorAll('input[name=csrf]').forEach(function (e) { e.remove(); });"
    )
    browser.find_element(By.CSS_SELECTOR, "button[data-action=cancel]").click()
    accept_confirm(browser)
    wait(browser, lambda d: "Refused" in d.title)
    assert "CSRF token is missing or wrong" in browser.page_source
    assert shop.app.find_job("receipt-2041") is not None


def test_an_action_without_the_token_is_refused(browser, shop):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/jobs/receipt-2041")
    browser.delete_all_cookies()  # the session is gone (expired, logged out elsewhere)
    browser.find_element(By.CSS_SELECTOR, "button[data-action=pause]").click()
    accept_confirm(browser)
    wait(browser, lambda d: d.find_elements(By.ID, "login"))
    assert not shop.app.find_job("receipt-2041").paused


def test_dismissing_the_confirmation_sends_nothing(browser, shop):
    log_in(browser, shop.url)
    browser.get(f"{shop.url}/jobs/receipt-2041")
    browser.find_element(By.CSS_SELECTOR, "button[data-action=cancel]").click()
    wait(browser, expected_conditions.alert_is_present()).dismiss()
    with pytest.raises(TimeoutException):
        wait(browser, lambda d: "Cancelled." in d.page_source, 1)
    assert shop.app.find_job("receipt-2041") is not None


def test_the_cluster_page(browser, tmp_path_factory, shots):
    cluster = MemoryCluster()

    async def build() -> Jobify:
        nodes = []
        for name in ("scheduler-a", "scheduler-b", "scheduler-c"):
            path = tmp_path_factory.mktemp(name) / "jobify.toml"
            path.write_text("[jobify]\n")
            app = Jobify.from_config(
                path, storage=cluster.node(name), autoload=False,
                serializer=ExtendedJSONSerializer(), cron_factory=create_crontab,
            )  # fmt: skip

            @app.task(name="emails.send_receipt")
            async def send_receipt(order: int) -> None: ...

            await app.startup()
            nodes.append(app)
        for n, app in enumerate(nodes):
            for order in range(3 * n + 2):
                await app.registry.routes["emails.send_receipt"].schedule(order).delay(600)
        first = nodes[0]
        first.state.others = nodes[1:]
        return first

    served = Served(build)
    try:
        log_in(browser, served.url)
        browser.get(f"{served.url}/cluster")
        names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "tr.node code")]
        assert names == ["scheduler-a", "scheduler-b", "scheduler-c"]
        assert "this node" in text_of(browser, "tr.node.this")
        browser.save_screenshot(str(shots / "cluster.png"))
    finally:
        for other in served.app.state.others:
            served.call(other.shutdown())
        served.close()
