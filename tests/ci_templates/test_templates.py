"""The CI templates do what they say: the action's steps, the shell runner and the GitLab jobs run
here (tests/ci_templates/local_ci.py) against the reference, and the templates agree with each
other and with the release they pin.

pjconf is not installed for real here (ci/test-templates.sh does that, in .ci/run): a stand-in
``python3`` makes a "virtualenv" whose ``pjconf`` is this checkout's and whose ``pip`` does
nothing, so these tests check the templates' own logic in seconds.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest
from ci_templates import local_ci

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "ci" / "templates"
FAST = "--family uri --family bhttp --no-variants"
STALE = {"pjconf-reference": {"known_failures": {"uri/99999": "no such case"}}}
TIMEOUT = 120


def _expectations(path: Path, entries: Mapping[str, object]) -> Path:
    path.write_text(json.dumps({"format": "pjconf/expectations/v1", "implementations": entries}))
    return path


@pytest.fixture
def stub_bin(tmp_path: Path) -> Path:
    """A directory with a ``python3`` whose ``-m venv DIR`` makes DIR/bin/{python,pip,pjconf}
    that run this checkout's pjconf (and a pip that installs nothing)."""
    real = Path(sys.executable)
    wrappers = tmp_path / "venv-bin"
    wrappers.mkdir()
    scripts = {
        "pjconf": f'#!/bin/sh\nexec "{real.parent / "pjconf"}" "$@"\n',
        "python": f'#!/bin/sh\n[ "$1 $2" = "-m pip" ] && exit 0\nexec "{real}" "$@"\n',
        "pip": "#!/bin/sh\nexit 0\n",
        "python3": (
            '#!/bin/sh\nif [ "$1 $2" = "-m venv" ]; then\n  mkdir -p "$3/bin"\n'
            f'  cp "{wrappers}/python" "{wrappers}/pip" "{wrappers}/pjconf" "$3/bin/"\n'
            f'  exit 0\nfi\nexec "{real}" "$@"\n'
        ),
    }
    for name, text in scripts.items():
        (wrappers / name).write_text(text)
        (wrappers / name).chmod(0o755)
    return wrappers


def _action(workdir: Path, temp: Path, stub_bin: Path, **inputs: str) -> local_ci.ActionRun:
    """The action with pjconf provided by the stand-in (its install step skipped)."""
    workdir.mkdir(parents=True, exist_ok=True)
    venv = temp / "pjconf-venv" / "bin"
    venv.mkdir(parents=True, exist_ok=True)
    for name in ("pjconf", "python"):
        shutil.copy(stub_bin / name, venv / name)
    return local_ci.run_action(
        ROOT,
        {"python-version": "", **inputs},
        workdir,
        temp,
        skip={"Install pjconf from this action's own checkout"},
        timeout=TIMEOUT,
    )


def test_the_action_runs_two_shards_and_merges_them_as_the_workflow_does(
    tmp_path: Path, stub_bin: Path
) -> None:
    temp, shards = tmp_path / "temp", tmp_path / "merge" / "pjconf-shards"
    for index in (1, 2):
        done = _action(tmp_path / f"s{index}", temp, stub_bin, shard=f"{index}/2", args=FAST)
        assert done.ok
        assert done.outputs["artifact-name"] == f"pjconf-reports-shard-{index}-of-2"
        assert done.outputs["exit-code"] == "0"
        assert done.summary.startswith("## pjconf: ok - pjconf-reference")
        skipped = {s.name: s.skipped for s in done.steps if s.skipped}
        assert list(skipped) == [
            "Set up Python",
            "Install pjconf from this action's own checkout",
            "Upload the reports",
        ]
        # What download-artifact lays out: one directory per artifact.
        shutil.copytree(
            tmp_path / f"s{index}" / "pjconf-reports", shards / done.outputs["artifact-name"]
        )
    merged = _action(
        tmp_path / "merge", temp, stub_bin, merge="pjconf-shards", **{"min-verified": "5"}
    )
    assert merged.ok
    assert merged.outputs == {
        "exit-code": "0",
        "ok": "true",
        "verified-share": merged.outputs["verified-share"],
        "artifact-name": "pjconf-reports-merged",
    }
    assert "- merged from: 2 shard reports" in merged.summary
    assert re.search(r"^\| uri \| 124 \|", merged.summary, re.MULTILINE)
    for report in ("pjconf.json", "pjconf.xml", "pjconf.html", "pjconf.md"):
        assert (tmp_path / "merge" / "pjconf-reports" / report).stat().st_size > 0


def test_a_red_run_still_gets_its_summary_and_then_fails_the_job(
    tmp_path: Path, stub_bin: Path
) -> None:
    stale = _expectations(tmp_path / "stale.json", STALE)
    done = _action(tmp_path / "w", tmp_path / "t", stub_bin, expectations=str(stale), args=FAST)
    statuses = {s.name: s.status for s in done.steps}
    assert statuses["Run pjconf"] == 0  # recorded, so that the summary and upload still run
    assert statuses["Write the job summary"] == 0
    assert statuses["Pass pjconf's verdict on"] == 1
    assert not done.ok
    assert done.outputs["exit-code"] == "1"
    assert done.outputs["ok"] == "false"
    assert done.summary.startswith("## pjconf: FAILED - pjconf-reference 0.1.0")
    assert "stale expectation" in done.summary


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"strict-expectations": "yes"}, "strict-expectations is 'yes'"),
        ({"shard": "1/2", "min-verified": "90"}, "set min-verified on the merge step"),
        ({"profile": "sender-only"}, "use 'bip77' or 'payjoin-1.0'"),
        ({"merge": "nowhere"}, "no shard reports"),
    ],
)
def test_misuse_is_refused_with_a_reason_and_the_summary_says_no_report(
    tmp_path: Path,
    stub_bin: Path,
    capfd: pytest.CaptureFixture[str],
    inputs: dict[str, str],
    message: str,
) -> None:
    (tmp_path / "w" / "nowhere").mkdir(parents=True)
    done = _action(tmp_path / "w", tmp_path / "t", stub_bin, **inputs)
    assert not done.ok
    assert done.outputs["exit-code"] == "2"
    out = capfd.readouterr().out
    assert re.search(r"::error title=pjconf::.*" + re.escape(message), out)
    assert done.summary.startswith("## pjconf: no report")


