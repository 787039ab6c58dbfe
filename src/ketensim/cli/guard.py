"""Error handling of every command in one place: each failure is one line on stderr, bad
input exits 2, a fault during the run 1, Ctrl-C 130; no traceback unless ``-v``."""
from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from pathlib import Path

from .options import DEFAULT_TARGETS

INPUT_OPTIONS = ("targets", "spec", "backtest", "baseline")
"""Options naming a file or folder to read: when given explicitly, it must exist."""


def fail(message: str, code: int) -> int:
    """Print the one-line error (over a progress bar, not after it) and return the exit code."""
    from ..scenario.errors import one_line

    clear = "\r\033[K" if sys.stderr.isatty() else ""
    print(f"{clear}ketensim: error: {one_line(message)}", file=sys.stderr)
    return code


def check_common_args(args: argparse.Namespace, defaults: dict[str, object] | None = None) -> None:
    """Checks of options whatever subcommand declares them: a seed is a whole number in
    range, a precision a positive finite number, an explicitly given input file exists."""
    import math

    from ..experiment.runner import check_seed
    from ..scenario.errors import ScenarioError

    if getattr(args, "seed", None) is not None:
        check_seed(args.seed, "--seed")
    precision = getattr(args, "precision", None)
    if precision is not None and not (isinstance(precision, float) and math.isfinite(precision) and precision > 0):
        raise ScenarioError("--precision", "", f"must be a positive number (a relative half-width such as "
                            f"0.05), got {precision}")
    for opt in INPUT_OPTIONS:
        value = getattr(args, opt, None)
        if value and value != (defaults or {}).get(opt) and value != DEFAULT_TARGETS and not Path(value).exists():
            raise ScenarioError(f"--{opt}", value, "not found")


def subcommand_defaults(parser: argparse.ArgumentParser, command: str | None) -> dict[str, object]:
    """The chosen subcommand's option defaults (to tell an explicit option from a default)."""
    for action in parser._subparsers._group_actions if parser._subparsers else []:  # noqa: SLF001
        sub = getattr(action, "choices", {}).get(command) if command else None
        if sub is not None:
            return {a.dest: a.default for a in sub._actions}  # noqa: SLF001
    return {}


def _call(args: argparse.Namespace, defaults: dict[str, object] | None) -> int:
    """The handler, with limits lifted when asked and text never parsed as maths by
    matplotlib (only in commands that plot: ``plots=False`` ones do not import it)."""
    from ..scenario.bounds import limits_off
    from ..scenario.errors import sigterm_as_interrupt

    with contextlib.ExitStack() as stack:
        stack.enter_context(sigterm_as_interrupt())  # SIGTERM cleans up like Ctrl-C (exit 143)
        if getattr(args, "no_limits", False):
            stack.enter_context(limits_off())
        if getattr(args, "plots", True):  # ``plots=False``: matplotlib not imported (~0.1 s)
            with contextlib.suppress(ImportError):
                import matplotlib

                stack.enter_context(matplotlib.rc_context({"text.parse_math": False}))
        check_common_args(args, defaults)
        return int(args.func(args) or 0)


def run_guarded(args: argparse.Namespace, defaults: dict[str, object] | None = None) -> int:
    """Run a subcommand so that every failure is one line on stderr: bad input exits 2, a
    fault during the run 1 (the message says what was kept), Ctrl-C 130; ``-v`` adds the
    traceback of unexpected errors."""
    from ..experiment.executors import ExecutorError
    from ..scenario.errors import RunFault, ScenarioError

    try:
        return _call(args, defaults)
    except (ScenarioError, ExecutorError) as exc:
        return fail(str(exc), getattr(exc, "exit_code", 2))
    except RunFault as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt as exc:
        return fail("interrupted", getattr(exc, "exit_code", 130))
    except BrokenPipeError:  # output piped into `head`: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        return fail(f"{exc.filename or 'ketensim'}: {exc.strerror or exc}", 1)
    except RecursionError:
        return fail("input nested too deeply", 2)
    except MemoryError:
        return fail("out of memory (try fewer replications, design points or weeks)", 1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        if args.verbose:
            traceback.print_exc()
        return fail(f"internal error: {type(exc).__name__}: {exc} (rerun with -v for the traceback)", 1)
