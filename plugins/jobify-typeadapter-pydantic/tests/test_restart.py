"""End to end: a durable job with pydantic-model arguments survives an app restart.

The storage is an in-memory fake shared by two app instances (a restart) and
the serializer is the stdlib ``json`` module, so the only thing that turns
the stored JSON back into models is the ``PydanticConverter``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from jobify import Jobify
from jobify.testing.memory import MemoryStorage
from jobify_typeadapter_pydantic import PydanticConverter


class Customer(BaseModel):
    name: str
    email: str


class Invoice(BaseModel):
    number: str
    total: float
    issued: datetime
    customer: Customer


class StdlibJSONSerializer:
    """A JSONSerializer-like serializer: plain ``json``, no type knowledge at all."""

    def dumpb(self, data: Any) -> bytes:
        return json.dumps(data, separators=(",", ":")).encode()

    def loadb(self, data: bytes) -> Any:
        return json.loads(data)


CUSTOMER = Customer(name="Ada", email="ada@example.com")
INVOICE = Invoice(
    number="INV-1", total=99.5, issued=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), customer=CUSTOMER
)
DUE = datetime(2030, 2, 1, 12, tzinfo=UTC)


def make_app(storage: MemoryStorage, received: list[tuple[Any, ...]]):
    converter = PydanticConverter()
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
        invoice: Invoice, cc: list[Customer], due: datetime, note: str | None = None
    ) -> str:
        received.append((invoice, cc, due, note))
        return invoice.number

    return app, send_invoice


@pytest.fixture(autouse=True)
def _no_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBIFY_CONFIG", "")


async def test_the_task_receives_model_instances_after_a_restart():
    storage = MemoryStorage()
    received: list[tuple[Any, ...]] = []

    first, send_invoice = make_app(storage, received)
    async with first:
        await send_invoice.schedule(INVOICE, [CUSTOMER], DUE, note="thanks").delay(
            0.2, job_id="invoice-1"
        )
    assert received == []
    assert list(storage.rows) == ["invoice-1"]
    stored = json.loads(storage.rows["invoice-1"].message)
    assert stored["args"]["invoice"] == {
        "number": "INV-1",
        "total": 99.5,
        "issued": "2030-01-02T03:04:05Z",
        "customer": {"name": "Ada", "email": "ada@example.com"},
    }
    assert stored["args"]["cc"] == [{"name": "Ada", "email": "ada@example.com"}]
    assert stored["args"]["due"] == "2030-02-01T12:00:00Z"

    second, _ = make_app(storage, received)
    async with second:
        job = second.find_job("invoice-1")
        assert job is not None
        await job.wait()
        assert job.result() == "INV-1"

    ((invoice, cc, due, note),) = received
    assert type(invoice) is Invoice
    assert invoice == INVOICE
    assert type(invoice.customer) is Customer
    assert [type(c) for c in cc] == [Customer]
    assert cc == [CUSTOMER]
    assert type(due) is datetime
    assert due == DUE
    assert note == "thanks"
    assert storage.rows == {}


async def test_a_stored_row_that_no_longer_validates_is_set_aside_not_fatal(caplog):
    storage = MemoryStorage()
    received: list[tuple[Any, ...]] = []
    first, send_invoice = make_app(storage, received)
    async with first:
        await send_invoice.schedule(INVOICE, [], DUE).delay(0.05, job_id="good")
        await send_invoice.schedule(INVOICE, [], DUE).delay(0.05, job_id="bad")
    row = storage.rows["bad"]
    message = json.loads(row.message)
    message["args"]["invoice"]["total"] = "not a number"
    storage.rows["bad"] = row._replace(message=json.dumps(message).encode())

    second, _ = make_app(storage, received)
    async with second:
        assert second.find_job("bad") is None
        good = second.find_job("good")
        assert good is not None
        await good.wait()
    assert [r[0] for r in received] == [INVOICE]
    assert "bad" in caplog.text
    assert "validation error for Invoice" in caplog.text


async def test_an_argument_of_the_wrong_type_warns_when_stored_and_is_set_aside_on_restore(
    caplog,
):
    # As in the reference: pydantic serializes what it is given, with a warning,
    # and the stored value fails validation when the job is restored.
    storage = MemoryStorage()
    received: list[tuple[Any, ...]] = []
    first, send_invoice = make_app(storage, received)
    async with first:
        with pytest.warns(UserWarning, match="Expected `datetime`"):
            await send_invoice.schedule(INVOICE, [], "tomorrow").delay(
                timedelta(hours=1).total_seconds(), job_id="typo"
            )
    assert json.loads(storage.rows["typo"].message)["args"]["due"] == "tomorrow"
    second, _ = make_app(storage, received)
    async with second:
        assert second.find_job("typo") is None
    assert received == []
    assert "typo" in caplog.text
