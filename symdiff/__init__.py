"""symdiff: a small Scheme for differentiation."""
