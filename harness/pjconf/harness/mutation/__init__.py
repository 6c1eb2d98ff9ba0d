"""Mutation testing of the reference: how much of its behaviour the corpus pins.

The corpus is generated from the reference, so the reference passing it says nothing about the
corpus's strength. Here one-place changes of the reference's *source files* (never an import of
``pjconf.reference``) are each run against the cases that reach the changed line; a mutant no
FAIL notices is a behaviour the corpus leaves open (see docs/mutation.md).
"""
