"""Turning validation failures into one clear line: file, path, bad value, what is allowed."""
from __future__ import annotations

import contextlib
import difflib
import reprlib
import typing
from collections.abc import Iterator
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

MAX_MESSAGE = 400
"""Longest error line: a huge or hostile value is shown truncated."""

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlevel = 60, 60, 3
_repr.maxdict = _repr.maxlist = _repr.maxtuple = _repr.maxset = 4


def short(value: Any, limit: int = 80, quote: bool = True) -> str:
    """A bounded repr of any value (bounded work too: deep or shared structures are cut
    by reprlib before they are walked), for error messages."""
    text = _repr.repr(value) if quote else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """Newlines folded and the length bounded, so an error is always one readable line."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ScenarioError(Exception):
    """Bad input (a scenario, sweep, option or results folder that cannot be used). The CLI
    prints it on one line and exits with 2."""

    exit_code = 2

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source, self.path, self.problem = source, path, problem
        where = f"{short(source, 160, quote=False)}: " + (f"{short(path, 100, quote=False)}: " if path else "")
        super().__init__(one_line(where + problem))


class ResultsError(ScenarioError):
    """A results folder or run store that is missing, damaged or in use (exit 2)."""


class RunFault(Exception):
    """A fault during a run (disk full, workers lost, interrupted): the message says what
    was kept. The CLI prints it on one line and exits with 1 (130 when interrupted, 143
    when the interrupt was a SIGTERM)."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1) -> None:
        import sys

        if exit_code == 130 and isinstance(sys.exc_info()[1], Terminated):
            exit_code = Terminated.exit_code  # raised while handling a SIGTERM
        self.exit_code = exit_code
        super().__init__(one_line(message))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be: the same cleanup, the same "kept ..., resume
    with ..." line, exit 143 (128 + SIGTERM)."""

    exit_code = 143


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises ``Terminated`` in the main thread, so a terminated
    command cleans up and reports like an interrupted one. Elsewhere (a worker thread) a
    no-op; the previous handler comes back on exit."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema class that owns the last element of ``loc`` (None when not a model)."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """list[X] / X | None / Annotated[X, ...] -> X, so nested models can be walked."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is None:
            return annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin in (list, tuple, set) or origin is typing.Union or str(origin) == "types.UnionType" or origin is typing.Annotated:
            annotation = args[0]
        else:
            return annotation


def dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's mark of a mapping key: the key itself is bad
            out += " (the key)"
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(err: Mapping[str, Any], root: type[BaseModel]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    got = f", got {short(value)}"
    if kind == "extra_forbidden":
        owner = _model_at(root, err["loc"])
        allowed = sorted(owner.model_fields) if owner else []
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint} allowed: {', '.join(allowed)}"
    if kind == "missing":
        return "required key is missing"
    bounds = {
        "greater_than_equal": ("ge", ">="),
        "greater_than": ("gt", ">"),
        "less_than_equal": ("le", "<="),
        "less_than": ("lt", "<"),
    }
    if kind in bounds:
        key, sym = bounds[kind]
        return f"must be {sym} {ctx.get(key)}{got}"
    if kind.startswith("int_"):
        return f"must be a whole number{got}"
    if kind.startswith("float_"):
        return f"must be a number{got}"
    if kind.startswith("bool_"):
        return f"must be true or false{got}"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return f"must be a date (YYYY-MM-DD) or ISO week (YYYY-Www){got}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}{got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of keys to values{got}"
    if kind == "list_type":
        return f"must be a list{got}"
    if kind == "string_type":
        return f"must be text{got}"
    if kind == "too_short":
        return f"must not be empty{got}"
    if kind == "value_error":
        msg = str(ctx.get("error", err["msg"]))
        return msg.removeprefix("Value error, ")
    if kind == "finite_number":
        return f"must be a finite number{got}"
    return f"{err['msg'][0].lower()}{err['msg'][1:]}{got}"


def from_validation(
    exc: ValidationError, source: str, root: type[BaseModel], prefix: str = ""
) -> ScenarioError:
    """The first problem of a pydantic error as a ScenarioError (with a count of the rest)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = dotted(first["loc"])
    problem = _problem(first, root)
    if len(errors) > 1:
        problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    full = f"{prefix}.{path}" if prefix and path else (prefix or path)
    return ScenarioError(source, full, problem)
