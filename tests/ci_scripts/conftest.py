"""ci/ holds scripts, not a package: put it on sys.path so its modules import by name."""

from __future__ import annotations

import sys
from pathlib import Path

CI = Path(__file__).resolve().parents[2] / "ci"
if str(CI) not in sys.path:
    sys.path.insert(0, str(CI))
