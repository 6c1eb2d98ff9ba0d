"""Running pjconf's CI templates on this machine: the action's steps and GitLab jobs' scripts.

Neither GitHub nor GitLab runs here, so without this the templates would only ever be read. It
runs what those systems would run, as they would: the composite action's ``run:`` steps in order
with their ``shell``, ``env`` and ``if``, ``${{ }}`` expressions substituted, and the files GitHub
provides (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``); a GitLab job's ``before_script`` and
``script`` lines in one ``sh -e`` with the job's variables and ``CI_NODE_INDEX``/``CI_NODE_TOTAL``
for ``parallel:``. ``uses:`` steps (setup-python, upload-artifact) cannot run without GitHub; they
are skipped and named. Only the expression forms the templates use are understood; anything else
is an error, so a template cannot drift into something this runner silently ignores.

Used by ``ci/test-templates.sh`` (``python tests/ci_templates/local_ci.py action|gitlab ...``) and
``tests/ci_templates/test_templates.py``.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARISON = re.compile(r"inputs\.([\w-]+)\s*(==|!=)\s*''")
SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"],  # GitHub's `shell: bash`
    "sh": ["sh", "-e"],
}
_NOT_JOBS = {"stages", "variables", "default", "workflow", "include", "image", "services"}


class Unsupported(Exception):
    """A template uses something this runner does not emulate."""


@dataclass
class Step:
    """What happened to one step: its exit status, or why it did not run."""

    name: str
    status: int | None = None
    skipped: str = ""


@dataclass
class ActionRun:
    steps: list[Step] = field(default_factory=list)
    summary: str = ""
    """Everything the steps appended to ``$GITHUB_STEP_SUMMARY``, in order."""
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(step.status in (None, 0) for step in self.steps)


@dataclass
class _Context:
    inputs: dict[str, str]
    action_path: Path
    runner_temp: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, expression: str) -> str:
        if match := re.fullmatch(r"inputs\.([\w-]+)", expression):
            if match.group(1) not in self.inputs:
                raise Unsupported(f"${{{{ {expression} }}}}: no such input")
            return self.inputs[match.group(1)]
        if match := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            return self.outputs.get(match.group(1), {}).get(match.group(2), "")
        known = {"github.action_path": self.action_path, "runner.temp": self.runner_temp}
        if expression in known:
            return str(known[expression])
        raise Unsupported(f"expression ${{{{ {expression} }}}}")

    def substitute(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def runs(self, condition: str | None, failed: bool) -> bool:
        """GitHub's ``if:``: absent means success(); ``always()``; an input compared with ''."""
        if condition is None:
            return not failed
        text = condition.strip()
        if match := _EXPRESSION.fullmatch(text):
            text = match.group(1)
        if text == "always()":
            return True
        if match := _COMPARISON.fullmatch(text):
            empty = self.value(f"inputs.{match.group(1)}") == ""
            return (empty if match.group(2) == "==" else not empty) and not failed
        raise Unsupported(f"if: {condition}")


