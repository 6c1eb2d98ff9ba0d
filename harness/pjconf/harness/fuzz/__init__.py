"""``pjconf fuzz``: differential and stateful exploration of an implementation through the
adapter protocol, with the reference (or a second implementation) as the oracle."""
