"""Write docs/reference.md, the API reference, from the docstrings of the code.

    python scripts/gen_reference.py          # rewrite docs/reference.md
    python scripts/gen_reference.py --check  # exit 1 if the page is out of date

The page lists, section by section, the public names of the kernel: each
one's signature and docstring, a class's public methods and properties, and
the fields of value types (dataclasses, NamedTuples, TypedDicts, enums). The
text is the docstrings', turned from Google style into Markdown; to change
the page, change the docstring and run this script. ``tests/test_reference.py``
fails when the committed page differs from what the script writes, so the
page cannot drift from the code. Only the kernel (``jobify``) is documented:
each plugin distribution's README documents its options.
"""

from __future__ import annotations

import abc
import argparse
import ast
import dataclasses
import enum
import importlib
import inspect
import itertools
import re
import sys
from pathlib import Path
from typing import Any, Generic, NamedTuple, Protocol

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference.md"


class Section(NamedTuple):
    """One section of the page: a title, an intro, the names it documents."""

    title: str
    intro: str
    names: tuple[str, ...]  # "module:attr"
    module_doc: str | None = None  # a module whose docstring follows the intro


SECTIONS = (
    Section(
        "The app and routers",
        "An app declares tasks, owns the timer loop and the storage, and runs "
        "inside `async with app:`. Routers group tasks with a prefix, "
        "middleware and exception handlers, and are included in an app.",
        (
            "jobify:Jobify",
            "jobify:JobRouter",
            "jobify:Plugin",
            "jobify:State",
            "jobify:JobifyConfiguration",
        ),
    ),
    Section(
        "Tasks and their options",
        "`@app.task` and `@router.task` are used bare or with the options below "
        "(`@app.task(cron=..., retry=3)`); an unknown option is refused. The "
        "decorated function stays callable directly and gains `push` and "
        "`schedule`.",
        (
            "jobify._kernel.context:RouteOptions",
            "jobify._kernel.routers:TaskRegistrator",
            "jobify.router:Route",
            "jobify.router:RootRoute",
            "jobify:INJECT",
        ),
    ),
    Section(
        "Scheduling",
        "`task.schedule(*args, **kwargs)` binds one call's arguments and returns "
        "a `ScheduleBuilder`; one of its methods then schedules the job.",
        ("jobify:ScheduleBuilder",),
    ),
    Section(
        "Jobs and statuses",
        "Scheduling returns a `Job`: a handle to wait for, read the outcome of, or cancel.",
        ("jobify:Job", "jobify:JobStatus", "jobify:CronContext"),
    ),
    Section(
        "Cron, misfires, retries and run modes",
        "",
        (
            "jobify:Cron",
            "jobify:MisfirePolicy",
            "jobify:GracePolicy",
            "jobify:SmartRetry",
            "jobify:RunMode",
        ),
    ),
    Section(
        "Middleware",
        "",
        (
            "jobify.middleware:BaseMiddleware",
            "jobify.middleware:BaseOuterMiddleware",
            "jobify.middleware:CallNext",
            "jobify.middleware:CallNextOuter",
            "jobify.middleware:ManagedMiddleware",
            "jobify.middleware:DrainingMiddleware",
        ),
        module_doc="jobify.middleware",
    ),
    Section(
        "Contexts",
        "What tasks (through `INJECT` parameters) and middleware receive.",
        (
            "jobify:JobContext",
            "jobify:OuterContext",
            "jobify:RequestState",
            "jobify:Runnable",
        ),
    ),
    Section(
        "Exceptions",
        "",
        tuple(
            f"jobify.exceptions:{name}"
            for name in importlib.import_module("jobify.exceptions").__all__
        ),
        module_doc="jobify.exceptions",
    ),
    Section(
        "Storage contract",
        "What a storage plugin implements, and the optional abilities the "
        "kernel and `jobify jobs` detect with `isinstance`. "
        "[docs/writing-a-plugin.md](writing-a-plugin.md) shows how a plugin "
        "registers one.",
        (
            "jobify.storage:Storage",
            "jobify.storage:ScheduledJob",
            "jobify.storage:SchedulerLock",
            "jobify.storage:InspectableStorage",
            "jobify.storage:SetAsideStorage",
            "jobify.storage:ClusterStorage",
            "jobify.storage:Claim",
            "jobify.storage:ClusterView",
            "jobify.storage:NodeInfo",
            "jobify.storage:checked_row",
            "jobify.storage:checked_aware",
        ),
        module_doc="jobify.storage",
    ),
    Section(
        "Operating a scheduler: storage abilities",
        "What producers, `jobify jobs` and the dashboard rely on: changes made "
        "by other processes, control state, run history and kept outcomes.",
        (
            "jobify.storage:ChangeFeed",
            "jobify.storage:RowChanges",
            "jobify.storage:ControlStorage",
            "jobify.storage:StoredJob",
            "jobify.storage:HistoryStorage",
            "jobify.storage:RunRecord",
            "jobify.storage:ResultStorage",
            "jobify.storage:JobOutcome",
            "jobify.storage:checked_run",
            "jobify.storage:checked_outcome",
            "jobify.storage:ERROR_LIMIT",
            "jobify.storage:SUMMARY_LIMIT",
        ),
    ),
    Section(
        "Serializer, type adapter, cron parser and executor contracts",
        "",
        (
            "jobify.serializers:Serializer",
            "jobify.typeadapter:Dumper",
            "jobify.typeadapter:Loader",
            "jobify.crontab:CronParser",
            "jobify.executors:Executor",
        ),
    ),
)