def load_yaml(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise Unsupported(f"{path} is not a YAML mapping")
    return document


def _outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as GitHub reads ``GITHUB_OUTPUT``."""
    found: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines()) if path.exists() else iter(())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for part in lines:
                if part == delimiter:
                    break
                body.append(part)
            found[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def run_action(
    action_dir: Path,
    inputs: dict[str, str],
    workdir: Path,
    runner_temp: Path,
    *,
    skip: Collection[str] = (),
    timeout: float = 1800,
) -> ActionRun:
    """Run the composite action in ``action_dir`` with ``inputs`` in ``workdir``.

    ``skip`` names steps the caller stands in for (a test that provides pjconf itself skips the
    install step). Step output goes to this process's stdout and stderr.
    """
    action = load_yaml(action_dir / "action.yml")
    declared = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(declared)
    if unknown:
        raise Unsupported(f"no such input(s): {', '.join(sorted(unknown))}")
    context = _Context({**declared, **inputs}, action_dir.resolve(), runner_temp)
    result = ActionRun()
    failed = False
    for number, spec in enumerate(action["runs"]["steps"]):
        step = Step(str(spec.get("name", f"step {number}")))
        result.steps.append(step)
        if not context.runs(spec.get("if"), failed):
            step.skipped = f"if: {spec.get('if')} is false"
        elif step.name in skip:
            step.skipped = "stood in for by the caller"
        elif "uses" in spec:
            step.skipped = f"uses: {spec['uses']} needs GitHub's runner"
        else:
            step.status = _run_step(spec, number, context, workdir, result, timeout=timeout)
            failed = failed or step.status != 0
        print(f"== step {step.name}: {step.skipped or f'exit {step.status}'}", flush=True)
    result.outputs = {
        name: context.substitute(str(spec.get("value", "")))
        for name, spec in action.get("outputs", {}).items()
    }
    return result


def _run_step(
    spec: dict[str, Any],
    number: int,
    context: _Context,
    workdir: Path,
    result: ActionRun,
    *,
    timeout: float,
) -> int:
    shell = spec.get("shell")
    if shell not in SHELLS:
        raise Unsupported(f"step {spec.get('name')!r}: shell {shell!r}")
    files = {
        name: context.runner_temp / f"step{number}.{name}"
        for name in ("script", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH")
    }
    for path in files.values():
        path.write_text("", encoding="utf-8")
    files["script"].write_text(context.substitute(str(spec["run"])), encoding="utf-8")
    env = {
        **os.environ,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workdir),
        "GITHUB_ACTION_PATH": str(context.action_path),
        "RUNNER_TEMP": str(context.runner_temp),
        **{name: str(path) for name, path in files.items() if name != "script"},
        **{k: context.substitute(str(v)) for k, v in (spec.get("env") or {}).items()},
    }
    print(f"== step {spec.get('name')} ({shell})", flush=True)
    status = subprocess.run(
        [*SHELLS[shell], str(files["script"])], cwd=workdir, env=env, timeout=timeout, check=False
    ).returncode
    if "id" in spec:
        context.outputs[str(spec["id"])] = _outputs(files["GITHUB_OUTPUT"])
    result.summary += files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
    return status


@dataclass
class JobRun:
    """One GitLab job (every node of a ``parallel:`` job): exit statuses and missing artifacts."""

    name: str
    statuses: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s == 0 for s in self.statuses) and not self.missing


def gitlab_jobs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: job
        for name, job in config.items()
        if name not in _NOT_JOBS and not name.startswith(".") and isinstance(job, dict)
    }


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [line for item in value for line in _lines(item)]


def _variables(*sources: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in sources:
        for name, value in (source or {}).items():
            found[name] = str(value["value"] if isinstance(value, dict) else value)
    return found


def run_gitlab_job(
    config: dict[str, Any],
    name: str,
    workdir: Path,
    overrides: dict[str, str],
    *,
    timeout: float = 1800,
) -> JobRun:
    """Run job ``name`` of a parsed ``.gitlab-ci.yml`` in ``workdir``, once per parallel node.

    ``overrides`` play the part of CI/CD variables set in the project, which win over the
    file's. Each line is echoed with ``$`` and the first failing line ends the job, as GitLab's
    shell executor does.
    """
    job = gitlab_jobs(config)[name]
    default = config.get("default") or {}
    lines = _lines(job.get("before_script", default.get("before_script"))) + _lines(job["script"])
    script = "".join(f"printf '%s\\n' {_quote('$ ' + line)}\n{line}\n" for line in lines)
    nodes = int(job.get("parallel", 1))
    run = JobRun(name)
    for index in range(1, nodes + 1):
        env = {
            **os.environ,
            "CI": "true",
            "GITLAB_CI": "true",
            "CI_PROJECT_DIR": str(workdir),
            "CI_JOB_NAME": name,
            "CI_PIPELINE_ID": "local",
        }
        if "parallel" in job:
            env.update(CI_NODE_INDEX=str(index), CI_NODE_TOTAL=str(nodes))
        for key, value in _variables(config.get("variables"), job.get("variables")).items():
            env[key] = _expand(value, env)  # GitLab expands $VARIABLES in variable values
        env.update(overrides)
        print(f"== GitLab job {name} ({index}/{nodes})", flush=True)
        command = [*SHELLS["sh"], "-c", script]
        run.statuses.append(
            subprocess.run(command, cwd=workdir, env=env, timeout=timeout, check=False).returncode
        )
    artifacts = job.get("artifacts") or {}
    wanted = _lines(artifacts.get("paths")) + _lines((artifacts.get("reports") or {}).get("junit"))
    run.missing = [p for p in wanted if not glob.glob(str(workdir / os.path.expandvars(p)))]
    return run


def _expand(value: str, env: dict[str, str]) -> str:
    return re.sub(
        r"\$(?:\{(\w+)\}|(\w+))",
        lambda m: env.get(m.group(1) or m.group(2), m.group(0)),
        value,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _pairs(items: Sequence[str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    kinds = parser.add_subparsers(dest="kind", required=True)
    action_p = kinds.add_parser("action", help="run action.yml's steps")
    action_p.add_argument("--action-dir", type=Path, default=Path(__file__).parents[2])
    action_p.add_argument("--workdir", type=Path, required=True)
    action_p.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    action_p.add_argument(
        "--runner-temp",
        type=Path,
        help="$RUNNER_TEMP (default: WORKDIR/.runner-temp); share "
        "it between runs as the steps of one job share it",
    )
    action_p.add_argument("--outputs", type=Path, help="also write the action's outputs here")
    gitlab_p = kinds.add_parser("gitlab", help="run jobs of a .gitlab-ci.yml")
    gitlab_p.add_argument("file", type=Path)
    gitlab_p.add_argument("--workdir", type=Path, required=True)
    gitlab_p.add_argument("--job", action="append", default=[], help="in order (default: all)")
    gitlab_p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.kind == "action":
        temp = (args.runner_temp or args.workdir / ".runner-temp").resolve()
        temp.mkdir(parents=True, exist_ok=True)
        done = run_action(args.action_dir, _pairs(args.input), args.workdir.resolve(), temp)
        lines = "".join(f"{name}={value}\n" for name, value in done.outputs.items())
        print(f"action outputs: {lines.strip().replace(chr(10), ', ')}")
        if args.outputs:
            args.outputs.write_text(lines, encoding="utf-8")
        print("== job summary ($GITHUB_STEP_SUMMARY) ==")
        print(done.summary, end="")
        print("== end of job summary ==")
        return 0 if done.ok else 1
    config = load_yaml(args.file)
    ok = True
    for name in args.job or list(gitlab_jobs(config)):
        job = run_gitlab_job(config, name, args.workdir.resolve(), _pairs(args.var))
        print(f"GitLab job {name}: exit {job.statuses}, missing artifacts {job.missing}")
        ok = ok and job.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
