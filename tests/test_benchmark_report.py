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
