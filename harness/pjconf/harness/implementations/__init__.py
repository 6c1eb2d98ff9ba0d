"""Implementations under test as the harness sees them: clients that speak the adapter protocol."""