_ROLE = re.compile(r":(?:class|meth|func|attr|mod|exc|data):`~?([^`]+)`")
_SECTION = re.compile(
    r"(Args|Arguments|Attributes|Returns|Raises|Yields|Examples?|Notes?|Warns?):\s*$"
)
_ITEM = re.compile(r"([\w.*]+(?: \([^)]*\))?):\s*(.*)")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_HIDDEN = {"__init__", "__call__"}


def _inline(text: str) -> str:
    """Turn reST inline markup into Markdown: roles and double backticks."""

    def role(match: re.Match[str]) -> str:
        target = match.group(1)
        short = target.rsplit(".", 1)[-1] if match.group(0).startswith(":") else target
        return f"`{short if '~' in match.group(0) else target}`"

    return _ROLE.sub(role, text).replace("``", "`")


def markdown(doc: str) -> str:
    """Convert one Google-style docstring into Markdown."""
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        section = _SECTION.fullmatch(line.strip()) if not line.startswith(" ") else None
        if section:
            name = section.group(1)
            out.append(f"**{name}**")
            out.append("")
            i += 1
            items: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                text = lines[i].strip()
                indent = len(lines[i]) - len(lines[i].lstrip())
                item = _ITEM.fullmatch(text) if indent <= 4 else None
                if not text:
                    pass
                elif item and name not in ("Returns", "Yields", "Example", "Examples"):
                    items.append(f"- `{item.group(1)}`: {_inline(item.group(2))}".rstrip())
                elif items:
                    items[-1] += " " + _inline(text)
                else:
                    items.append(_inline(text))
                i += 1
            out.extend(items)
            out.append("")
            continue
        if line.rstrip().endswith("::"):
            out.append(_inline(line.rstrip()[:-1]))
            out.append("")
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            width = min(len(b) - len(b.lstrip()) for b in block if b.strip()) if block else 0
            out.append("```python")
            out.extend(b[width:] for b in block)
            out.append("```")
            out.append("")
            continue
        out.append(_inline(line))
        i += 1
    text = "\n".join(out).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


