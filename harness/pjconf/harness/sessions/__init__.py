"""Whole sessions between two implementations: the driver, the declared paths, the session cases."""
