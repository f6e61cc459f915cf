"""symdiff's benchmark suite: run it with `python -m benchmarks`; results go to docs/benchmarks.md."""
