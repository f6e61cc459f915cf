"""The evaluator: environments, special forms, procedures and the builtin library."""
