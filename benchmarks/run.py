"""Run the benchmark suite and write its results as Markdown.

    python -m benchmarks                 # full run: 4 to 5 minutes on 2 cores; prints Markdown
    python -m benchmarks --quick         # smoke run for CI: about 30 s
    python -m benchmarks --only chain --only startup
    python -m benchmarks --write-page    # rewrite docs/benchmarks.md
    python -m benchmarks --output results.md --json results.json

Cases run one at a time, each in its own child process with a timeout (see harness.py and
worker.py). Progress goes to standard error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import families, report
from .chapter1 import WORKLOADS
from .harness import HERE, ROOT, Worker, child_environment, read_case, read_guile_lines, read_python_lines, run_guile
from .worker import PRINT_LIMIT

PEER_ORDER = ["symdiff", "sympy", "symengine", "python", "scheme", "guile"]
PEER_LABELS = {
    "symdiff": "symdiff",
    "sympy": "SymPy",
    "symengine": "SymEngine",
    "python": "Python port",
    "scheme": "Scheme on symdiff",
    "guile": "Guile",
}
FAMILY_ORDER = ["polynomial", "product", "chain", "dag", "random", "kth_sin_exp", "kth_sigmoid"]
EXTRA_PARTS = ["evaluator", "startup"]
PAGE = ROOT / "docs" / "benchmarks.md"
GiB = 1024**3

DOUBLING_SIZES = [100 * 2**j for j in range(11)]


@dataclass
class Settings:
    """How much to measure; `full()` and `quick()` are the two presets."""

    mode: str
    sizes: dict[str, list[int]]
    # Repetitions of a phase stop after `budget` seconds once `min_reps` have run (harness rule).
    budget: float
    min_reps: int
    max_reps: int
    timeout: float
    eval_timeout: float
    # A peer whose differentiation takes longer than this is not run at larger sizes.
    cutoff: float
    # symdiff's differentiation is traced with tracemalloc only when it takes at most this long.
    memory_limit_seconds: float
    address_space_bytes: int
    startup_runs: int
    eval_arguments: dict[str, int] = field(default_factory=dict)
    # symdiff's differentiation runs at least this many times even where one run takes over
    # 3 * budget. The time(2N)/time(N) targets are judged on symdiff's largest sizes, and there
    # a single run varies by about 15 percent from one run of the suite to the next.
    symdiff_reps: int = 1
    # A case whose differentiation median is under this many seconds runs its differentiation
    # again in a second child, and the faster child's times count, for every peer. A child can
    # run a case up to 50 percent slower than another child does, in all its repetitions, and
    # on the smallest cases that decides targets. 0 turns the second child off.
    second_child_below: float = 0.0

    @classmethod
    def full(cls) -> "Settings":
        sizes = {name: DOUBLING_SIZES for name in ("polynomial", "product", "chain", "random")}
        sizes["dag"] = list(range(1, 21)) + [25, 30, 35, 40]
        sizes["kth_sin_exp"] = sizes["kth_sigmoid"] = list(range(1, 11))
        return cls("full", sizes, budget=0.1, min_reps=5, max_reps=25, timeout=60.0, eval_timeout=90.0,
                   cutoff=0.5, memory_limit_seconds=0.5, address_space_bytes=6 * GiB, startup_runs=10,
                   eval_arguments={name: workload[2] for name, workload in WORKLOADS.items()}, symdiff_reps=3,
                   second_child_below=0.01)

    @classmethod
    def quick(cls) -> "Settings":
        sizes = {name: [100, 200] for name in ("polynomial", "product", "chain", "random")}
        sizes["dag"] = [5, 6, 20, 40]
        sizes["kth_sin_exp"] = sizes["kth_sigmoid"] = [1, 2, 3]
        return cls("quick", sizes, budget=0.02, min_reps=1, max_reps=5, timeout=5.0, eval_timeout=10.0,
                   cutoff=0.05, memory_limit_seconds=0.05, address_space_bytes=6 * GiB, startup_runs=3,
                   eval_arguments={name: workload[3] for name, workload in WORKLOADS.items()})


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Suite:
    """Runs the selected parts and collects their results into one JSON-ready dictionary."""

    def __init__(self, settings: Settings, peers: list[str], scratch: Path) -> None:
        self.settings = settings
        self.peers = peers
        self.scratch = scratch
        self.workers: dict[str, Worker] = {}
        self.versions: dict[str, str] = {}
        self.missing: dict[str, str] = {}
        self.case_number = 0
        if "guile" in peers:
            self._check_guile()

    # --- peers -----------------------------------------------------------------------------

    def _check_guile(self) -> None:
        if shutil.which("guile") is None:
            self.missing["guile"] = "guile is not on PATH (Debian: apt-get install guile-3.0)"
            return
        version = subprocess.run(["guile", "--version"], capture_output=True, text=True, timeout=30)
        self.versions["guile"] = version.stdout.splitlines()[0].rsplit(" ", 1)[-1] if version.stdout else "?"
        # Compile the driver and the programs once, so no case pays for compilation.
        for program, mode, arguments in (
            ("textbook_deriv.scm", "deriv", ["dag:1", "1", "1", "0", "0", "1", "1"]),
            ("chapter1.scm", "eval", ["(fib 2)", "0", "1", "1"]),
        ):
            subprocess.run(["guile", str(HERE / "guile_driver.scm"), mode, str(HERE / program), *arguments],
                           cwd=ROOT, capture_output=True, timeout=300, check=False)

    def worker(self, peer: str) -> Worker | None:
        if peer in self.missing:
            return None
        if peer not in self.workers:
            worker = Worker(peer)
            worker.start()
            if worker.missing:
                self.missing[peer] = worker.missing
                return None
            self.workers[peer] = worker
            self.versions[peer] = worker.version
        return self.workers[peer]

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()

    def _output_path(self) -> Path:
        self.case_number += 1
        return self.scratch / f"case-{self.case_number}.jsonl"

    def _common(self) -> dict[str, Any]:
        s = self.settings
        return {"budget": s.budget, "min_reps": s.min_reps, "max_reps": s.max_reps,
                "address_space_bytes": s.address_space_bytes}

    # --- expression families -------------------------------------------------------------------

    def run_deriv_case(self, peer: str, family: str, size: int, print_result: Any, parse: bool,
                       count_nodes: bool, trace_memory: bool = True) -> dict[str, Any]:
        """Run one case; print_result is "auto" (print when the result's own node count is at
        most PRINT_LIMIT), True or False."""
        if peer in self.missing:
            return {"status": "missing", "detail": self.missing[peer]}
        output = self._output_path()
        memory = peer == "symdiff" and trace_memory
        if peer == "guile":
            return self._run_guile_deriv(family, size, print_result == "auto", parse, output)
        worker = self.worker(peer)
        if worker is None:
            return {"status": "missing", "detail": self.missing[peer]}
        case = {"kind": "deriv", "family": family, "size": size, "print": print_result, "parse": parse,
                "count_nodes": count_nodes, "memory": memory, "memory_limit_seconds": self.settings.memory_limit_seconds,
                "timeout": self.settings.timeout, "output": str(output),
                "sure_reps": self.settings.symdiff_reps if peer == "symdiff" else 1, **self._common()}
        summary = worker.run(case)
        return read_case(read_python_lines(output), summary)

    def _run_guile_deriv(self, family: str, size: int, print_result: bool, parse: bool, output: Path) -> dict[str, Any]:
        spec = families.FAMILIES[family]
        if family == "dag":
            source = f"dag:{size}"
        else:
            source_path = output.with_suffix(".scm")
            source_path.write_text(families.to_sexpr(spec.build(size)), encoding="utf-8")
            source = str(source_path)
        s = self.settings
        arguments = ["deriv", str(HERE / "textbook_deriv.scm"), source, str(spec.order_of(size)),
                     str(PRINT_LIMIT if print_result else 0), "1" if parse else "0",
                     str(s.budget), str(s.min_reps), str(s.max_reps)]
        summary = run_guile(arguments, output, s.timeout, s.address_space_bytes)
        return read_case(read_guile_lines(output), summary)

    def run_family(self, name: str) -> dict[str, Any]:
        spec = families.FAMILIES[name]
        sizes = self.settings.sizes[name]
        cases: dict[str, dict[int, dict[str, Any]]] = {peer: {} for peer in self.peers}
        stopped: dict[str, str] = {}
        slow: dict[str, set[str]] = {"parse": set(), "print": set(), "nodes": set()}
        for size in sizes:
            symdiff_printed = False
            for peer in self.peers:
                if peer in stopped:
                    cases[peer][size] = {"status": "skipped", "detail": stopped[peer]}
                    continue
                if peer in ("sympy", "symengine"):
                    # They cannot count their results' nodes, so they follow symdiff's decision.
                    print_result: Any = symdiff_printed and peer not in slow["print"]
                else:
                    print_result = "auto" if peer not in slow["print"] else False
                parse = spec.has_text and peer not in slow["parse"]
                started = time.perf_counter()
                case = self.run_deriv_case(peer, name, size, print_result, parse, peer not in slow["nodes"])
                case = self._with_second_child(peer, name, size, case)
                case["printed"] = "print" in case or bool(case.get("print_status"))
                cases[peer][size] = case
                if peer == "symdiff":
                    symdiff_printed = case["printed"]
                self._report_progress(name, peer, size, case, time.perf_counter() - started)
                stop = self._stop_reason(peer, case, spec, size)
                if stop:
                    stopped[peer] = stop
                for phase, peers in slow.items():
                    if self._phase_too_slow(case, phase):
                        peers.add(peer)
        return {"sizes": sizes, "cases": cases}

    def _with_second_child(self, peer: str, family: str, size: int, case: dict[str, Any]) -> dict[str, Any]:
        """Time a small case's differentiation in a second child; keep the child with the lower median.

        `deriv_children` records both children's times. Only differentiation runs again.
        """
        limit = self.settings.second_child_below
        if case["status"] != "ok" or statistics.median(case["deriv"]) >= limit:
            return case
        again = self.run_deriv_case(peer, family, size, False, False, False, trace_memory=False)
        if again["status"] != "ok":
            return case
        case["deriv_children"] = [case["deriv"], again["deriv"]]
        case["deriv"] = min(case["deriv_children"], key=statistics.median)
        return case

    def _stop_reason(self, peer: str, case: dict[str, Any], spec: families.Family, size: int) -> str | None:
        label = f"{spec.size_label.split()[-1]} = {size}"
        if case["status"] == "missing":
            return None
        if case["status"] != "ok":
            return f"not run: {case['status']} at {label}"
        # symdiff is the reference, so only a failure stops it.
        if peer != "symdiff" and statistics.median(case["deriv"]) > self.settings.cutoff:
            return f"not run: over {self.settings.cutoff:g} s at {label}"
        return None

    def _phase_too_slow(self, case: dict[str, Any], phase: str) -> bool:
        if case.get(f"{phase}_status"):
            return True
        if phase == "nodes":
            return (case.get("nodes_seconds") or 0) > self.settings.cutoff
        times = case.get(phase)
        return bool(times) and statistics.median(times) > self.settings.cutoff

    def _report_progress(self, family: str, peer: str, size: int, case: dict[str, Any], wall: float) -> None:
        if case["status"] == "ok":
            outcome = f"deriv {statistics.median(case['deriv']):.4g} s"
            for phase in ("print", "parse"):
                if case.get(f"{phase}_status"):
                    outcome += f", {phase} {case[f'{phase}_status']}"
        else:
            outcome = f"{case['status']}: {case.get('detail', '')}"
        progress(f"{family:12} {size:>7} {peer:10} {outcome} ({wall:.1f} s)")

    # --- evaluator and start-up --------------------------------------------------------------

    def run_evaluator(self) -> dict[str, Any]:
        results: dict[str, dict[str, Any]] = {}
        s = self.settings
        for name, (scheme_call, _function, _full, _quick) in WORKLOADS.items():
            argument = s.eval_arguments[name]
            results[name] = {"call": scheme_call.format(argument)}
            for peer in ("scheme", "python", "guile"):
                started = time.perf_counter()
                output = self._output_path()
                if peer == "guile":
                    if "guile" not in self.peers:
                        case = {"status": "skipped", "detail": "not selected"}
                    elif "guile" in self.missing:
                        case = {"status": "missing", "detail": self.missing["guile"]}
                    else:
                        arguments = ["eval", str(HERE / "chapter1.scm"), scheme_call.format(argument),
                                     str(s.budget), str(s.min_reps), str(s.max_reps)]
                        summary = run_guile(arguments, output, s.eval_timeout, s.address_space_bytes)
                        case = read_case(read_guile_lines(output), summary, first_phase="eval")
                else:
                    worker = self.worker(peer)
                    if worker is None:
                        case = {"status": "missing", "detail": self.missing[peer]}
                    else:
                        spec = {"kind": "eval", "workload": name, "argument": argument,
                                "timeout": s.eval_timeout, "output": str(output), **self._common()}
                        summary = worker.run(spec)
                        case = read_case(read_python_lines(output), summary, first_phase="eval")
                results[name][peer] = case
                outcome = (f"{statistics.median(case['eval']):.4g} s" if case["status"] == "ok"
                           else f"{case['status']}: {case.get('detail', '')}")
                progress(f"evaluator    {name:12} {peer:10} {outcome} ({time.perf_counter() - started:.1f} s)")
        return results

    def run_startup(self) -> dict[str, Any]:
        commands = {
            "symdiff": [sys.executable, "-m", "symdiff", "-e", "(deriv '(* x y) 'x)"],
            "lark": [sys.executable, "-c", "import lark"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        outputs: dict[str, str] = {}
        # Both commands run with bytecode caches, as after `pip install`, which compiles the
        # installed modules: a checkout run with PYTHONDONTWRITEBYTECODE set would otherwise
        # compile symdiff from source at every start while Lark loads its caches. A private
        # cache prefix keeps the checkout clean; one unmeasured run of each fills it.
        with tempfile.TemporaryDirectory(prefix="symdiff-startup-") as cache:
            environment = child_environment()
            environment.pop("PYTHONDONTWRITEBYTECODE", None)
            environment["PYTHONPYCACHEPREFIX"] = cache
            for command in commands.values():
                subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, timeout=60)
            # Alternate the commands so that a change in machine load affects both alike.
            for _ in range(self.settings.startup_runs):
                for name, command in commands.items():
                    started = time.perf_counter()
                    completed = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True,
                                               text=True, timeout=60)
                    times[name].append(time.perf_counter() - started)
                    outputs[name] = completed.stdout.strip() or completed.stderr.strip()[-200:]
        result = {"times": times, "output": outputs,
                  "commands": {"symdiff": "python -m symdiff -e \"(deriv '(* x y) 'x)\"",
                               "lark": "python -c \"import lark\""}}
        progress(f"startup      symdiff {statistics.median(times['symdiff']):.3f} s, "
                 f"import lark {statistics.median(times['lark']):.3f} s")
        return result


def machine_description() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory, "os": platform.platform(),
            "python": platform.python_version(), "implementation": platform.python_implementation()}


def checkout_revision() -> str:
    """Describe the measured symdiff/: the commit, and whether symdiff/ has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=30, check=True).stdout.strip()
        changes = subprocess.run(["git", "status", "--porcelain", "--", "symdiff"], cwd=ROOT, capture_output=True,
                                 text=True, timeout=30, check=True).stdout.strip()
    except FileNotFoundError:
        return "unknown (git is not on PATH)"
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{commit}, with uncommitted changes in symdiff/" if changes else commit


