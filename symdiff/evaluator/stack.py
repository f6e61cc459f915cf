"""Run evaluation on a thread with a large stack, so deep recursion fails cleanly.

Non-tail recursion in a Scheme program becomes Python recursion in the evaluator. The main
thread's stack (often 8 MiB) and Python's default recursion limit (1000) would stop a program
after a few hundred nested calls. So evaluation runs on a worker thread with a large stack and
a raised recursion limit, and Python's RecursionError becomes a Scheme error. Ctrl-C in the
calling thread is passed on to the worker as an asynchronous KeyboardInterrupt.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from typing import Any, Callable

from ..errors import EvaluationError, RecursionDepthError, SchemeInterrupt

logger = logging.getLogger("symdiff")

# Virtual size of the worker's stack; pages are committed only as recursion reaches them.
STACK_BYTES = 1024 * 1024 * 1024

# Python frames allowed on the worker. One level of Scheme recursion takes one frame in a
# procedure compiled to Python and four or five in an interpreted one. So this admits about
# 790,000 or 170,000 nested non-tail calls. A runaway recursion fails after about 4 seconds and
# 400 MB (measured on CPython 3.11, x86_64). From Python 3.11 on, calls between
# Python functions use no C stack; Python 3.10 uses some for every frame.
# NOTE: the Python 3.10 limit is an estimate for the 1 GiB stack, not measured.
RECURSION_LIMIT = 800_000 if sys.version_info >= (3, 11) else 200_000

_worker = threading.local()
_limit_lock = threading.Lock()
_active_workers = 0
_saved_limit = sys.getrecursionlimit()


def in_worker() -> bool:
    """Return True when called on an evaluation worker thread."""
    return getattr(_worker, "active", False)


def recursion_error() -> RecursionDepthError:
    return RecursionDepthError(
        "recursion too deep: more nested calls than the evaluator's stack allows (about "
        "790,000, or 170,000 in interpreted procedures); make the recursive call a tail call, "
        "or use an iterative process"
    )


def run_deep(function: Callable[[], Any]) -> Any:
    """Call `function` on a large-stack worker thread and return its result or raise its error.

    Nested calls from a worker run directly. A KeyboardInterrupt in the caller interrupts the
    worker, which then raises SchemeInterrupt here.
    """
    if in_worker():
        return function()

    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        _worker.active = True
        try:
            outcome["value"] = function()
        except RecursionError:
            outcome["error"] = recursion_error()
        except KeyboardInterrupt:
            outcome["error"] = SchemeInterrupt("interrupted")
        except MemoryError:
            outcome["error"] = EvaluationError("out of memory: the program built more data than fits")
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread below
            outcome["error"] = exc
        finally:
            finished.set()

    try:
        thread = _start_worker(target)
    except RuntimeError as error:
        # CPython raises RuntimeError when the system cannot create the thread, usually
        # because an address-space limit leaves no room for its stack.
        logger.debug("evaluation thread not started: %s", error)
        _release_limit()
        raise EvaluationError(
            f"cannot start the evaluation thread ({error}): it reserves "
            f"{STACK_BYTES // 1024**3} GiB of address space for deep recursion; "
            "raise the address-space limit (ulimit -v) or unset it"
        ) from None
    try:
        _wait(thread, finished)
    finally:
        _release_limit()
    if "error" not in outcome:
        return outcome.get("value")
    error = outcome.pop("error")
    try:
        raise error.with_traceback(error.__traceback__)
    finally:
        # The traceback refers to this frame and to target's, whose locals would refer back to
        # the error: a cycle that would keep the failed computation's data alive until the next
        # cyclic collection.
        del error


def _start_worker(target: Callable[[], None]) -> threading.Thread:
    global _active_workers
    with _limit_lock:
        if _active_workers == 0:
            global _saved_limit
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(RECURSION_LIMIT, _saved_limit))
        _active_workers += 1
        previous_size = threading.stack_size()
        try:
            threading.stack_size(STACK_BYTES)
            thread = threading.Thread(target=target, name="symdiff-eval", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous_size)
    return thread


def _release_limit() -> None:
    global _active_workers
    with _limit_lock:
        _active_workers -= 1
        if _active_workers == 0:
            sys.setrecursionlimit(_saved_limit)


def _wait(thread: threading.Thread, finished: threading.Event) -> None:
    """Wait for the worker; on Ctrl-C, interrupt it and wait for it to unwind.

    The wait is on an event rather than Thread.join: in CPython 3.11 a join interrupted by
    KeyboardInterrupt can mark the thread as stopped while it still runs.
    """
    while True:
        try:
            finished.wait()
            break
        except KeyboardInterrupt:
            logger.debug("interrupting evaluation thread %s", thread.ident)
            _raise_in_thread(thread, KeyboardInterrupt)
    # The worker has finished its work but may still be exiting. Waiting for it frees its
    # stack before the next evaluation starts another worker, so that two large stacks never
    # coexist under an address-space limit.
    try:
        thread.join()
    except KeyboardInterrupt:
        pass  # the result is complete, so a Ctrl-C this late has nothing left to stop


def _raise_in_thread(thread: threading.Thread, exception: type[BaseException]) -> None:
    if thread.ident is None:
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exception))
