"""The SICP chapter 1 workloads of chapter1.scm, written as plain Python functions."""

from __future__ import annotations


def fib(n: int) -> int:
    if n == 0:
        return 0
    if n == 1:
        return 1
    return fib(n - 1) + fib(n - 2)


def count_change(amount: int) -> int:
    return cc(amount, 5)


def cc(amount: int, kinds_of_coins: int) -> int:
    if amount == 0:
        return 1
    if amount < 0 or kinds_of_coins == 0:
        return 0
    return cc(amount, kinds_of_coins - 1) + cc(amount - first_denomination(kinds_of_coins), kinds_of_coins)


def first_denomination(kinds_of_coins: int) -> int:
    return {1: 1, 2: 5, 3: 10, 4: 25, 5: 50}[kinds_of_coins]


def square(x):
    return x * x


def fast_expt(b: int, n: int) -> int:
    if n == 0:
        return 1
    if n % 2 == 0:
        return square(fast_expt(b, n // 2))
    return b * fast_expt(b, n - 1)


def fast_expt_total(count: int) -> int:
    total = 0
    for i in range(count):
        total += fast_expt(3, i % 100)
    return total


def sqrt_iter(guess: float, x: float) -> float:
    while not good_enough(guess, x):
        guess = improve(guess, x)
    return guess


def improve(guess: float, x: float) -> float:
    return average(guess, x / guess)


def average(x: float, y: float) -> float:
    return (x + y) / 2


def good_enough(guess: float, x: float) -> bool:
    return abs(square(guess) - x) < 0.001


def newton_sqrt(x: float) -> float:
    return sqrt_iter(1.0, x)


def sqrt_total(count: int) -> float:
    return sum(newton_sqrt(i) for i in range(1, count + 1))


def smallest_divisor(n: int) -> int:
    return find_divisor(n, 2)


def find_divisor(n: int, test_divisor: int) -> int:
    while square(test_divisor) <= n:
        if divides(test_divisor, n):
            return test_divisor
        test_divisor += 1
    return n


def divides(a: int, b: int) -> bool:
    return b % a == 0


def is_prime(n: int) -> bool:
    return n == smallest_divisor(n)


def count_primes(low: int, high: int) -> int:
    return sum(1 for n in range(low, high) if is_prime(n))


# Each workload: the Scheme call with {} for its argument, the Python function, and the
# argument for a full run and for a --quick run.
WORKLOADS = {
    "fib": ("(fib {})", fib, 25, 15),
    "count-change": ("(count-change {})", count_change, 300, 100),
    "fast-expt": ("(fast-expt-total {})", fast_expt_total, 5000, 1000),
    "sqrt": ("(sqrt-total {})", sqrt_total, 2000, 200),
    "primes": ("(count-primes 2 {})", lambda high: count_primes(2, high), 10000, 2000),
}