def package_versions(suite: Suite) -> dict[str, str]:
    versions = {peer: version for peer, version in suite.versions.items() if peer in ("symdiff", "sympy", "symengine", "guile")}
    try:
        import lark

        versions["lark"] = lark.__version__
    except ImportError:
        versions["lark"] = "missing"
    return versions


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs: a smoke test for CI")
    parser.add_argument("--only", action="append", metavar="PART", choices=FAMILY_ORDER + EXTRA_PARTS,
                        help="run only this family or part (repeatable): " + ", ".join(FAMILY_ORDER + EXTRA_PARTS))
    parser.add_argument("--peers", default=",".join(PEER_ORDER),
                        help="comma-separated peers to compare; symdiff always runs (default: all)")
    parser.add_argument("--output", metavar="FILE", help="write the Markdown results to FILE instead of printing")
    parser.add_argument("--write-page", action="store_true",
                        help=f"rewrite {PAGE.relative_to(ROOT)} from a full run, keeping its hand-written sections "
                             "'What changed the numbers' and 'What would close the gaps'")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results as JSON to FILE")
    parser.add_argument("--from-json", metavar="FILE",
                        help="render the results saved by an earlier --json run instead of measuring")
    parser.add_argument("--timeout", type=_positive_seconds, metavar="SECONDS",
                        help="time limit of one differentiation case in seconds (default: 60, or 5 with --quick)")
    return parser.parse_args(argv)


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"invalid time {text!r}: expected a positive number of seconds such as 30")
    return seconds


