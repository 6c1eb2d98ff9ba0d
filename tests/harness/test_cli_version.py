"""``pjconf --version``: the package version and the identity of the corpus it carries."""

from __future__ import annotations

import re
from importlib import metadata

import pytest

from pjconf.harness import cli
from pjconf.harness.corpus.paths import vectors_dir
from pjconf.harness.reports.summary import corpus_identity


def test_version_names_the_package_and_the_corpus_digest_reports_carry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--version"])
    assert stopped.value.code == 0
    line = capsys.readouterr().out.strip()
    identity = corpus_identity(vectors_dir())
    assert line == (
        f"pjconf {metadata.version('pjconf')} (corpus {identity['version']}, "
        f"sha256 {identity['sha256']}, {len(identity['schemas'])} families)"
    )
    assert re.fullmatch(
        r"pjconf \d+\.\d+\.\d+\S* \(corpus .+, sha256 [0-9a-f]{64}, \d+ families\)", line
    )
