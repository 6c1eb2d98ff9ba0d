"""``pjconf bench``: the adapter protocol's ``bench`` op, run on any implementations side by side.

``items`` says what is timed (an op and the inputs it is timed on, with how its answer is checked),
``gate`` runs each op's vectors first so that only a correct implementation is timed, ``measure``
calibrates and interleaves the rounds, ``floors`` times libsecp256k1 doing the curve work an op
cannot avoid, ``stats`` summarises the rounds as pytest-benchmark does, and ``table``,
``pytest_json`` and ``page`` write what a person or a tool reads. See docs/bench.md.
"""
