"""The calculus engine: expressions, derivative rules and simplifying constructors."""
