"""Render the suite's results as the Markdown of docs/benchmarks.md, with the target checks."""

from __future__ import annotations

import math
import re
import statistics
from typing import Any, Callable

from . import families
from .worker import PRINT_LIMIT, RECURSION_LIMIT, STACK_BYTES

KEPT_HEADING = "## What changed the numbers"
FAMILIES_HEADING = "## Expression families"
KEPT_PLACEHOLDER = (
    "Nothing recorded yet. For each change that moves a number above, add a line here: the "
    "commit, what it changed in the engine or evaluator, and which rows moved by how much.\n"
)
# In place of the hand-written sections when the results go anywhere but the page.
KEPT_ELSEWHERE = (
    "What changed the numbers, and what would close the remaining gaps, is written by hand on "
    "docs/benchmarks.md for the run recorded there.\n"
)
MiB = 1024 * 1024


# --- small formatting helpers -----------------------------------------------------------------


def median(times: list[float] | None) -> float | None:
    return statistics.median(times) if times else None


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def format_ratio(ratio: float | None, met: Callable[[float], bool] | None = None) -> str:
    """Write a ratio briefly, with more digits where rounding would put it on the other side of `met`."""
    if ratio is None:
        return ""
    if ratio >= 100:
        text = f"{ratio:,.0f}"
    elif ratio >= 10:
        text = f"{ratio:.0f}"
    else:
        text = f"{ratio:.2g}"
    return sharpen(ratio, text, met) + "x"


def sharpen(value: float, text: str, met: Callable[[float], bool] | None) -> str:
    """Return `text`, the rounded `value`, or `value` with more decimals if `met` judges the two apart.

    9.96 rounds to "10", which reads as meeting a target of 10 that 9.96 misses.
    """
    decimals = 1
    while met is not None and met(float(text.replace(",", ""))) != met(value) and decimals <= 12:
        text = f"{value:,.{decimals}f}"
        decimals += 1
    return text


def format_count(count: int | None) -> str:
    return "" if count is None else f"{count:,}"


def format_mib(size_bytes: float | None) -> str:
    return "" if size_bytes is None else f"{size_bytes / MiB:.1f}"


def failure_label(case: dict[str, Any], prefix: str = "") -> str:
    """Name a failed case or phase briefly: timeout, crash (SIGSEGV), RecursionError, ..."""
    status = case.get(f"{prefix}status")
    detail = case.get(f"{prefix}detail", "") or ""
    if status == "timeout":
        return "timeout"
    if status == "crash":
        match = re.search(r"\((.*)\)", detail)
        return f"crash ({match.group(1)})" if match else "crash"
    if status == "error":
        return detail.split(":", 1)[0] or "error"
    if status == "missing":
        return "missing"
    if status == "skipped":
        return "—"
    return status or ""