class _Text:
    """An annotation or default shown as written."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _signature(obj: Any, name: str, *, drop_self: bool) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    params = []
    for index, param in enumerate(sig.parameters.values()):
        if drop_self and index == 0 and param.name in ("self", "cls"):
            continue
        changes: dict[str, Any] = {}
        if param.annotation is not inspect.Parameter.empty:
            changes["annotation"] = _Text(_annotation(param.annotation))
        if param.default is not inspect.Parameter.empty:
            changes["default"] = _Text(_default(param.default))
        params.append(param.replace(**changes))
    returns: Any = inspect.Signature.empty
    if sig.return_annotation is not inspect.Signature.empty:
        returns = _Text(_annotation(sig.return_annotation))
    shown = sig.replace(parameters=params, return_annotation=returns)
    text = f"{name}{shown}"
    if len(text) <= 88:
        return text
    parts = str(shown.replace(return_annotation=inspect.Signature.empty))[1:-1]
    inner = _split_params(parts)
    tail = "" if returns is inspect.Signature.empty else f" -> {returns!r}"
    return name + "(\n" + "".join(f"    {p},\n" for p in inner) + ")" + tail


def _default(value: Any) -> str:
    """A default value as code would write it: ``RootRoute``, ``uuid.uuid4``, ``RunMode.MAIN``."""
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return f"{value.__module__.split('.')[0]}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def _split_params(text: str) -> list[str]:
    """Split a parameter list on top-level commas."""
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _annotation(value: Any) -> str:
    if isinstance(value, str):
        return value
    forward = getattr(value, "__forward_arg__", None)  # typing.ForwardRef
    if isinstance(forward, str):
        return forward
    return inspect.formatannotation(value)


def _annotations(cls: type) -> dict[str, Any]:
    """Field annotations of ``cls`` and its bases (a NamedTuple's may sit on a base)."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        found.update(vars(klass).get("__annotations__", {}))
    return found


def _split_attributes(doc: str) -> tuple[str, dict[str, str]]:
    """Take the ``Attributes:`` section out of ``doc``: the rest, and text by name."""
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Attributes:")
    except StopIteration:
        return doc, {}
    notes: dict[str, str] = {}
    end = start + 1
    current = None
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" ")):
        text = lines[end].strip()
        indent = len(lines[end]) - len(lines[end].lstrip())
        item = _ITEM.fullmatch(text) if indent <= 4 else None
        if item:
            current = item.group(1).split(" ")[0]
            notes[current] = item.group(2)
        elif text and current is not None:
            notes[current] += " " + text
        end += 1
    rest = "\n".join(lines[:start] + lines[end:]).strip()
    return rest, notes


def _doc(obj: Any) -> str:
    doc = inspect.getdoc(obj)
    return markdown(doc) if doc else ""


def _members(cls: type) -> list[tuple[str, Any]]:
    """Public methods and properties, own first, then inherited from jobify classes."""
    seen: set[str] = set()
    found: list[tuple[str, Any]] = []
    for klass in cls.__mro__:
        if not klass.__module__.startswith("jobify"):
            continue
        for name, value in vars(klass).items():
            if name in seen or (name.startswith("_") and name != "__call__"):
                continue
            seen.add(name)
            if isinstance(value, property | staticmethod | classmethod) or inspect.isfunction(
                value
            ):
                found.append((name, value))
    return found


def _fields(obj: Any) -> list[tuple[str, str]]:
    """``(name, annotation)`` of a dataclass, NamedTuple or TypedDict."""
    if dataclasses.is_dataclass(obj):
        return [(f.name, _annotation(f.type)) for f in dataclasses.fields(obj)]
    if isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
        notes = _annotations(obj)
        return [(f, _annotation(notes.get(f, ""))) for f in obj._fields]
    if isinstance(obj, type) and hasattr(obj, "__required_keys__"):  # a TypedDict
        return [(k, _annotation(v)) for k, v in obj.__annotations__.items()]
    return []


