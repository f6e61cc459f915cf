"""The benchmark page's targets, checked on made-up timings."""

from __future__ import annotations

import pytest

from benchmarks.report import FamilyResults, _order_cost_growth, kept_section


def kth_family(times: list[float]) -> FamilyResults:
    """A k-th derivative family whose symdiff time at order k is times[k - 1]."""
    cases = {str(k): {"status": "ok", "deriv": [time]} for k, time in enumerate(times, start=1)}
    return FamilyResults("kth_sin_exp", {"sizes": list(range(1, len(times) + 1)), "cases": {"symdiff": cases}})


def test_constant_cost_per_order_meets_target() -> None:
    # Each order costs 1 ms after a cheap first one: time(2)/time(1) is large, the growth is 1.
    target = _order_cost_growth(kth_family([0.2 + k for k in range(10)]), 1.3, "sin exp")
    assert target.met is True
    assert "grows 1.00x per order" in target.measured


def test_doubling_cost_per_order_misses_target() -> None:
    times = [sum(2.0**i for i in range(k)) for k in range(1, 11)]
    target = _order_cost_growth(kth_family(times), 1.3, "sin exp")
    assert target.met is False
    assert "grows 2.00x per order" in target.measured


def test_order_cost_below_noise_uses_total_growth() -> None:
    # Orders 3 to 10 cost about nothing, and order 10 happened to run faster than order 9.
    times = [0.02, 0.12, 0.24, 0.26, 0.23, 0.27, 0.22, 0.29, 0.28, 0.27]
    target = _order_cost_growth(kth_family(times), 1.3, "sin exp")
    assert target.met is True
    assert "total time grows 1.11x per order" in target.measured


def test_total_growth_still_catches_doubling() -> None:
    times = [0.01] + [2.0**k for k in range(1, 9)] + [2.0**8]
    target = _order_cost_growth(kth_family(times), 1.3, "sin exp")
    assert target.met is False
    assert "total time grows 1.83x per order" in target.measured


def test_order_cost_needs_three_orders() -> None:
    assert _order_cost_growth(kth_family([1.0, 2.0]), 1.3, "sin exp").met is None


def test_page_rewrite_keeps_hand_written_sections() -> None:
    page = ("# Benchmarks\n\n## What changed the numbers\n\n- A change.\n\n"
            "## What would close the gaps\n\n- An idea.\n\n## Expression families\n\ngenerated\n")
    hand_written = kept_section(page)
    assert "- A change." in hand_written
    assert "## What would close the gaps" in hand_written
    assert "generated" not in hand_written


def test_repetitions_after_first_skip_full_collection(monkeypatch) -> None:
    import gc

    from benchmarks import worker

    generations = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: generations.append(generation))
    times = worker.repeat_timed(lambda: 0.0, budget=60.0, min_reps=4, max_reps=4)
    assert times == [0.0] * 4
    assert generations == [2] + [1] * (worker.WARMUP_REPS - 1 + 4)


def test_fast_first_repetition_warms_up_untimed() -> None:
    from benchmarks import worker

    calls = []

    def run_once() -> float:
        calls.append(1)
        return 0.001 * len(calls)

    times = worker.repeat_timed(run_once, budget=60.0, min_reps=3, max_reps=3)
    assert len(calls) == worker.WARMUP_REPS + 3
    assert times == [0.001 * (worker.WARMUP_REPS + n) for n in (1, 2, 3)]


def test_slow_first_repetition_is_timed() -> None:
    from benchmarks import worker

    calls = []

    def run_once() -> float:
        calls.append(1)
        return 20.0

    times = worker.repeat_timed(run_once, budget=60.0, min_reps=3, max_reps=3)
    assert times == [20.0] * 3
    assert len(calls) == 3


