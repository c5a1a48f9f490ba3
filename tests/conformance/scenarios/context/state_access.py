"""State and RequestState as mappings: attribute and key access, missing names, deletion, construction."""

from harness import catch, report

from jobify import RequestState, State

state = State({"a": 1})
state.b = 2
state["c"] = 3


def delete_attr(name: str) -> dict:
    delattr(state, name)
    return dict(state)


report(
    {
        "attr": catch(lambda: state.a),
        "key": catch(lambda: state["a"]),
        "setattr_then_key": catch(lambda: state["b"]),
        "setitem_then_attr": catch(lambda: state.c),
        "missing_attr": catch(lambda: state.zzz),
        "missing_key": catch(lambda: state["zzz"]),
        "get_default": state.get("zzz", "dflt"),
        "delattr": catch(delete_attr, "b"),
        "delattr_missing": catch(delete_attr, "nope"),
        "empty": catch(lambda: dict(State())),
        "none": catch(lambda: dict(State(None))),
        "keywords": catch(lambda: dict(State(x=1))),
        "equals_dict": State({"x": 1}) == {"x": 1},
        "is_dict": isinstance(state, dict),
        "len": len(state),
        "repr": repr(State({"x": 1})),
        "copy": catch(lambda: type(State({"x": 1}).copy()).__name__),
        "key_named_data": catch(lambda: State({"data": 5})["data"]),
        "request_state_is_state": issubclass(RequestState, State),
        "request_state": catch(lambda: dict(RequestState({"q": 1}))),
    }
)
