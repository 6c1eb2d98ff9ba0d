"""The vector corpus: where it lives, loading its cases, linting it against its schemas."""
