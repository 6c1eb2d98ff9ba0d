"""The adapter protocol: the one seam between the harness, which asks, and an implementation
under test, which answers. Both sides import this package and nothing of each other."""
