"""The real `pre-commit` package runs our hook: a bad spec is refused, a fixed one goes through."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BAD = """openapi: 3.0.3
info: {title: Pets, version: 1.0.0}
paths:
  /pets:
    get:
      responses:
        oops: 1
"""
GOOD = BAD.replace("oops: 1", "'200': {description: ok}")


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pre_commit_hook_refuses_then_accepts(tmp_path):
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit not installed in this environment")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "PRE_COMMIT_HOME": str(tmp_path / "pc-cache"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = lambda *a: subprocess.run(list(a), cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    run("git", "init", "-q")
    # `language: system` runs the apiscan of this environment; the hook's id and entry come from our manifest
    manifest = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "id: apiscan-lint" in manifest
    assert run(str(pre_commit), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: apiscan-lint\n    name: apiscan lint\n"
        "    entry: apiscan lint --rule GOV001\n    language: system\n    types_or: [yaml, json]\n"
        "    exclude: ^\\.pre-commit-config\\.yaml$\n")
    (repo / "api.yaml").write_text(BAD)
    run("git", "add", ".")
    assert run(str(pre_commit), "install").returncode == 0
    refused = run("git", "commit", "-m", "bad spec")
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "GOV001" in refused.stdout + refused.stderr
    (repo / "api.yaml").write_text(GOOD)
    run("git", "add", ".")
    accepted = run("git", "commit", "-m", "fixed spec")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
