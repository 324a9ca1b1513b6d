"""Command line: parses arguments, calls scanner.api, prints, and turns errors into
exit codes in one place (``main``). Nothing outside this package imports it."""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence

from scanner.cli.exits import EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, exit_code
from scanner.cli.parser import HANDLERS, UsageError, build_parser
from scanner.errors import LockHeld, VetscanError
from scanner.redact import scrub
from scanner.textsafe import term

__all__ = ["build_parser", "entry", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    # URLs given (history, broker) may carry passwords: no error line repeats them,
    # whichever library's message quotes them.
    urls = [a.split("=", 1)[-1] for a in args_list if "://" in a]
    urls += [os.environ.get(k, "") for k in ("VETSCAN_DB", "VETSCAN_QUEUE")]
    _error = _scrubbing(tuple(u for u in urls if "://" in u))
    try:
        args = build_parser().parse_args(args_list)
        return HANDLERS[args.command](args)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except LockHeld as exc:
        _error(f"{exc}; this run exits (code {exit_code(exc)})")
        return exit_code(exc)
    except VetscanError as exc:
        _error(str(exc))
        return exit_code(exc)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INCOMPLETE
    except BrokenPipeError:
        # The reader went away (`vetscan checks | head`): nothing left to tell anyone.
        sys.stderr.close()
        return EXIT_OK
    except RecursionError:
        _error("input nested too deeply")
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - last resort: one line, traceback with -v
        if verbose:
            traceback.print_exc()
        _error(f"unexpected {type(exc).__name__}: {exc}" + ("" if verbose else " (use -v)"))
        return EXIT_INCOMPLETE


def entry() -> None:
    """The ``vetscan`` command: main(), then an exit nothing left behind can delay.

    Everything is written and stored before main() returns. A thread a probe left
    behind (inside a third-party library, waiting on a hostile server) may still
    be running; interpreter shutdown would join it, so the process ends at once
    instead, after flushing what it printed.
    """
    code = main()
    lingering = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    if not lingering:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _scrubbing(urls: tuple[str, ...]) -> Callable[[str], None]:
    def error(message: str) -> None:
        for url in urls:
            message = scrub(message, url)
        print(f"vetscan: error: {term(message)}", file=sys.stderr)

    return error
