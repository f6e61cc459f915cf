"""The measuring process for one in-process peer: `python -m benchmarks.worker PEER`.

The worker imports its peer once, then reads one JSON case per line on standard input. For
each case it forks a child, which measures the case and writes JSON lines to the case's output
file. The worker waits for the child up to the case's timeout, then writes one JSON line to
standard output: how the child ended (exit, timeout, crash) and its peak resident memory. So
every peer/size runs in its own process, a crash or timeout ends only that process, and the
import cost of a peer is paid once per run.

The child measures on a thread with a 1 GiB stack and a recursion limit of 800,000, the same
allowance symdiff's evaluator gives Scheme programs (symdiff/evaluator/stack.py), and under an
address-space limit, so that deep recursion and runaway memory end as RecursionError or
MemoryError where Python can catch them.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import signal
import statistics
import sys
import threading
import time
import tracemalloc
from typing import Any

from . import families
from .chapter1 import WORKLOADS
from .peers import HERE, PEERS, Peer, TooLarge

STACK_BYTES = 1024 * 1024 * 1024
RECURSION_LIMIT = 800_000
# Timed regions measure the CPU time of the whole process, all threads included, so that other
# processes competing for the cores inflate the results less than they would wall time.
cpu_time = time.process_time

# Results whose tree has more nodes than this are not printed; symdiff's node_count() gives
# their size instead.
PRINT_LIMIT = 2_000_000


class CaseWriter:
    """Write one JSON object per line to the case's output file, flushed at once."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "w", encoding="utf-8")

    def emit(self, **fields: Any) -> None:
        self.file.write(json.dumps(fields) + "\n")
        self.file.flush()


# Code that a case runs once per repetition starts slow. The 10th derivative of sin x exp x
# took 290, 150 and 110 us in its first repetitions and 75 us from about the tenth on. Running
# the same functions on another expression first removes most of that, so it is mainly
# CPython 3.11 specializing a function's bytecode only after several calls (PEP 659).
# A case whose first repetition takes under a quarter of the budget therefore runs untimed
# warm-up repetitions, up to WARMUP_REPS of them within a quarter of the budget. A slower
# case times its first repetition, because a warm-up would cost a whole repetition.
WARMUP_REPS = 10


def repeat_timed(run_once: Any, budget: float, min_reps: int, max_reps: int, sure_reps: int = 1) -> list[Any]:
    """Call run_once() with the same stopping rule as guile_driver.scm; return its results.

    run_once() returns the seconds it measured. Repetitions stop at max_reps, or once
    `budget` seconds of wall time have passed and min_reps have run, or once 3 * budget
    seconds have passed and sure_reps have run. The wall time includes the untimed work of
    each repetition, such as building the input. Warm-up repetitions (see WARMUP_REPS) come
    before and are not returned.
    """
    # A full collection also empties CPython's free lists, and the first few hundred
    # allocations after one run 40 to 85 percent slower than in a program that has been
    # running. So only the first repetition follows a full collection, and the later ones a
    # collection of the two younger generations, which frees the previous repetition's
    # cyclic garbage.
    gc.collect()
    first_start = time.perf_counter()
    first = run_once()
    results = [first]
    if first < budget / 4:
        # The window starts after the first repetition, whose wall time includes one-time
        # work such as imports.
        results.clear()
        warm_start = time.perf_counter()
        warmed = 1
        while warmed < WARMUP_REPS and time.perf_counter() - warm_start < budget / 4:
            gc.collect(1)
            run_once()
            warmed += 1
    start = time.perf_counter() if not results else first_start
    while True:
        elapsed = time.perf_counter() - start
        if len(results) >= max_reps:
            break
        if elapsed >= budget and len(results) >= min_reps:
            break
        if len(results) >= sure_reps and elapsed >= 3 * budget:
            break
        gc.collect(1)
        results.append(run_once())
    return results


