"""Run cases in child processes and turn what they wrote into one result per case.

In-process peers run in a worker (worker.py) that forks a child per case. Guile runs as its
own process per case, started here. Either way the child writes phase lines to a file, and
`read_case` turns those lines and the way the child ended into a result dictionary:

    {"status": "ok" | "error" | "timeout" | "crash" | "skipped" | "missing",
     "detail": text for anything but ok,
     "deriv": [seconds, ...], "print": [...], "parse": [...], "eval": [...],
     "print_status", "parse_status": the status of those phases when they did not finish,
     "nodes": tree nodes of the result, for peers that can count them, and "nodes_seconds",
     "traced_peak": bytes of Python heap during differentiation (symdiff only),
     "maxrss_kib": peak resident memory of the child}
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"

# A worker that sends no summary this many seconds after its case's own timeout is restarted.
WORKER_GRACE_SECONDS = 60.0


def child_environment() -> dict[str, str]:
    """Return the environment for children: this checkout's symdiff comes first on the path."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    environment.pop("PYTHONSTARTUP", None)
    return environment


class Worker:
    """A `python -m benchmarks.worker PEER` process that forks one child per case."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.process: subprocess.Popen[str] | None = None
        self.version = ""
        self.missing: str | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", self.peer],
            cwd=ROOT,
            env=child_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        hello = self._read_line(120.0)
        if hello is None:
            self.missing = "the worker did not start"
            self.stop()
            return
        if not hello.get("ready"):
            self.missing = hello.get("error", "setup failed")
            self.stop()
            return
        self.version = hello.get("version", "")

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        """Send one case and return the worker's summary of how its child ended."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        if self.missing:
            return {"end": "missing", "detail": self.missing}
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(json.dumps(case) + "\n")
        self.process.stdin.flush()
        summary = self._read_line(case["timeout"] + WORKER_GRACE_SECONDS)
        if summary is None:
            self.stop()
            return {"end": "crash", "signal": "worker lost", "maxrss_kib": None}
        return summary

    def _read_line(self, timeout: float) -> dict[str, Any] | None:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


def run_guile(arguments: list[str], output: Path, timeout: float, address_space: int) -> dict[str, Any]:
    """Run Guile on guile_driver.scm with `arguments`; stdout goes to `output`."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    # One garbage-collector marking thread, so that Guile runs on one core as the Python peers do
    # and its CPU time is comparable with theirs.
    environment = {**os.environ, "GC_MARKERS": "1"}
    stderr_path = str(output) + ".stderr"
    with open(output, "w", encoding="utf-8") as stdout, open(stderr_path, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            ["guile", str(HERE / "guile_driver.scm"), *arguments],
            cwd=ROOT,
            env=environment,
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=limit_memory,
        )
        return wait_with_timeout(process, timeout)


def wait_with_timeout(process: subprocess.Popen, timeout: float) -> dict[str, Any]:
    """Wait for `process`, killing its process group after `timeout` seconds."""
    started = time.perf_counter()
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started >= timeout:
            os.killpg(process.pid, signal.SIGKILL)
            _, status, usage = os.wait4(process.pid, 0)
            timed_out = True
            break
        time.sleep(0.005)
    # wait4 reaped the child, so Popen must not wait for it again.
    process.returncode = -1
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


def read_python_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(json.loads(line))
    return lines


def read_guile_lines(path: Path) -> list[dict[str, Any]]:
    """Turn the driver's lines ("deriv 0.1 0.2", "at print", "error ...") into phase dicts."""
    lines: list[dict[str, Any]] = []
    if not path.exists():
        return lines
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, rest = line.partition(" ")
        if word == "at":
            lines.append({"phase": "at", "where": rest.strip()})
        elif word == "nodes":
            count, seconds = rest.split()
            if count.startswith(">"):
                lines.append({"phase": "nodes", "count": None, "over": int(count[1:]), "seconds": float(seconds)})
            else:
                lines.append({"phase": "nodes", "count": int(count), "seconds": float(seconds)})
        elif word == "error":
            lines.append({"phase": "error", "during": _last_at(lines), "error": rest.strip()[:300]})
        elif word == "value":
            if lines:
                lines[-1]["value"] = rest.strip()
        elif word:
            lines.append({"phase": word, "times": [float(value) for value in rest.split()]})
    return lines


def _last_at(lines: list[dict[str, Any]]) -> str:
    for line in reversed(lines):
        if line["phase"] == "at":
            return line["where"]
        if line["phase"] in ("deriv", "eval"):
            break
    return "deriv" if not any(line["phase"] == "deriv" for line in lines) else "eval"


def read_case(lines: list[dict[str, Any]], summary: dict[str, Any], first_phase: str = "deriv") -> dict[str, Any]:
    """Combine a child's phase lines and its end into one result (see the module docstring)."""
    result: dict[str, Any] = {"maxrss_kib": summary.get("maxrss_kib")}
    if summary["end"] == "missing":
        return {"status": "missing", "detail": summary.get("detail", "")}
    failed_phase = None
    failure: tuple[str, str] | None = None
    for line in lines:
        phase = line["phase"]
        if phase in ("deriv", "print", "parse", "eval"):
            result[phase] = line["times"]
            if "value" in line:
                result["value"] = line["value"]
        elif phase == "memory":
            result["traced_peak"] = line["peak_bytes"]
        elif phase == "nodes":
            result["nodes"] = line["count"]
            result["nodes_over"] = line.get("over")
            result["nodes_seconds"] = line.get("seconds")
        elif phase == "error":
            failed_phase = line["during"]
            failure = ("error", line["error"])
    ended_badly = summary["end"] != "exit" or bool(summary.get("returncode"))
    if failure is None and ended_badly:
        failed_phase = _unfinished_phase(lines, first_phase)
        if summary["end"] == "timeout":
            failure = ("timeout", "timed out")
        elif summary["end"] == "crash":
            failure = ("crash", f"crashed ({summary.get('signal')})")
        else:
            failure = ("crash", f"exited with status {summary.get('returncode')}")
    if failure is None:
        result["status"] = "ok"
    elif failed_phase == first_phase:
        result["status"], result["detail"] = failure
    else:
        result["status"] = "ok"
        result[f"{failed_phase}_status"] = failure[0]
        result[f"{failed_phase}_detail"] = failure[1]
    return result


def _unfinished_phase(lines: list[dict[str, Any]], first_phase: str) -> str:
    finished = {line["phase"] for line in lines if line["phase"] != "at"}
    if first_phase not in finished:
        return first_phase
    for line in reversed(lines):
        if line["phase"] == "at":
            return line["where"]
    return first_phase
