"""The benchmark page's targets, checked on made-up timings."""

from __future__ import annotations

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


def test_ratio_just_below_goal_is_not_rounded_onto_it() -> None:
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
        assert case is first and "deriv_children" not in case
        assert fake.calls == []