def measure_deriv(peer: Peer, case: dict[str, Any], out: CaseWriter) -> None:
    """Time differentiate, count the result's nodes, print, trace memory and time parsing.

    Before each phase after the first the child emits an "at" line.

    A phase that raises is reported as an error line. A phase that crashes or times out
    leaves its "at" line as the last one, so the caller can tell which phase it was.
    """
    family = families.FAMILIES[case["family"]]
    size = case["size"]
    order = family.order_of(size)
    tree = family.build(size)
    budget, min_reps, max_reps = case["budget"], case["min_reps"], case["max_reps"]
    results: list[Any] = []

    def deriv_once() -> float:
        results.clear()
        peer.clear()
        expr = peer.build(tree)
        start = cpu_time()
        result = peer.differentiate(expr, order)
        elapsed = cpu_time() - start
        results.append(result)
        return elapsed

    current = "deriv"
    try:
        deriv_times = repeat_timed(deriv_once, budget, min_reps, max_reps, case.get("sure_reps", 1))
        result = results[0]
        out.emit(phase="deriv", times=deriv_times)

        nodes = None
        if case["count_nodes"]:
            current = "nodes"
            out.emit(phase="at", where="nodes")
            start = cpu_time()
            try:
                nodes = peer.node_count(result, PRINT_LIMIT)
                out.emit(phase="nodes", count=nodes, seconds=cpu_time() - start)
            except TooLarge:
                out.emit(phase="nodes", count=None, over=PRINT_LIMIT, seconds=cpu_time() - start)

        printing = case["print"]
        if printing == "auto":
            printing = nodes is not None and nodes <= PRINT_LIMIT
        if printing:
            current = "print"
            out.emit(phase="at", where="print")
            out.emit(phase="print", times=repeat_timed(lambda: _time_call(peer.print, result), budget, min_reps, max_reps))
        results.clear()
        del result

        if case["memory"] and peer.traced and statistics.median(deriv_times) <= case["memory_limit_seconds"]:
            current = "memory"
            out.emit(phase="at", where="memory")
            gc.collect()
            peer.clear()
            expr = peer.build(tree)
            tracemalloc.start()
            peer.differentiate(expr, order)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            del expr
            out.emit(phase="memory", peak_bytes=peak)

        if case["parse"] and family.has_text:
            current = "parse"
            text = families.to_infix(tree) if peer.notation == "infix" else families.to_sexpr(tree)
            out.emit(phase="at", where="parse")

            def parse_once() -> float:
                peer.clear()
                return _time_call(peer.parse, text)

            out.emit(phase="parse", times=repeat_timed(parse_once, budget, min_reps, max_reps))
    except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001 - recorded, not hidden
        out.emit(phase="error", during=current, error=_describe(error))


def _time_call(function: Any, argument: Any) -> float:
    start = cpu_time()
    function(argument)
    return cpu_time() - start


def measure_eval(peer: Peer, case: dict[str, Any], out: CaseWriter) -> None:
    """Time one chapter 1 workload: Scheme on symdiff, or the same algorithm in CPython."""
    scheme_call, python_call, _full, _quick = WORKLOADS[case["workload"]]
    argument = case["argument"]
    budget, min_reps, max_reps = case["budget"], case["min_reps"], case["max_reps"]
    try:
        if peer.name == "scheme":
            import symdiff

            interpreter = symdiff.Interpreter()
            interpreter.eval((HERE / "chapter1.scm").read_text(encoding="utf-8"))
            source = scheme_call.format(argument)

            def call() -> Any:
                return interpreter.eval(source)
        else:

            def call() -> Any:
                return python_call(argument)

        values: list[Any] = []

        def run_once() -> float:
            start = cpu_time()
            values.append(call())
            return cpu_time() - start

        times = repeat_timed(run_once, budget, min_reps, max_reps)
        out.emit(phase="eval", times=times, value=repr(values[-1]))
    except (Exception, RecursionError, MemoryError) as error:  # noqa: BLE001 - recorded, not hidden
        out.emit(phase="error", during="eval", error=_describe(error))


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 300 else text[:297] + "..."


def run_child(peer: Peer, case: dict[str, Any]) -> None:
    """Measure one case on a large-stack thread; runs in the forked child."""
    limit = case["address_space_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = CaseWriter(case["output"])
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)
    measure = measure_eval if case["kind"] == "eval" else measure_deriv
    thread = threading.Thread(target=measure, args=(peer, case, out), name="benchmark-case")
    thread.start()
    thread.join()


def run_case(peer: Peer, case: dict[str, Any]) -> dict[str, Any]:
    """Fork a child for `case`, wait for it with the case's timeout, and describe how it ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            stderr = os.open(case["output"] + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(stderr, 2)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            run_child(peer, case)
        except BaseException:  # noqa: BLE001 - the child must never return into the worker loop
            code = 70
        finally:
            os._exit(code)

    deadline = started + case["timeout"]
    timed_out = False
    while True:
        finished, status, usage = os.wait4(pid, os.WNOHANG)
        if finished:
            break
        if time.perf_counter() >= deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            timed_out = True
            break
        time.sleep(0.005)

    summary: dict[str, Any] = {"wall": time.perf_counter() - started, "maxrss_kib": usage.ru_maxrss}
    if timed_out:
        summary["end"] = "timeout"
    elif os.WIFSIGNALED(status):
        summary["end"] = "crash"
        summary["signal"] = signal.Signals(os.WTERMSIG(status)).name
    else:
        summary["end"] = "exit"
        summary["returncode"] = os.WEXITSTATUS(status)
    return summary


def main() -> None:
    peer = PEERS[sys.argv[1]]()
    try:
        peer.setup()
    except ImportError as error:
        print(json.dumps({"ready": False, "error": _describe(error)}), flush=True)
        return
    print(json.dumps({"ready": True, "version": peer.version()}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run_case(peer, json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