def _shell(tmp_path: Path, stub_bin: Path, **variables: str) -> int:
    env = {
        **os.environ,
        "PJCONF_PYTHON": str(stub_bin / "python3"),
        "PJCONF_PIP_SPEC": "pjconf (stand-in)",
        **variables,
    }
    script = TEMPLATES / "run-pjconf.sh"
    command = ["sh", str(script)]
    return subprocess.run(command, cwd=tmp_path, env=env, timeout=TIMEOUT, check=False).returncode


def test_the_shell_runner_names_shard_reports_and_passes_the_exit_status_on(
    tmp_path: Path, stub_bin: Path
) -> None:
    assert _shell(tmp_path, stub_bin, PJCONF_SHARD="2/3", PJCONF_ARGS=FAST) == 0
    names = sorted(p.name for p in (tmp_path / "pjconf-reports").iterdir())
    assert names == [f"pjconf-shard-2-of-3.{ext}" for ext in ("html", "json", "md", "xml")]
    stale = _expectations(tmp_path / "stale.json", STALE)
    assert _shell(tmp_path, stub_bin, PJCONF_EXPECTATIONS=str(stale), PJCONF_ARGS=FAST) == 1
    assert _shell(tmp_path, stub_bin, PJCONF_STRICT_EXPECTATIONS="maybe") == 2
    assert _shell(tmp_path, stub_bin, PJCONF_SHARD="1/2", PJCONF_MIN_VERIFIED="90") == 2


def test_the_gitlab_jobs_run_both_shards_and_merge_them(tmp_path: Path, stub_bin: Path) -> None:
    config = local_ci.load_yaml(TEMPLATES / "gitlab-ci.yml")
    _expectations(tmp_path / "pjconf-expectations.json", {"pjconf-reference": {}})
    overrides = {
        "PJCONF_IMPL": "reference",
        "PJCONF_ARGS": FAST,
        "PJCONF_MIN_VERIFIED": "5",
        "PATH": f"{stub_bin}{os.pathsep}{os.environ['PATH']}",
    }
    for name in ("pjconf", "pjconf-merge"):
        job = local_ci.run_gitlab_job(config, name, tmp_path, overrides, timeout=TIMEOUT)
        assert job.ok, job
    merged = json.loads((tmp_path / "pjconf-merged" / "pjconf.json").read_text())
    assert merged["ok"] is True
    unsharded = json.loads(
        subprocess.run(
            [sys.executable, "-m", "pjconf.harness", "run", "-q", *FAST.split(), "--json", "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    assert merged["verified"] == unsharded["verified"]
    assert merged["counts"] == unsharded["counts"]
    assert merged["merged"]["reports"] == [
        "pjconf-reports/shard-1.json",
        "pjconf-reports/shard-2.json",
    ]


def _version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_the_templates_pin_this_release_and_fit_the_action() -> None:
    action = local_ci.load_yaml(ROOT / "action.yml")
    workflow = local_ci.load_yaml(ROOT / "ci" / "github-actions.yml")
    gitlab = local_ci.load_yaml(TEMPLATES / "gitlab-ci.yml")
    pinned = f"@v{_version()}"
    pinning = [
        ROOT / "action.yml",
        ROOT / "README.md",
        *(ROOT / "ci").glob("*.*"),
        *TEMPLATES.iterdir(),
    ]
    pins = {
        path.relative_to(ROOT).as_posix(): re.findall(
            r"pjconf@(v\d+\.\d+\.\d+)\b", path.read_text()
        )
        for path in pinning
    }
    somewhere = ("action.yml", "README.md", "ci/README.md", "ci/github-actions.yml")
    assert all(pins[name] for name in (*somewhere, "ci/templates/gitlab-ci.yml"))
    for name, found in pins.items():
        assert all(f"@{pin}" == pinned for pin in found), (
            f"{name} pins {found}; pyproject: {pinned}"
        )
    jobs = workflow["jobs"]
    assert all("timeout-minutes" in job for job in jobs.values())
    uses = [s for job in jobs.values() for s in job["steps"] if "OWNER/pjconf" in s.get("uses", "")]
    assert len(uses) == len(jobs)
    for step in uses:
        assert set(step.get("with", {})) <= set(action["inputs"])
    shards = jobs["pjconf"]["strategy"]["matrix"]["shard"]
    assert shards == [f"{i}/{len(shards)}" for i in range(1, len(shards) + 1)]
    download = next(s for s in jobs["pjconf-merge"]["steps"] if "download-artifact" in s["uses"])
    for shard in shards:  # the names the action uploads the shards under
        assert fnmatch.fnmatch(
            f"pjconf-reports-shard-{shard.replace('/', '-of-')}", download["with"]["pattern"]
        )
    assert jobs["pjconf-merge"]["needs"] == "pjconf"
    assert gitlab["variables"]["PJCONF_PIP_SPEC"].endswith(pinned)
    for name, job in local_ci.gitlab_jobs(gitlab).items():
        assert "timeout" in job, name
        assert job["artifacts"]["when"] == "always", name
    assert gitlab["pjconf"]["parallel"] >= 2
    assert gitlab["pjconf"]["artifacts"]["reports"]["junit"]