def _kind(obj: Any) -> str:
    if isinstance(obj, type):
        if issubclass(obj, enum.Enum):
            return "enum"
        if issubclass(obj, BaseException):
            return "exception"
        if getattr(obj, "_is_protocol", False):
            return "protocol"
        if hasattr(obj, "__required_keys__"):
            return "typed dict"
        if dataclasses.is_dataclass(obj):
            return "dataclass"
        if issubclass(obj, tuple) and hasattr(obj, "_fields"):
            return "named tuple"
        return "class"
    if callable(obj) and inspect.isfunction(obj):
        return "function"
    return "value"


def _kind_line(obj: Any, kind: str) -> str:
    """``exception: a BaseJobifyError and a RuntimeError``: the kind, and what it extends."""
    if not isinstance(obj, type) or kind in ("enum", "typed dict", "named tuple"):
        return kind
    skip = {object, BaseException, Exception, Generic, Protocol, NamedTuple, abc.ABC}
    bases = [b for b in obj.__bases__ if b not in skip and not b.__name__.startswith("_")]
    if not bases:
        return kind
    names = " and ".join(f"`{b.__name__}`" for b in bases)
    return f"{kind}, a subclass of {names}"


def _public_path(module: str, name: str) -> str:
    return f"{module}.{name}"


def _cell(text: str) -> str:
    """Text for a table cell: Markdown, with ``|`` escaped (GFM splits cells on it)."""
    return _inline(text).replace("|", "\\|")


def _constructor_doc(cls: type) -> str | None:
    """The docstring of the class's own ``__init__`` or ``__new__``, when it has one."""
    for name in ("__init__", "__new__"):
        func = vars(cls).get(name)
        func = getattr(func, "__func__", func)  # a staticmethod (__new__)
        if (
            inspect.isfunction(func)
            and func.__module__.startswith("jobify")
            and func.__doc__
            and not func.__doc__.startswith("Create new instance of")  # namedtuple's own
        ):
            return inspect.cleandoc(func.__doc__)
    return None


def _constructor(obj: type, name: str, kind: str) -> str | None:
    if kind in ("enum", "protocol", "typed dict"):
        return None
    if kind == "exception" and "__init__" not in vars(obj):
        return None  # the builtin constructor: a message
    if obj.__init__ is object.__init__ and obj.__new__ in (object.__new__, tuple.__new__):
        return None
    return _signature(obj, name, drop_self=False)


def render_object(ref: str, docs: dict[str, str]) -> list[str]:
    """The Markdown of one documented name."""
    module_name, _, attr = ref.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    kind = _kind(obj)
    out = [f"### `{_public_path(module_name, attr)}`", "", f"*{_kind_line(obj, kind)}*", ""]
    if kind == "value":
        shown = obj if isinstance(obj, str) else f"<{type(obj).__name__}>"
        out += ["```python", f"{attr} = {shown}", "```", ""]
        if docs.get(ref):
            out += [markdown(docs[ref]), ""]
        return out
    signature = (
        _constructor(obj, attr, kind)
        if isinstance(obj, type)
        else _signature(obj, attr, drop_self=False)
    )
    if signature:
        out += ["```python", signature, "```", ""]
    doc, notes = _split_attributes(inspect.getdoc(obj) or "")
    if doc:
        out += [markdown(doc), ""]
    init_doc = _constructor_doc(obj) if isinstance(obj, type) and kind != "protocol" else None
    if init_doc and init_doc != inspect.getdoc(obj):
        out += [markdown(init_doc), ""]
    if isinstance(obj, type) and issubclass(obj, enum.Enum):
        out += ["| member | value | meaning |", "|---|---|---|"]
        out += [
            f"| `{m.name}` | `{m.value!r}` | {_cell(notes.get(m.name, ''))} |".rstrip() for m in obj
        ]
        out.append("")
    fields = _fields(obj)
    if fields:
        out += ["| field | type | meaning |", "|---|---|---|"]
        out += [f"| `{n}` | `{_cell(t)}` | {_cell(notes.get(n, ''))} |" for n, t in fields]
        out.append("")
    elif notes and not (isinstance(obj, type) and issubclass(obj, enum.Enum)):
        out += ["**Attributes**", ""]
        out += [f"- `{n}`: {_inline(t)}" for n, t in notes.items()]
        out.append("")
    if isinstance(obj, type) and kind != "exception":
        for name, value in _members(obj):
            out += _render_member(attr, name, value)
    return out


