"""Value types: Cron and SmartRetry validation, retry delays, misfire policies, State."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobify import Cron, GracePolicy, MisfirePolicy, RequestState, SmartRetry, State

# --- Cron -----------------------------------------------------------------------------


def test_cron_defaults() -> None:
    cron = Cron("* * * * *")
    assert cron.expression == "* * * * *"
    assert cron.max_runs == -1
    assert cron.max_failures == 10
    assert cron.misfire_policy is MisfirePolicy.ONCE
    assert cron.start_date is None
    assert cron.args == ()
    assert cron.kwargs == {}


def test_cron_keeps_args_and_kwargs_as_given_and_compares_by_value() -> None:
    cron = Cron("x", args=[1, 2], kwargs={"b": 3})  # type: ignore[arg-type]
    assert cron.args == [1, 2]  # as in 0.14: the kernel only unpacks them
    assert cron.kwargs == {"b": 3}
    assert Cron("x", max_runs=3) == Cron("x", max_runs=3)
    assert Cron("x", max_runs=3) != Cron("x", max_runs=4)


@pytest.mark.parametrize(
    ("kwargs", "exc", "field"),
    [
        ({"expression": ""}, ValueError, "expression"),
        ({"expression": "   "}, ValueError, "expression"),
        ({"expression": None}, ValueError, "expression"),
        ({"expression": "x", "max_runs": 0}, ValueError, "max_runs"),
        ({"expression": "x", "max_runs": -2}, ValueError, "max_runs"),
        ({"expression": "x", "max_runs": 1.5}, ValueError, "max_runs"),
        ({"expression": "x", "max_failures": 0}, ValueError, "max_failures"),
        ({"expression": "x", "max_failures": -3}, ValueError, "max_failures"),
        ({"expression": "x", "max_failures": -1}, ValueError, "max_failures"),  # 0.14 refuses it
        ({"expression": "x", "misfire_policy": "never"}, ValueError, "misfire_policy"),
        ({"expression": "x", "misfire_policy": 5}, TypeError, "misfire_policy"),
        ({"expression": "x", "args": None}, TypeError, "args"),
        ({"expression": "x", "args": "ab"}, TypeError, "args"),
        ({"expression": "x", "kwargs": None}, TypeError, "kwargs"),
        (
            {"expression": "x", "misfire_policy": GracePolicy(timedelta(seconds=-1))},
            ValueError,
            "misfire_policy",
        ),
        ({"expression": "x", "start_date": datetime(2030, 1, 1)}, ValueError, "start_date"),
        ({"expression": "x", "start_date": "2030-01-01"}, ValueError, "start_date"),
    ],
)
def test_cron_rejects_bad_values_naming_the_field(
    kwargs: dict[str, object], exc: type[Exception], field: str
) -> None:
    with pytest.raises(exc, match=field):
        Cron(**kwargs)  # type: ignore[arg-type]


def test_cron_accepts_limits_and_policies() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    cron = Cron(
        "x",
        max_runs=1,
        max_failures=1,
        misfire_policy=GracePolicy(timedelta(seconds=5)),
        start_date=start,
    )
    assert cron.max_runs == 1
    assert cron.max_failures == 1
    assert cron.start_date == start
    assert Cron("x", max_runs=-1).max_runs == -1
    for policy in MisfirePolicy:
        assert Cron("x", misfire_policy=policy).misfire_policy is policy
        # a member's value works as in 0.14 (a StrEnum equals it), and becomes the member
        assert Cron("x", misfire_policy=policy.value).misfire_policy is policy  # type: ignore[arg-type]


# --- SmartRetry -------------------------------------------------------------------------


def test_smart_retry_defaults() -> None:
    retry = SmartRetry(3)
    assert retry == (3, 0.5, 60.0, 2.0, True, (Exception,), ())
    assert retry.retries == 3
    assert retry._replace(retries=1).retries == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "field"),
    [
        ((-1,), {}, ValueError, "retries"),
        ((1.5,), {}, ValueError, "retries"),
        (("3",), {}, ValueError, "retries"),
        ((1,), {"initial_delay": -0.1}, ValueError, "initial_delay"),
        ((1,), {"initial_delay": "1"}, ValueError, "initial_delay"),
        ((1,), {"initial_delay": float("nan")}, ValueError, "initial_delay"),
        ((1,), {"max_delay": -1}, ValueError, "max_delay"),
        ((1,), {"backoff_factor": -0.5}, ValueError, "backoff_factor"),
        ((1,), {"include_exceptions": [ValueError]}, TypeError, "include_exceptions"),
        ((1,), {"include_exceptions": (int,)}, TypeError, "include_exceptions"),
        ((1,), {"exclude_exceptions": ("ValueError",)}, TypeError, "exclude_exceptions"),
    ],
)
def test_smart_retry_rejects_bad_values_naming_the_field(
    args: tuple[object, ...], kwargs: dict[str, object], exc: type[Exception], field: str
) -> None:
    with pytest.raises(exc, match=field):
        SmartRetry(*args, **kwargs)  # type: ignore[arg-type]


def test_smart_retry_keeps_numbers_as_given_like_the_reference() -> None:
    retry = SmartRetry(9, initial_delay=1, max_delay=5, backoff_factor=3, jitter=False)
    delays = [retry.compute_delay(n) for n in range(1, 5)]
    assert delays == [1, 3, 5, 5]
    assert all(type(d) is int for d in delays)
    assert repr(SmartRetry(1, initial_delay=10, max_delay=1)).startswith(
        "SmartRetry(retries=1, initial_delay=10, max_delay=1, backoff_factor=2.0,"
    )


def test_smart_retry_accepts_shrinking_backoff_and_bool_retries() -> None:
    shrinking = SmartRetry(3, initial_delay=0.4, backoff_factor=0.5, jitter=False)
    assert [shrinking.delay(n) for n in range(3)] == pytest.approx([0.4, 0.2, 0.1])
    assert SmartRetry(True).retries == 1  # bool is an int; 0.14 reads True as one retry


def test_smart_retry_delay_without_jitter_is_exponential_and_capped() -> None:
    retry = SmartRetry(10, initial_delay=0.1, max_delay=0.5, backoff_factor=2.0, jitter=False)
    # attempt is 0-based: the wait before the first retry is initial_delay
    assert [retry.delay(n) for n in range(5)] == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5])
    flat = SmartRetry(3, initial_delay=0.25, backoff_factor=1.0, jitter=False)
    assert [flat.delay(n) for n in range(3)] == [0.25, 0.25, 0.25]
    assert SmartRetry(1, initial_delay=0, jitter=False).delay(0) == 0


def test_smart_retry_delay_with_jitter_stays_between_half_and_full() -> None:
    retry = SmartRetry(10, initial_delay=0.1, max_delay=1.0, jitter=True)
    for attempt, full in ((0, 0.1), (1, 0.2), (2, 0.4), (3, 0.8), (4, 1.0), (8, 1.0)):
        samples = [retry.delay(attempt) for _ in range(200)]
        assert all(full / 2 <= s <= full for s in samples), (attempt, min(samples), max(samples))
        assert len(set(samples)) > 1  # it is random


def test_should_retry_counts_attempts() -> None:
    retry = SmartRetry(2)
    assert retry.should_retry(ValueError(), 0)
    assert retry.should_retry(ValueError(), 1)
    assert not retry.should_retry(ValueError(), 2)
    assert not SmartRetry(0).should_retry(ValueError(), 0)


def test_should_retry_include_and_exclude() -> None:
    class MyKeyError(KeyError):
        pass

    only_key = SmartRetry(3, include_exceptions=(KeyError,))
    assert only_key.should_retry(KeyError(), 0)
    assert only_key.should_retry(MyKeyError(), 0)  # subclasses are included
    assert not only_key.should_retry(ValueError(), 0)

    not_my = SmartRetry(3, include_exceptions=(LookupError,), exclude_exceptions=(MyKeyError,))
    assert not not_my.should_retry(MyKeyError(), 0)  # exclude wins over include
    assert not not_my.should_retry(ValueError(), 0)
    assert not_my.should_retry(KeyError(), 0)
    assert not_my.should_retry(IndexError(), 0)


# --- MisfirePolicy ----------------------------------------------------------------------


def test_misfire_policy_grace_builds_a_grace_policy() -> None:
    policy = MisfirePolicy.GRACE(timedelta(seconds=3))
    assert isinstance(policy, GracePolicy)
    assert policy.value == timedelta(seconds=3)
    assert policy == GracePolicy(timedelta(seconds=3))
    assert list(MisfirePolicy) == [MisfirePolicy.ALL, MisfirePolicy.SKIP, MisfirePolicy.ONCE]


@pytest.mark.parametrize("bad", [timedelta(seconds=-1), 5, "1s"])
def test_misfire_policy_grace_rejects_bad_values(bad: object) -> None:
    with pytest.raises(ValueError, match="GRACE"):
        MisfirePolicy.GRACE(bad)  # type: ignore[arg-type]


# --- State and RequestState -------------------------------------------------------------


@pytest.mark.parametrize("cls", [State, RequestState])
def test_state_key_and_attribute_access(cls: type[State]) -> None:
    state = cls({"init": 1})
    assert state.init == 1
    assert state["init"] == 1
    state.newattr = 5
    assert state["newattr"] == 5
    state["other"] = 6
    assert state.other == 6
    del state.newattr
    assert "newattr" not in state
    assert dict(state) == {"init": 1, "other": 6}
    assert repr(state) == repr({"init": 1, "other": 6})
    assert len(cls()) == 0


@pytest.mark.parametrize("cls", [State, RequestState])
def test_state_missing_names_raise_the_natural_errors(cls: type[State]) -> None:
    state = cls()
    with pytest.raises(AttributeError, match="missing"):
        _ = state.missing
    with pytest.raises(KeyError):
        _ = state["missing"]
    with pytest.raises(AttributeError):
        del state.missing
    assert getattr(state, "missing", "default") == "default"
    assert not hasattr(state, "missing")


def test_state_copies_its_initial_dict() -> None:
    initial = {"a": 1}
    state = State(initial)
    state.b = 2
    assert initial == {"a": 1}
    assert isinstance(RequestState(), State)


def test_compute_delay_counts_attempts_from_one_like_the_reference():
    from jobify import SmartRetry

    retry = SmartRetry(3, initial_delay=0.1, backoff_factor=2, jitter=False)
    assert [retry.compute_delay(n) for n in (1, 2, 3)] == [0.1, 0.2, 0.4]


def test_state_starts_from_a_copy_of_its_argument():
    from jobify import RequestState, State

    source = {"a": 1}
    state = State(source)
    source["b"] = 2
    state.c = 3
    assert dict(state) == {"a": 1, "c": 3}
    assert source == {"a": 1, "b": 2}
    assert dict(State(state)) == {"a": 1, "c": 3}
    assert dict(RequestState()) == {}


# --- task options that become values ---------------------------------------------------


def test_task_option_timeout_none_means_no_timeout_and_retry_bool_counts() -> None:
    from jobify._kernel.routers import check_options

    def task() -> None: ...

    assert check_options(task, {"timeout": None}) == {"timeout": None}
    assert check_options(task, {"retry": True})["retry"] == SmartRetry(1)
    assert check_options(task, {"retry": False})["retry"] == SmartRetry(0)
    with pytest.raises(ValueError, match=r"timeout must be a number of seconds > 0 \(or None\)"):
        check_options(task, {"timeout": 0})
