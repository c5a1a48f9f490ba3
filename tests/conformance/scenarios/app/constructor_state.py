"""`Jobify(state=...)`: app.state is a State (a dict with attribute access) shared with tasks."""

import asyncio

from harness import catch, report

from jobify import INJECT, Jobify, State

app = Jobify(storage=False, state=State({"counter": 0}))
plain = Jobify(storage=False, state={"x": 1})
default = Jobify(storage=False)


@app.task
async def bump(state: State = INJECT) -> int:
    state["counter"] += 1
    return state.counter


async def main() -> None:
    async with app:
        jobs = [await bump.push() for _ in range(3)]
        await app.wait_all(timeout=2)
    report(
        {
            "type": type(app.state).__name__,
            "is_state": isinstance(app.state, State),
            "results": sorted(j.result() for j in jobs),
            "final": app.state["counter"],
            "attr": app.state.counter,
            "missing_attr": catch(lambda: app.state.nope),
            "dict_given": [type(plain.state).__name__, plain.state.get("x")],
            "default": [type(default.state).__name__, dict(default.state)],
            "set_attr": catch(lambda: setattr(default.state, "y", 2) or default.state.get("y")),
        }
    )


asyncio.run(main())