def _render_member(owner: str, name: str, value: Any) -> list[str]:
    func = value.fget if isinstance(value, property) else value
    func = getattr(func, "__func__", func)
    label = f"{owner}.{name}"
    out: list[str] = []
    if isinstance(value, property):
        out += [f"#### `{label}` *(property)*", ""]
    else:
        signature = _signature(func, label, drop_self=True)
        if "\n" in signature:
            out += [f"#### `{label}(...)`", "", "```python", signature, "```", ""]
        else:
            out += [f"#### `{signature}`", ""]
    member_doc = _doc(func)
    if member_doc:
        out += [member_doc, ""]
    return out


def _value_docs() -> dict[str, str]:
    """Docstrings of module-level values (``X: T = ...`` followed by a string)."""
    docs: dict[str, str] = {}
    for section in SECTIONS:
        for ref in section.names:
            module_name, _, attr = ref.partition(":")
            module = importlib.import_module(module_name)
            obj = getattr(module, attr)
            if isinstance(obj, type) or callable(obj):
                continue
            for source in _defining_modules(module, attr):
                doc = _value_doc(source, attr)
                if doc:
                    docs[ref] = doc
                    break
    return docs


def _defining_modules(module: Any, attr: str) -> list[Any]:
    """``module``, then every loaded jobify module that holds the same object."""
    obj = getattr(module, attr)
    found = [module]
    for name, other in sorted(sys.modules.items()):
        if not name.startswith("jobify") or other is module:
            continue
        if vars(other).get(attr, None) is obj:
            found.append(other)
    return found


def _value_doc(module: Any, attr: str) -> str | None:
    """The string literal right after ``attr = ...`` at the top level of ``module``."""
    try:
        body = ast.parse(Path(inspect.getfile(module)).read_text()).body
    except (TypeError, OSError):
        return None
    for node, after in itertools.pairwise(body):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if (
            isinstance(target, ast.Name)
            and target.id == attr
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            return inspect.cleandoc(after.value.value)
    return None


def render() -> str:
    """The whole page."""
    docs = _value_docs()
    out = [
        "<!-- Generated by scripts/gen_reference.py from the code's docstrings: do not edit.",
        "     Change the docstring, then run `python scripts/gen_reference.py`. -->",
        "",
        "# API reference",
        "",
        "Every public name of the `jobify` package (the kernel), with its signature and "
        "its docstring. Plugins document their options in their own READMEs (see the "
        "table in the [README](../README.md)); configuration keys are in the README's "
        '"Configuration" section and plugin hooks in '
        "[writing-a-plugin.md](writing-a-plugin.md).",
        "",
        "## Contents",
        "",
    ]
    for section in SECTIONS:
        anchor = re.sub(r"[^a-z0-9 -]", "", section.title.lower()).replace(" ", "-")
        out.append(f"- [{section.title}](#{anchor})")
    out.append("")
    for section in SECTIONS:
        out += [f"## {section.title}", ""]
        if section.intro:
            out += [section.intro, ""]
        if section.module_doc:
            module_doc = inspect.getdoc(importlib.import_module(section.module_doc))
            if module_doc:
                out += [markdown(module_doc), ""]
        for ref in section.names:
            out += render_object(ref, docs)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the page, or with ``--check`` compare it with the committed one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = PAGE.read_text() if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE} is out of date: run python scripts/gen_reference.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