def ratio_family(symdiff_times: dict[int, float], peer_times: dict[int, float]) -> FamilyResults:
    """A polynomial family with one symdiff and one SymPy time per size."""
    cases = {
        "symdiff": {str(size): {"status": "ok", "deriv": [time]} for size, time in symdiff_times.items()},
        "sympy": {str(size): {"status": "ok", "deriv": [time]} for size, time in peer_times.items()},
    }
    return FamilyResults("polynomial", {"sizes": sorted(symdiff_times), "cases": cases})


def test_ratio_below_goal_not_rounded_up() -> None:
    from benchmarks.report import _minimum_ratio

    target = _minimum_ratio(ratio_family({100: 1.0}, {100: 99.6}), "sympy", 100, "SymPy")
    assert target.met is False
    assert "min 99.6x" in target.measured
    target = _minimum_ratio(ratio_family({100: 1.0}, {100: 9.96}), "sympy", 10, "SymPy")
    assert "min 9.96x" in target.measured


def test_ratio_far_from_goal_keeps_short_form() -> None:
    from benchmarks.report import _minimum_ratio, format_ratio

    target = _minimum_ratio(ratio_family({100: 1.0, 200: 1.0}, {100: 512.4, 200: 2.04}), "sympy", 1, "port")
    assert target.measured.startswith("min 2x (terms = 200), max 512x")
    assert format_ratio(1234.5) == "1,234x"


def test_growth_just_over_limit_shows_the_excess() -> None:
    from benchmarks.report import _maximum_growth

    target = _maximum_growth(ratio_family({100: 1.0, 200: 2.304}, {}), 2.3, "growth")
    assert target.met is False
    assert "max 2.304 " in target.measured


class FakeSuite:
    """Stands in for Suite.run_deriv_case: returns prepared cases in order and records the calls."""

    def __init__(self, cases: list[dict]) -> None:
        self.cases = cases
        self.calls: list[tuple] = []

    def run_deriv_case(self, *arguments, **options) -> dict:
        self.calls.append((arguments, options))
        return self.cases.pop(0)


def run_second_child(first: dict, second: dict, below: float = 0.01) -> tuple[dict, FakeSuite]:
    from benchmarks.run import Settings, Suite

    fake = FakeSuite([second])
    fake.settings = Settings.full()
    fake.settings.second_child_below = below
    return Suite._with_second_child(fake, "sympy", "chain", 100, first), fake


def test_small_case_keeps_the_faster_child() -> None:
    case, fake = run_second_child({"status": "ok", "deriv": [0.003, 0.004, 0.005]},
                                  {"status": "ok", "deriv": [0.002, 0.002, 0.009]})
    assert case["deriv"] == [0.002, 0.002, 0.009]
    assert case["deriv_children"] == [[0.003, 0.004, 0.005], [0.002, 0.002, 0.009]]
    # The second child only differentiates: no printing, parsing, counting or memory tracing.
    assert fake.calls == [(("sympy", "chain", 100, False, False, False), {"trace_memory": False})]


def test_second_child_slower_keeps_the_first() -> None:
    case, _ = run_second_child({"status": "ok", "deriv": [0.002]}, {"status": "ok", "deriv": [0.003]})
    assert case["deriv"] == [0.002]


def test_large_or_failed_case_runs_once() -> None:
    for first in ({"status": "ok", "deriv": [0.5]}, {"status": "timeout", "detail": "timed out"}):
        case, fake = run_second_child(first, {"status": "ok", "deriv": [0.001]})
        assert case is first
        assert "deriv_children" not in case
        assert fake.calls == []


# --- command-line checks of the suite ---------------------------------------------------------


