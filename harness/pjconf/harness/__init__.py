"""The pjconf harness: vectors, adapters, the runner and the ``pjconf`` command."""