def table(header: list[str], rows: list[list[str]], align_right_from: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("| " + " | ".join("---" if i < align_right_from else "---:" for i in range(len(header))) + " |")
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


# --- reading results ----------------------------------------------------------------------------


class FamilyResults:
    """Accessors over one family's cases: cases[peer][size] -> case dictionary."""

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.spec = families.FAMILIES[name]
        self.sizes: list[int] = [int(size) for size in data["sizes"]]
        self.cases = {peer: {int(size): case for size, case in by_size.items()} for peer, by_size in data["cases"].items()}

    def case(self, peer: str, size: int) -> dict[str, Any] | None:
        return self.cases.get(peer, {}).get(size)

    def deriv(self, peer: str, size: int) -> float | None:
        case = self.case(peer, size)
        return median(case.get("deriv")) if case and case.get("status") == "ok" else None

    def ratio(self, peer: str, size: int) -> float | None:
        mine, theirs = self.deriv("symdiff", size), self.deriv(peer, size)
        return theirs / mine if mine and theirs else None

    def ratios(self, peer: str, sizes: list[int] | None = None) -> list[tuple[int, float]]:
        found = []
        for size in sizes if sizes is not None else self.sizes:
            ratio = self.ratio(peer, size)
            if ratio is not None:
                found.append((size, ratio))
        return found

    def growth(self, peer: str) -> dict[int, float]:
        """time(next) / time(size) per step: doubling sizes, or per unit step (geometric mean over gaps)."""
        steps: dict[int, float] = {}
        for size, following in zip(self.sizes, self.sizes[1:]):
            before, after = self.deriv(peer, size), self.deriv(peer, following)
            if not before or not after:
                continue
            ratio = after / before
            if not self.spec.doubling and following - size > 1:
                ratio = ratio ** (1 / (following - size))
            steps[following] = ratio
        return steps


# --- targets --------------------------------------------------------------------------------------


class Target:
    def __init__(self, text: str, measured: str, met: bool | None) -> None:
        self.text, self.measured, self.met = text, measured, met

    def row(self) -> list[str]:
        verdict = {True: "met", False: "**missed**", None: "not measured"}[self.met]
        return [self.text, self.measured, verdict]


def _size_name(family: FamilyResults) -> str:
    return family.spec.size_label.split()[-1]


def _minimum_ratio(family: FamilyResults | None, peer: str, goal: float, text: str,
                   sizes: Callable[[int], bool] = lambda size: True) -> Target:
    """Check that the peer's time / symdiff's time is at least `goal` at every size."""
    if family is None:
        return Target(text, "", None)
    found = [(size, ratio) for size, ratio in family.ratios(peer) if sizes(size)]
    if not found:
        return Target(text, "no size where both ran", None)
    worst_size, worst = min(found, key=lambda item: item[1])
    best_size, best = max(found, key=lambda item: item[1])
    name = _size_name(family)

    def met(ratio: float) -> bool:
        return ratio >= goal

    measured = f"min {format_ratio(worst, met)} ({name} = {worst_size:,})"
    if len(found) > 1:
        measured += f", max {format_ratio(best)} ({name} = {best_size:,}); {len(found)} sizes"
    return Target(text, measured, worst >= goal)


def _ratio_at(family: FamilyResults | None, peer: str, size: int, goal: float, text: str) -> Target:
    if family is None:
        return Target(text, "", None)
    if size not in family.sizes:
        return Target(text, f"{_size_name(family)} = {size} is not among the sizes run", None)
    ratio = family.ratio(peer, size)
    if ratio is None:
        case = family.case(peer, size) or {}
        if case.get("status") == "skipped":
            reason = case.get("detail", "not run")
        else:
            reason = failure_label(case) or "not run"
        return Target(text, f"{_size_name(family)} = {size}: {reason}", None)
    measured = format_ratio(ratio, lambda value: value >= goal)
    return Target(text, f"{measured} at {_size_name(family)} = {size}", ratio >= goal)


def _maximum_growth(family: FamilyResults | None, limit: float, text: str, from_size: int = 0) -> Target:
    if family is None:
        return Target(text, "", None)
    steps = {size: ratio for size, ratio in family.growth("symdiff").items() if size > from_size}
    if not steps:
        return Target(text, "no consecutive sizes measured", None)
    size, worst = max(steps.items(), key=lambda item: item[1])
    typical = statistics.median(steps.values())
    written = sharpen(worst, f"{worst:.2f}", lambda value: value <= limit)
    measured = f"max {written} (to {_size_name(family)} = {size:,}), median {typical:.2f}"
    return Target(text, measured, worst <= limit)


def _order_cost_growth(family: FamilyResults | None, limit: float, text: str) -> Target:
    """Check how the cost of one more order grows, from k = 2 to the largest k measured.

    The k-th derivative rows time all k orders together, so even a constant cost per order
    makes time(k)/time(k-1) equal k/(k-1): 2 at k = 2. The cost of order k alone is
    time(k) - time(k-1), and the target is judged on its geometric mean growth per order,
    which is 1 when each order costs the same and 2 when each doubles the expression. The
    largest time(k)/time(k-1) is shown too.

    Where one more order costs less than the run-to-run noise, so that any difference from
    k = 2 on is 0 or negative, the target is judged on the growth of the total time instead:
    (time(last) / time(2)) ** (1 / (last - 2)). At a constant cost per order that is at most
    (last / 2) ** (1 / (last - 2)), 1.22 for last = 10, and it tends to the growth of the cost
    of one order where that cost grows geometrically.
    """
    if family is None:
        return Target(text, "", None)
    measured = [size for size in family.sizes if family.deriv("symdiff", size)]
    if len(measured) < 3 or measured[0] > 1:
        return Target(text, "orders 1 to 3 or more not all measured", None)
    last = measured[-1]

    def cost(k: int) -> float:
        return family.deriv("symdiff", k) - family.deriv("symdiff", k - 1)

    steps = family.growth("symdiff")
    size, worst = max(steps.items(), key=lambda item: item[1])
    largest = f"largest time(k)/time(k-1) {worst:.2f} (to k = {size})"
    if any(cost(k) <= 0 for k in measured[1:]):
        total = (family.deriv("symdiff", last) / family.deriv("symdiff", 2)) ** (1 / (last - 2))
        written = sharpen(total, f"{total:.2f}", lambda value: value <= limit)
        measured_text = (f"time(k) - time(k-1) is within the noise; total time grows {written}x per order "
                         f"over k = 2..{last}; {largest}")
        return Target(text, measured_text, total <= limit)
    mean = (cost(last) / cost(2)) ** (1 / (last - 2))
    written = sharpen(mean, f"{mean:.2f}", lambda value: value <= limit)
    measured_text = f"cost of one order grows {written}x per order over k = 2..{last}; {largest}"
    return Target(text, measured_text, mean <= limit)


def _mean_step_growth(family: FamilyResults | None, limit: float, from_size: int, text: str) -> Target:
    """Check the geometric mean of time(k+1)/time(k) from `from_size` to the largest k measured.

    A DAG differentiation takes about 0.1 ms on the machine of docs/benchmarks.md, so a single
    step's ratio is mostly noise. The target is judged on the mean step instead, and the largest
    single step is shown too.
    """
    if family is None:
        return Target(text, "", None)
    measured = [size for size in family.sizes if size >= from_size and family.deriv("symdiff", size)]
    if len(measured) < 2:
        return Target(text, "fewer than two sizes measured", None)
    first, last = measured[0], measured[-1]
    mean_step = (family.deriv("symdiff", last) / family.deriv("symdiff", first)) ** (1 / (last - first))
    steps = {size: ratio for size, ratio in family.growth("symdiff").items() if size > from_size}
    size, worst = max(steps.items(), key=lambda item: item[1])
    written = sharpen(mean_step, f"{mean_step:.3f}", lambda value: value <= limit)
    return Target(text, f"mean {written} per step over k = {first}..{last}; largest step {worst:.2f} (to k = {size})",
                  mean_step <= limit)


def targets(results: dict[str, Any]) -> list[Target]:
    """Check every target against the results; a family that did not run is "not measured"."""
    found = {name: FamilyResults(name, data) for name, data in results.get("families", {}).items()}
    family = found.get
    title = {name: spec.title for name, spec in families.FAMILIES.items()}

    rows = [
        _minimum_ratio(family("polynomial"), "sympy", 300, "SymPy ≥ 300x slower on polynomials"),
        _minimum_ratio(family("random"), "sympy", 300, "SymPy ≥ 300x slower on random trees"),
        _minimum_ratio(family("product"), "sympy", 150, "SymPy ≥ 150x slower on products"),
        _ratio_at(family("chain"), "sympy", 100, 1000, "SymPy ≥ 1000x slower on the chain, N = 100"),
        _ratio_at(family("dag"), "sympy", 10, 1000, "SymPy ≥ 1000x slower on the DAG, k = 10"),
        _ratio_at(family("kth_sin_exp"), "sympy", 10, 100, "SymPy ≥ 100x slower, 10th derivative of sin x exp x"),
        _ratio_at(family("kth_sigmoid"), "sympy", 10, 100, "SymPy ≥ 100x slower, 10th derivative of sigmoid x"),
    ]

    # The tree families: the DAG and the k-th derivatives are judged by their own targets, and
    # their tables still show the port.
    for name in ("polynomial", "product", "chain", "random"):
        rows.append(_minimum_ratio(family(name), "python", 1, f"Python port ≥ 1x (at least as fast) on {title[name]}"))

    rows.append(_minimum_ratio(family("chain"), "symengine", 10, "SymEngine ≥ 10x slower on the chain, N ≥ 1000",
                               lambda size: size >= 1000))
    rows.append(_minimum_ratio(family("dag"), "symengine", 1.0, "SymEngine slower (≥ 1x) on the DAG"))
    for name in ("polynomial", "product", "random"):
        rows.append(_minimum_ratio(family(name), "symengine", 0.2, f"SymEngine within 5x (≥ 0.2x) on {title[name]}"))

    for name, goal in (("polynomial", 0.2), ("random", 0.2), ("product", 0.1), ("chain", 0.1)):
        rows.append(_minimum_ratio(family(name), "guile", goal,
                                   f"Guile within {1 / goal:.0f}x (≥ {goal:g}x) on {title[name]}"))

    for name in ("polynomial", "product", "chain", "random"):
        rows.append(_maximum_growth(family(name), 2.3, f"symdiff time(2N)/time(N) ≤ 2.3 on {title[name]}"))
    rows.append(_mean_step_growth(family("dag"), 1.2, 10, "symdiff DAG time(k+1)/time(k) ≤ 1.2, from k = 10"))
    rows.append(_order_cost_growth(family("kth_sin_exp"), 1.3, "symdiff k-th derivative of sin x exp x grows ≤ 1.3x per order"))
    rows.append(_order_cost_growth(family("kth_sigmoid"), 2.0, "symdiff k-th derivative of sigmoid x grows ≤ 2x per order"))

    rows.append(_evaluator_target(results.get("evaluator")))
    rows.append(_startup_target(results.get("startup")))
    return rows


def _evaluator_target(evaluator: dict[str, Any] | None) -> Target:
    text = "Evaluator within 10x of CPython on SICP chapter 1 workloads"
    if not evaluator:
        return Target(text, "", None)
    missing = sorted({peer for row in evaluator.values() for peer in ("scheme", "python")
                      if row.get(peer, {}).get("status") == "missing"})
    if missing:
        return Target(text, f"{' and '.join(missing)} missing", None)
    parts, worst = [], 0.0
    for name, row in evaluator.items():
        slowdown = _slowdown(row)
        if slowdown is None:
            parts.append(f"{name} {failure_label(row.get('scheme', {})) or 'not run'}")
            worst = math.inf
        else:
            parts.append(f"{name} {format_ratio(slowdown, lambda value: value <= 10)}")
            worst = max(worst, slowdown)
    return Target(text, "symdiff / CPython: " + ", ".join(parts), worst <= 10 if worst != math.inf else False)


def _slowdown(row: dict[str, Any]) -> float | None:
    scheme, python = row.get("scheme", {}), row.get("python", {})
    if scheme.get("status") != "ok" or python.get("status") != "ok":
        return None
    return median(scheme["eval"]) / median(python["eval"])


def _startup_target(startup: dict[str, Any] | None) -> Target:
    text = "Start-up within 2x of `import lark`"
    if not startup:
        return Target(text, "", None)
    mine, lark = median(startup["times"]["symdiff"]), median(startup["times"]["lark"])
    written = sharpen(mine / lark, f"{mine / lark:.2f}", lambda value: value <= 2)
    return Target(text, f"{format_seconds(mine)} vs {format_seconds(lark)}: {written}x", mine <= 2 * lark)


# --- sections ---------------------------------------------------------------------------------------


def render_family(family: FamilyResults, peers: list[str], labels: dict[str, str], cutoff: float) -> str:
    spec = family.spec
    name = _size_name(family)
    out = [f"### {spec.title}\n", spec.description + "\n"]

    header = [name] + [labels[peer] for peer in peers]
    rows = []
    for size in family.sizes:
        row = [f"{size:,}"]
        for peer in peers:
            case = family.case(peer, size)
            if case is None:
                row.append("")
            elif case.get("status") != "ok":
                row.append(failure_label(case))
            elif peer == "symdiff":
                row.append(format_seconds(family.deriv(peer, size)))
            else:
                ratio = family.ratio(peer, size)
                cell = format_seconds(family.deriv(peer, size))
                row.append(f"{cell} ({format_ratio(ratio)})" if ratio else cell)
        rows.append(row)
    out.append("Differentiation, median time; in brackets the peer's time / symdiff's time.\n")
    out.append(table(header, rows))

    step = "time(2N) / time(N)" if spec.doubling else "time(k+1) / time(k)"
    growth = {peer: family.growth(peer) for peer in peers}
    rows = [[f"{size:,}"] + [f"{growth[peer][size]:.2f}" if size in growth[peer] else "" for peer in peers]
            for size in family.sizes[1:]]
    note = "" if spec.doubling else " Where sizes skip, the figure is the geometric mean per step."
    out.append(f"\nGrowth of the differentiation time: {step}, listed at the larger size.{note}\n")
    out.append(table(header, rows))

    out.append("\n<details><summary>Parse, print and memory for every case</summary>\n\n")
    rows = []
    for size in family.sizes:
        for peer in peers:
            case = family.case(peer, size)
            if not case or case.get("status") in ("skipped", "missing"):
                continue
            rows.append(_detail_row(size, labels[peer], case, spec.has_text))
    out.append(table([name, "peer", "parse", "differentiate", "print", "result tree nodes",
                      "traced peak MiB", "max RSS MiB"], rows, align_right_from=2))
    out.append("\n</details>\n")
    skipped = sorted({case.get("detail", "") for by_size in family.cases.values() for case in by_size.values()
                      if case.get("status") == "skipped"})
    if skipped:
        out.append(f"\n— marks a peer, or its parsing, not run at that size because it failed or took over "
                   f"{cutoff:g} s at a smaller one.\n")
    return "\n".join(out)


def _detail_row(size: int, label: str, case: dict[str, Any], has_text: bool) -> list[str]:
    if case.get("status") != "ok":
        failure = failure_label(case)
        return [f"{size:,}", label, "", failure, "", "", "", format_mib((case.get("maxrss_kib") or 0) * 1024) if case.get("maxrss_kib") else ""]

    def phase(name: str) -> str:
        if case.get(f"{name}_status"):
            return failure_label(case, f"{name}_")
        if case.get(name):
            return format_seconds(median(case[name]))
        if name == "print" and not case.get("printed"):
            return "not printed"
        if name == "parse" and not has_text:
            return "n/a"
        return "—" if name == "parse" else ""

    if case.get("nodes_status"):
        nodes = failure_label(case, "nodes_")
    elif case.get("nodes") is not None:
        nodes = format_count(case["nodes"])
    elif case.get("nodes_over"):
        nodes = f"> {case['nodes_over']:,}"
    else:
        nodes = ""
    return [f"{size:,}", label, phase("parse"), format_seconds(median(case.get("deriv"))), phase("print"),
            nodes, format_mib(case.get("traced_peak")),
            format_mib(case["maxrss_kib"] * 1024) if case.get("maxrss_kib") else ""]


def render_evaluator(evaluator: dict[str, Any]) -> str:
    rows = []
    for name, row in evaluator.items():
        cells = [name, f"`{row['call']}`"]
        for peer in ("scheme", "python", "guile"):
            case = row.get(peer, {})
            cells.append(format_seconds(median(case.get("eval"))) if case.get("status") == "ok" else failure_label(case))
        slowdown = _slowdown(row)
        cells.append(format_ratio(slowdown) if slowdown else "")
        rows.append(cells)
    return table(["workload", "call", "symdiff", "CPython", "Guile", "symdiff / CPython"], rows, align_right_from=2)


def render_startup(startup: dict[str, Any]) -> str:
    rows = []
    for name in ("symdiff", "lark"):
        times = startup["times"][name]
        rows.append([f"`{startup['commands'][name]}`", format_seconds(median(times)), format_seconds(min(times)),
                     str(len(times))])
    return table(["command", "median", "min", "runs"], rows)


def kept_section(page: str) -> str | None:
    """Return the hand-written part of the page, if it has one.

    That is the body of "What changed the numbers" and any sections after it, such as "What
    would close the gaps", up to the generated "Expression families".
    """
    start = page.find(KEPT_HEADING)
    if start < 0:
        return None
    body_start = start + len(KEPT_HEADING)
    following = page.find(f"\n{FAMILIES_HEADING}", body_start)
    if following < 0:
        following = page.find("\n## ", body_start)
    body = page[body_start: following if following >= 0 else len(page)]
    return body.strip("\n") + "\n"


def render(results: dict[str, Any], kept: str | None = None) -> str:
    """Return the whole page; `kept` replaces the placeholder of "What changed the numbers".

    Pass KEPT_ELSEWHERE for output that is not the page.
    """
    meta = results["meta"]
    labels = meta["labels"]
    out = [INTRODUCTION, "## This run\n", render_run(meta)]

    out.append("\n## Targets\n")
    out.append("Ratios are the peer's differentiation time divided by symdiff's, so above 1 symdiff is "
               "faster. A size counts only where both ran. A row gives the worst size, except the DAG "
               "and k-th derivative growth rows, which are judged on the mean growth per step or order "
               "because one step there takes microseconds and single steps are mostly noise.\n")
    out.append(table(["target", "measured", ""], [target.row() for target in targets(results)], align_right_from=3))

    out.append(f"\n{KEPT_HEADING}\n")
    out.append(kept if kept is not None else KEPT_PLACEHOLDER)

    out.append(f"\n{FAMILIES_HEADING}\n")
    for name in ("polynomial", "product", "chain", "dag", "random", "kth_sin_exp", "kth_sigmoid"):
        if name in results.get("families", {}):
            family = FamilyResults(name, results["families"][name])
            out.append(render_family(family, meta["peers"], labels, meta["settings"]["cutoff"]))

    if results.get("evaluator"):
        out.append("\n## Evaluator: SICP chapter 1\n")
        out.append("The programs are in `benchmarks/chapter1.scm` (Scheme, run by symdiff and by Guile) and "
                   "`benchmarks/chapter1.py` (the same algorithms in CPython). Median time of the call.\n")
        out.append(render_evaluator(results["evaluator"]))

    if results.get("startup"):
        out.append("\n## Start-up\n")
        out.append("Wall time of a whole process from this checkout, each command run in turn. Both run with "
                   "bytecode caches, as after `pip install`: the suite fills a private cache "
                   "(`PYTHONPYCACHEPREFIX`) with one unmeasured run of each first.\n")
        out.append(render_startup(results["startup"]))

    out.append(method_section(meta))
    return "\n".join(out)


INTRODUCTION = """# Benchmarks

This page compares how fast symdiff differentiates, parses and prints with five peers: SymPy,
SymEngine, SICP's textbook `deriv` ported to plain Python, the same textbook `deriv` in Scheme run
by symdiff's own evaluator, and that Scheme program in Guile. It also times symdiff's evaluator on
SICP chapter 1 programs next to CPython, and the start-up of the command line. The suite is in
`benchmarks/`, and this page is its output.

## How to run

```sh
pip install '.[bench]'              # SymPy and SymEngine; without them they show as missing
apt-get install guile-3.0           # optional: the Guile column
python -m benchmarks                # everything: about 4 to 5 minutes here, more under load
python -m benchmarks --quick        # small sizes for CI: about 30 s
python -m benchmarks --only chain --only dag --json chain.json
python -m benchmarks --write-page   # rewrite this page
```

Run it from the repository root: the suite measures the `symdiff/` of the checkout, even where
another copy is installed. `--from-json FILE` renders saved results again without measuring.
"""


def render_run(meta: dict[str, Any]) -> str:
    machine, versions, labels = meta["machine"], meta["versions"], meta["labels"]
    missing = ", ".join(f"{labels.get(name, name)}: {why}" for name, why in meta["missing"].items())
    return table(["", ""], [
        ["command", f"`{meta['command']}`"],
        ["date", meta["date"]],
        ["symdiff commit", meta.get("revision", "not recorded")],
        ["wall time", f"{meta['seconds']:.0f} s"],
        ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
        ["memory", f"{machine['memory_gib']} GiB"],
        ["OS", machine["os"]],
        ["Python", f"{machine['implementation']} {machine['python']}"],
        ["packages", ", ".join(f"{name} {version or '?'}" for name, version in sorted(versions.items()))],
        ["load average (1 min)", _load_text(meta)],
        ["missing peers", missing or "none"],
    ], align_right_from=2)


def _load_text(meta: dict[str, Any]) -> str:
    load = meta.get("load_average")
    if not load:
        return "not recorded"
    cores = meta["machine"].get("cores") or "all"
    return (f"{load['start'][0]:.2f} at the start, {load['end'][0]:.2f} at the end. The suite itself "
            f"accounts for about 1; more means other processes competed for the {cores} cores and "
            "inflated the times")


def _times(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _symdiff_reps_text(settings: dict[str, Any]) -> str:
    reps = settings.get("symdiff_reps", 1)
    if reps <= 1:
        return ""
    return (f" symdiff's differentiation runs at least {reps} times, because the growth targets are "
            "judged on its largest sizes.")


def _second_child_text(settings: dict[str, Any]) -> str:
    below = settings.get("second_child_below", 0)
    if not below:
        return ""
    return f"""- A case whose differentiation median is under {below * 1000:g} ms is differentiated again
  in a second child, without printing, parsing or tracing, and the child with the lower median
  counts, for every peer. One child can run a case up to 50 percent slower than another, in all
  of its repetitions, which on the smallest cases decides a target.
"""


def method_section(meta: dict[str, Any]) -> str:
    settings = meta["settings"]
    return f"""
## Method

- Each peer runs in its own worker process, which imports the peer once and then forks one child
  per case (peer, family, size). The child measures and exits, so every case starts with a fresh
  heap. A case that crashes, runs out of memory or passes its timeout ({settings['timeout']:g} s)
  ends only that child, and the tables show it as `crash (SIGNAL)`, `MemoryError`,
  `RecursionError` or `timeout`. Cases run one at a time.
- Python children measure on a thread with a {STACK_BYTES // 1024**3} GiB stack and a recursion
  limit of {RECURSION_LIMIT:,}, as symdiff's evaluator does for Scheme programs, under a
  {settings['address_space_bytes'] / 1024**3:g} GiB address-space limit. Guile runs with its own
  growable stack under the same address-space limit.
- Times are CPU time of the measuring process (`time.process_time()`, Guile's
  `get-internal-run-time` with one garbage-collector marking thread), because other processes on
  a shared machine inflate wall time far more. Every peer runs on one core. A phase repeats
  until {settings['budget']:g} s of wall time have passed and it has run
  {_times(settings['min_reps'], 'time')}, at most {settings['max_reps']} times, and only once if one repetition takes over
  {3 * settings['budget']:g} s.{_symdiff_reps_text(settings)} Tables give the median. Before every repetition the child runs the
  garbage collector and empties the caches: `symdiff.clear_cache()` and SymPy's `clear_cache()`,
  then builds the input again with the peer's own constructors, outside the timed region.
  Python children run a full collection before the first repetition and collect the two
  younger generations before each later one. A full collection also empties CPython's free
  lists, and the first few hundred allocations after it run 40 to 85 percent slower than in a
  program that has been running. Guile runs `(gc)` before every repetition. When a phase's
  first repetition takes under a quarter of the budget, it and up to 9 more repetitions within
  a quarter of the budget are an untimed warm-up, for every peer. CPython 3.11 specializes a
  function's bytecode only after several calls. So symdiff's 10th derivative of sin x exp x
  took 290 us in its first repetition and about 75 us from the tenth on.
{_second_child_text(settings)}- Differentiation is timed from a built expression to the result. symdiff runs
  `symdiff.deriv(expr, "x", order=k)`; SymPy `sympy.diff(expr, x, k)`; SymEngine
  `expr.diff(x, k)`; the Python port, the Scheme program and Guile apply the textbook `deriv` k
  times, with no simplification between orders beyond SICP's constructors. symdiff puts each
  intermediate derivative in its full canonical form, so its k-th derivatives stay smaller.
- Parsing is timed on the input written out as text in each peer's own notation. symdiff
  (`symdiff.parse`), the Python port (a small tokenizer), Scheme on symdiff (symdiff's reader) and
  Guile (`read`) parse s-expressions. SymPy (`parse_expr`) and SymEngine (`sympify`) parse infix.
  The DAG family has no text form, because its tree is exponentially large.
- Printing is `str()` for symdiff, SymPy and SymEngine, `write` for the Scheme programs, and a
  recursive s-expression printer for the Python port. A result is printed only when its expanded
  tree has at most {PRINT_LIMIT:,} nodes. symdiff counts them with `Expression.node_count()`; the
  Python port, the Scheme program and Guile count their own results and stop counting past the
  limit; SymPy and SymEngine, which have no such count, print where symdiff printed. Counting is
  untimed. Once counting takes a peer over {settings['cutoff']:g} s, it stops counting at larger
  sizes, and the same holds for printing.
- A peer whose differentiation fails or takes over {settings['cutoff']:g} s at one size is not run
  at larger sizes of that family (—). Only a failure stops symdiff, the reference. Parsing is
  skipped the same way.
- Max RSS is the child's peak resident memory from `wait4`, which includes the interpreter and the
  peer's libraries. Traced peak is the largest Python heap that `tracemalloc` saw during one
  differentiation by symdiff, measured in a separate untimed run when differentiation takes at
  most {settings['memory_limit_seconds']:g} s.
- Guile times itself, so start-up and compilation are excluded. The suite compiles
  `benchmarks/guile_driver.scm` and the Scheme programs once before the first case.
- The Python port stores expressions as tuples, so taking the rest of an n-ary sum or product
  copies it, and sums and products of N terms cost O(N^2) there. The Scheme program's `cdr` is
  O(1). SymPy and SymEngine get `sigmoid(u)` as `1/(1 + exp(-u))` and simplify during
  construction, so their expressions differ in form from the s-expressions the others use.
"""
