"""``python -m pjconf.harness`` is the ``pjconf`` command."""

from pjconf.harness.cli import main

raise SystemExit(main())