@pytest.mark.parametrize("text", ["nan", "inf", "-1", "0", "soon"])
def test_timeout_must_be_positive_seconds(text) -> None:
    from benchmarks.run import parse_arguments

    with pytest.raises(SystemExit) as caught:
        parse_arguments(["--timeout", text])
    assert caught.value.code == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from-json", "r.json", "--only", "chain"], "--from-json measures nothing"),
        (["--write-page", "--quick"], "--write-page records a full run"),
        (["--write-page", "--only", "dag"], "--write-page records a full run"),
        (["--json", "/nonexistent-directory/r.json"], "--json /nonexistent-directory/r.json: cannot write there"),
        (["--output", "."], "--output .: cannot write there"),
    ],
)
def test_unusable_options_fail_before_measuring(arguments, message) -> None:
    from benchmarks.run import UsageError, check_options, parse_arguments

    with pytest.raises(UsageError, match=message.replace(".", r"\.")):
        check_options(parse_arguments(arguments))


def test_from_json_errors_are_one_line(tmp_path, capsys) -> None:
    from benchmarks.run import main

    assert main(["--from-json", str(tmp_path / "absent.json")]) == 2
    assert capsys.readouterr().err == f"error: --from-json {tmp_path / 'absent.json'}: cannot read it: No such file or directory\n"
    (tmp_path / "text.json").write_text("not json", encoding="utf-8")
    assert main(["--from-json", str(tmp_path / "text.json")]) == 2
    assert "not results saved by --json" in capsys.readouterr().err


def test_write_page_refuses_saved_quick_run(tmp_path, capsys) -> None:
    import json

    from benchmarks.run import main

    saved = tmp_path / "quick.json"
    saved.write_text(json.dumps({"families": {}, "meta": {"settings": {"mode": "quick"}}}), encoding="utf-8")
    assert main(["--from-json", str(saved), "--write-page"]) == 2
    assert "contains a quick or partial one" in capsys.readouterr().err


def test_missing_symdiff_stops_the_suite(monkeypatch, capsys) -> None:
    from benchmarks import run

    def no_worker(suite, peer):
        suite.missing[peer] = "ModuleNotFoundError: No module named 'lark'"
        return None

    monkeypatch.setattr(run.Suite, "worker", no_worker)
    assert run.main(["--quick", "--only", "dag", "--peers", ""]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: symdiff does not start in a benchmark worker (ModuleNotFoundError")


def test_cost_growth_with_negative_interior_cost_uses_total() -> None:
    # Order 3 ran faster than order 2, so time(3) - time(2) is negative.
    times = [0.02, 0.12, 0.11, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19]
    target = _order_cost_growth(kth_family(times), 1.3, "sin exp")
    assert "total time grows" in target.measured


def test_unmeasured_size_target_not_measured() -> None:
    from benchmarks.report import _ratio_at

    target = _ratio_at(ratio_family({5: 1.0, 6: 1.0}, {5: 2.0, 6: 2.0}), "sympy", 10, 1000, "DAG")
    assert target.met is None
    assert target.measured == "terms = 10 is not among the sizes run"


def test_evaluator_target_with_missing_peer_is_not_measured() -> None:
    from benchmarks.report import _evaluator_target

    row = {"call": "(fib 25)", "scheme": {"status": "missing", "detail": "no lark"},
           "python": {"status": "ok", "eval": [0.1]}}
    target = _evaluator_target({"fib": row})
    assert target.met is None
    assert target.measured == "scheme missing"


def test_quick_suite_runs_end_to_end(tmp_path) -> None:
    # The smoke run of the suite: worker processes, child per case, JSON and Markdown.
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    saved, page = tmp_path / "results.json", tmp_path / "results.md"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "chain", "--only", "kth_sin_exp",
         "--peers", "python", "--json", str(saved), "--output", str(page)],
        cwd=root, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(saved.read_text(encoding="utf-8"))
    chain = results["families"]["chain"]["cases"]
    assert chain["symdiff"]["200"]["status"] == "ok"
    assert chain["python"]["200"]["status"] == "ok"
    # Both build SICP's simplified derivative, so the results have the same tree.
    assert chain["symdiff"]["200"]["nodes"] == chain["python"]["200"]["nodes"] == 40998
    text = page.read_text(encoding="utf-8")
    assert "| Python port ≥ 1x (at least as fast) on Chain |" in text
    assert "### Chain" in text
