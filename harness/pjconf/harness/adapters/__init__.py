"""Implementations under test, as seen through the adapter protocol."""
