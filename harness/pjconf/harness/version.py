"""``pjconf --version``: which pjconf and which corpus, the two things a CI pin fixes.

A report is only comparable with another of the same corpus bytes, so the version names the
corpus's generator version and digest (the ``corpus.sha256`` of every JSON report) beside the
package version. It is computed when asked for, not at every start.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.reports.summary import corpus_identity


def package_version() -> str:
    try:
        return metadata.version("pjconf")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def version_text(root: Path | None = None) -> str:
    """``pjconf X.Y.Z (corpus G, sha256 D, N families)``."""
    identity = corpus_identity(root or vectors_dir())
    return (
        f"pjconf {package_version()} (corpus {identity['version']}, sha256 "
        f"{identity['sha256']}, {len(identity['schemas'])} families)"
    )


class VersionAction(argparse.Action):
    """Like argparse's ``version`` action, but reads the corpus only when the option is given."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print the pjconf version and the corpus identity, then exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(version_text())
        parser.exit()


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action=VersionAction)
