"""Dictionaries of application and per-job state, readable as attributes."""

from __future__ import annotations

from collections import UserDict
from typing import Any

__all__ = ("RequestState", "State")


class State(UserDict[str, Any]):
    """Arbitrary state, by key (``state["db"]``) or attribute (``state.db``)."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        """Start from a copy of ``state``."""
        # set the dict directly: UserDict's update() path costs more, and a
        # RequestState is made for every job run
        object.__setattr__(self, "data", dict(state) if state else {})

    def __getattr__(self, name: str) -> Any:
        if name == "data" or name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.data[name]
        except KeyError:
            msg = f"{type(self).__name__} has no key {name!r}; set it first: state.{name} = ..."
            raise AttributeError(msg) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "data":
            super().__setattr__(name, value)
        else:
            self.data[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self.data[name]
        except KeyError:
            raise AttributeError(name) from None


class RequestState(State):
    """State that lives for one job run; middleware passes data to the task with it."""
