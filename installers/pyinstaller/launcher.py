"""What the two frozen executables do before handing over to the real entry points.

A PyInstaller executable is not a Python interpreter, yet parts of the project start children as
``sys.executable -m <module> …`` (the devnet's bootstrap peer and oracle, the app's node supervisor). The
frozen executables therefore accept that one interpreter form: ``-m MODULE ARGS…`` runs MODULE as
``__main__`` (interpreter flags such as ``-u`` or ``-B`` before it are accepted and ignored), so the same
command lines work from a checkout and from the bundle. Everything else goes to the executable's own
``main`` (``core.cli:main`` for ``plumise-petals``, ``app.main:main`` for ``plumise-petals-app``), except
``--self-test``, which runs :mod:`core.self_test` from either executable.

``multiprocessing.freeze_support()`` comes first: it lets multiprocessing's helper processes (resource
tracker, spawn/forkserver children) start from the frozen executable.
"""
from __future__ import annotations

import os
import runpy
import sys
from typing import Callable, Optional, Sequence

# Interpreter flags that take no value / one value; accepted before -m and ignored (the bundle is fixed).
_FLAGS_NO_VALUE = frozenset({"-u", "-B", "-s", "-S", "-E", "-I", "-O", "-OO", "-q", "-b", "-bb", "-P"})
_FLAGS_WITH_VALUE = frozenset({"-X", "-W"})


def module_invocation(argv: Sequence[str]) -> Optional[tuple[str, list[str]]]:
    """``(module, module_argv)`` when ``argv[1:]`` is ``[flags…] -m MODULE ARGS…``, else None.

    ``module_argv`` is what ``sys.argv`` holds inside the module, as with ``python -m``: the module's
    name first (Python puts the file path there; nothing in the project reads it), then its arguments.
    """
    args = list(argv[1:])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-m":
            if i + 1 >= len(args):
                return None
            return args[i + 1], [args[i + 1], *args[i + 2:]]
        if arg.startswith("-m") and len(arg) > 2:  # -mcore
            return arg[2:], [arg[2:], *args[i + 1:]]
        if arg in _FLAGS_NO_VALUE:
            i += 1
        elif arg in _FLAGS_WITH_VALUE:
            i += 2
        elif arg[:2] in _FLAGS_WITH_VALUE and len(arg) > 2:  # -Xutf8
            i += 1
        else:
            return None
    return None


def _honour_unbuffered() -> None:
    # The bootloader ignores PYTHONUNBUFFERED; parents that read JSON lines from a pipe set it.
    if os.environ.get("PYTHONUNBUFFERED"):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.reconfigure(line_buffering=True)
            except (AttributeError, ValueError):
                pass


def run(default_main: Callable[[Optional[Sequence[str]]], Optional[int]], argv: Optional[Sequence[str]] = None) -> int:
    """Dispatch ``argv`` (default ``sys.argv``) and return the exit status."""
    import multiprocessing

    multiprocessing.freeze_support()
    argv = list(sys.argv if argv is None else argv)
    _honour_unbuffered()
    invocation = module_invocation(argv)
    if invocation is not None:
        module, module_argv = invocation
        sys.argv = module_argv
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            return _exit_code(exc.code)
        return 0
    if len(argv) > 1 and argv[1] == "--self-test":
        from core.self_test import main as self_test_main

        return _exit_code(self_test_main(argv[2:]))
    return _exit_code(default_main(argv[1:]))


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