class UsageError(Exception):
    """A combination of options or a file that the suite cannot use; reported in one line."""


class SymdiffMissing(Exception):
    """symdiff itself cannot run in a worker, so there is nothing to compare the peers with."""


def _check_writable(path: str, option: str) -> None:
    """Fail before measuring if `path` cannot be written, so a long run is not lost at the end."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir() or not directory.is_dir() or not os.access(directory, os.W_OK):
        raise UsageError(f"{option} {path}: cannot write there; give a file in an existing, writable directory")


def _load_results(path: str) -> dict[str, Any]:
    try:
        results = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"--from-json {path}: cannot read it: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"--from-json {path}: not results saved by --json: {error}") from None
    if not isinstance(results, dict) or "meta" not in results:
        raise UsageError(f"--from-json {path}: not results saved by --json (no 'meta' entry)")
    return results


def _is_full_run(results: dict[str, Any]) -> bool:
    """Return True for results of the default run: full sizes and every part measured."""
    meta = results.get("meta", {})
    parts = set(results.get("families", {})) | {part for part in EXTRA_PARTS if results.get(part)}
    return meta.get("settings", {}).get("mode") == "full" and parts >= set(FAMILY_ORDER + EXTRA_PARTS)


def check_options(arguments: argparse.Namespace) -> None:
    """Reject combinations that would measure for nothing or overwrite the page with a partial run."""
    if arguments.from_json and (arguments.only or arguments.quick or arguments.timeout):
        raise UsageError("--only, --quick and --timeout choose what to measure; --from-json measures nothing")
    if arguments.write_page and (arguments.only or arguments.quick):
        raise UsageError("--write-page records a full run; drop --quick and --only, or write with --output FILE")
    for option, path in (("--json", arguments.json), ("--output", arguments.output)):
        if path:
            _check_writable(path, option)


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(raw)
    arguments.command = " ".join(["python -m benchmarks", *raw])
    settings = Settings.quick() if arguments.quick else Settings.full()
    if arguments.timeout:
        settings.timeout = arguments.timeout
    peers = ["symdiff"] + [peer for peer in arguments.peers.split(",") if peer in PEER_ORDER and peer != "symdiff"]
    unknown = [peer for peer in arguments.peers.split(",") if peer and peer not in PEER_ORDER]
    if unknown:
        print(f"error: unknown peer {', '.join(unknown)}; expected some of {', '.join(PEER_ORDER)}", file=sys.stderr)
        return 2
    try:
        check_options(arguments)
        if arguments.from_json:
            results = _load_results(arguments.from_json)
            if arguments.write_page and not _is_full_run(results):
                raise UsageError(f"--write-page records a full run; {arguments.from_json} contains a quick or partial one")
        else:
            results = measure(arguments, settings, peers)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except SymdiffMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    if arguments.write_page:
        kept = report.kept_section(PAGE.read_text(encoding="utf-8")) if PAGE.exists() else None
        PAGE.write_text(report.render(results, kept), encoding="utf-8")
        progress(f"wrote {PAGE.relative_to(ROOT)}")
    if arguments.output:
        Path(arguments.output).write_text(report.render(results, report.KEPT_ELSEWHERE), encoding="utf-8")
    if not arguments.write_page and not arguments.output:
        sys.stdout.write(report.render(results, report.KEPT_ELSEWHERE))
    return 0


def measure(arguments: argparse.Namespace, settings: Settings, peers: list[str]) -> dict[str, Any]:
    """Run the selected parts of the suite and return the results with their description."""
    parts = arguments.only or FAMILY_ORDER + EXTRA_PARTS
    started = time.perf_counter()
    load_before = os.getloadavg()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory(prefix="symdiff-bench-") as scratch:
        suite = Suite(settings, peers, Path(scratch))
        try:
            if suite.worker("symdiff") is None:
                raise SymdiffMissing(
                    f"symdiff does not start in a benchmark worker ({suite.missing['symdiff']}); "
                    "install it and its dependencies first: pip install '.[bench]'"
                )
            results: dict[str, Any] = {"families": {}}
            for part in [name for name in FAMILY_ORDER if name in parts]:
                results["families"][part] = suite.run_family(part)
            if "evaluator" in parts:
                results["evaluator"] = suite.run_evaluator()
            if "startup" in parts:
                results["startup"] = suite.run_startup()
        finally:
            suite.close()
    results["meta"] = {
        "date": date,
        "revision": checkout_revision(),
        "command": arguments.command,
        "seconds": round(time.perf_counter() - started, 1),
        # Other work on the machine slows the cases down; the page reports these.
        "load_average": {"start": list(load_before), "end": list(os.getloadavg())},
        "machine": machine_description(),
        "versions": package_versions(suite),
        "missing": suite.missing,
        "peers": peers,
        "labels": PEER_LABELS,
        "settings": asdict(settings),
        "print_limit": PRINT_LIMIT,
    }
    progress(f"finished in {results['meta']['seconds']} s")
    return results


if __name__ == "__main__":
    sys.exit(main())
