"""Bad input fails where it is given, naming the expression, the field and the fix."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from jobify_cron_croniter import CronTab, create_crontab


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("61 * * * *", "field 'minute' value '61' is out of range 0-59"),
        ("* 24 * * *", "field 'hour' value '24' is out of range 0-23"),
        ("* * 0 * *", "field 'day-of-month' value '0' is out of range 1-31"),
        ("* * * 13 *", "field 'month' value '13' is out of range 1-12"),
        ("* * * * 8", "field 'day-of-week' value '8' is out of range 0-7"),
        ("60 * * * * * *", "field 'second' value '60' is out of range 0-59"),
        ("* * * * * 1969", "field 'year' value '1969' is out of range 1970-2099"),
        ("0 0 * * * * 2100", "field 'year' value '2100' is out of range 1970-2099"),
        ("1-70 * * * *", "field 'minute' value '1-70' is out of range 0-59"),
        ("5,61 * * * *", "field 'minute' value '61' is out of range 0-59"),
        ("*/0 * * * *", "field 'minute' value '*/0' has a step of 0; use a step of 1 or more"),
        ("a * * * *", "field 'minute' value 'a' is not valid; expected a number 0-59"),
        ("0 0 * foo *", "field 'month' value 'foo' is not valid; expected a number 1-12"),
        ("? * * * *", "field 'minute' value '?' is not valid"),
        ("0 0 L * L", "field 'day-of-week' value 'L' is not valid"),
        ("1,,2 * * * *", "field 'minute' value '1,,2' has an empty list item"),
        ("H * * * *", "field 'minute' value 'H' uses croniter's hashed/random syntax"),
        ("0 R * * *", "field 'hour' value 'R' uses croniter's hashed/random syntax"),
        ("0 0 * * L,5", "field 'day-of-week' value 'L' is not valid"),
        ("0 0 Z8 * *", "field 'day-of-month' value 'Z8' is out of range: 'Zn' takes n 0-7"),
        ("0 0 Z * *", "field 'day-of-month' value 'Z' is not valid"),
        ("0 0 Z3-1 * *", "field 'day-of-month' value 'Z3-1' is a reversed range; write 'Z1-3'"),
        ("0 0 * * Z3", "field 'day-of-week' value 'Z3' is not valid"),
        ("0 0 * * L8", "field 'day-of-week' value 'L8' is out of range: 'Ln' takes a weekday"),
        ("0 0 * * 5,L7-1", "field 'day-of-week' value 'L7-1' is a reversed range; write 'L1-7'"),
        ("0 0 L3 * *", "field 'day-of-month' value 'L3' is not valid"),
        ("0 0 Z3 * 1#2", "'Zn' in field 'day-of-month' cannot be combined with 'n#k'"),
        ("0 0 Z7 * L5", "fields 'day-of-month' 'Z7' and 'day-of-week' 'L5' never meet"),
        ("0 0 Z3,32 * *", "field 'day-of-month' value '32' is out of range 1-31"),
        ("0 0 * * L5,9", "field 'day-of-week' value '9' is out of range 0-7"),
        ("0 0 30 2 *", "fields 'day-of-month' '30' and 'month' '2' never meet on a real date"),
        ("0 0 29 2 * 2027", "fields 'day-of-month' '29' and 'month' '2' never meet"),
        ("* * * *", "has 4 fields; expected 5 fields (minute hour day-of-month month"),
        ("* * * * * * * *", "has 8 fields; expected 5 fields"),
        ("", "has 0 fields; expected 5 fields"),
        ("@reboot", "unknown macro '@reboot'; use one of @yearly, @annually"),
        ("@dayly", "Did you mean '@daily'?"),
    ],
)
def test_invalid_expression_names_the_field(expression, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        create_crontab(expression)
    assert str(info.value).startswith(f"cron expression {expression!r}")


def test_reference_example_message_verbatim():
    with pytest.raises(ValueError) as info:
        CronTab("61 * * * *")
    assert str(info.value) == (
        "cron expression '61 * * * *': field 'minute' value '61' is out of range 0-59"
    )


def test_expression_must_be_a_string():
    with pytest.raises(TypeError, match=r"expected a str such as '\*/5 \* \* \* \*', got 5"):
        create_crontab(5)  # type: ignore[arg-type]


def test_naive_now_is_rejected_with_the_fix():
    tab = create_crontab("* * * * *")
    with pytest.raises(ValueError, match="now is a naive datetime; pass an aware one") as info:
        tab.next_run(now=datetime(2026, 1, 1))
    assert "ZoneInfo(" in str(info.value)
    assert "CronTab('* * * * *').next_run" in str(info.value)
