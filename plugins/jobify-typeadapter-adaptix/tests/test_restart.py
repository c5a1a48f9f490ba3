"""End to end: a durable job with dataclass arguments survives an app restart.

The storage is an in-memory fake shared by two app instances (a restart) and
the serializer is the stdlib ``json`` module, so the only thing that turns
the stored JSON back into dataclasses is the ``AdaptixConverter``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobify import Jobify
from jobify.testing.memory import MemoryStorage
from jobify_typeadapter_adaptix import AdaptixConverter


@dataclasses.dataclass(frozen=True)
class Customer:
    name: str
    email: str


@dataclasses.dataclass
class Invoice:
    number: str
    total: float
    issued: datetime
    customer: Customer
    grace: timedelta = timedelta(days=14)


class StdlibJSONSerializer:
    """A JSONSerializer-like serializer: plain ``json``, no type knowledge at all."""

    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data, separators=(",", ":")).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


CUSTOMER = Customer(name="Ada", email="ada@example.com")
INVOICE = Invoice(
    number="INV-1",
    total=99.5,
    issued=datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    customer=CUSTOMER,
    grace=timedelta(days=1, microseconds=1),
)
DUE = datetime(2030, 2, 1, 12, tzinfo=UTC)


def make_app(storage: MemoryStorage, received: list[tuple[Any, ...]]):
    converter = AdaptixConverter()
    app = Jobify.from_config(
        None,
        autoload=False,
        storage=storage,
        serializer=StdlibJSONSerializer(),
        dumper=converter,
        loader=converter,
        cron_factory=lambda e: None,
    )

    @app.task(name="send_invoice")
    async def send_invoice(
        invoice: Invoice, cc: frozenset[Customer], due: datetime, *notes: str
    ) -> str:
        received.append((invoice, cc, due, notes))
        return invoice.number

    return app, send_invoice


@pytest.fixture(autouse=True)
def _no_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBIFY_CONFIG", "")


async def test_the_task_receives_dataclass_instances_after_a_restart():
    storage = MemoryStorage()
    received: list[tuple[Any, ...]] = []

    first, send_invoice = make_app(storage, received)
    async with first:
        await send_invoice.schedule(INVOICE, frozenset({CUSTOMER}), DUE, "a", "b").delay(
            0.2, job_id="invoice-1"
        )
    assert received == []
    stored = json.loads(storage.rows["invoice-1"].message)
    assert stored["args"]["invoice"] == {
        "number": "INV-1",
        "total": 99.5,
        "issued": "2030-01-02T03:04:05.000006+00:00",
        "customer": {"name": "Ada", "email": "ada@example.com"},
        "grace": 86400.000001,
    }
    assert stored["args"]["cc"] == [{"name": "Ada", "email": "ada@example.com"}]
    assert stored["args"]["notes"] == ["a", "b"]

    second, _ = make_app(storage, received)
    async with second:
        job = second.find_job("invoice-1")
        assert job is not None
        await job.wait()
        assert job.result() == "INV-1"

    ((invoice, cc, due, notes),) = received
    assert type(invoice) is Invoice
    assert invoice == INVOICE
    assert type(invoice.customer) is Customer
    assert cc == frozenset({CUSTOMER})
    assert type(cc) is frozenset
    assert due == DUE
    assert notes == ("a", "b")
    assert storage.rows == {}


async def test_a_stored_row_that_no_longer_loads_is_set_aside_not_fatal(caplog):
    storage = MemoryStorage()
    received: list[tuple[Any, ...]] = []
    first, send_invoice = make_app(storage, received)
    async with first:
        await send_invoice.schedule(INVOICE, frozenset(), DUE).delay(0.05, job_id="good")
        await send_invoice.schedule(INVOICE, frozenset(), DUE).delay(0.05, job_id="bad")
    row = storage.rows["bad"]
    message = json.loads(row.message)
    del message["args"]["invoice"]["customer"]
    storage.rows["bad"] = row._replace(message=json.dumps(message).encode())

    second, _ = make_app(storage, received)
    async with second:
        assert second.find_job("bad") is None
        good = second.find_job("good")
        assert good is not None
        await good.wait()
    assert [r[0] for r in received] == [INVOICE]
    assert "bad" in caplog.text
    assert "set aside" in caplog.text
