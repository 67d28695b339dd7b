"""The Docker image's secret behaviour, without docker: the runtime stage's CMD run with the runtime stage's ENV.

`docker build` is not available here, so this reads the Dockerfile's last stage (its ENV and CMD), maps the image's
paths onto this checkout (``/opt/venv`` -> ``.venv``, ``/app/data`` -> ``data``, ``/app/bundles`` -> ``bundles``,
``/app/var`` and the numba cache -> a temporary directory), binds loopback on a free port instead of 0.0.0.0:8000,
and runs that command with that environment and nothing else of this machine's.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from api.city import current_spec
from api.settings import Settings
from recommender.city import build_city
from tests.conftest import ROOT
from tests.heritage_process import free_port, serving, wait_until_ok

DOCKERFILE = ROOT / "Dockerfile"
VENV_BIN = ROOT / ".venv" / "bin"


def runtime_stage(dockerfile: Path) -> tuple[dict[str, str], list[str]]:
    """The ENV (in order, ``$VAR`` expanded against earlier values) and the CMD of the Dockerfile's last stage."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())  # join continued lines
    stages = re.split(r"^FROM\s", text, flags=re.MULTILINE)
    env: dict[str, str] = {}
    command: list[str] = []
    for line in stages[-1].splitlines():
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), f"${m.group(1)}"), value)
        elif instruction in {"CMD", "ENTRYPOINT"}:
            parsed = json.loads(rest)
            command = parsed if instruction == "ENTRYPOINT" else command + parsed
    return env, command


def image_environment(tmp_path: Path, port: int) -> dict[str, str]:
    """The runtime stage's ENV with the image's paths mapped onto this checkout."""
    env, _ = runtime_stage(DOCKERFILE)
    places = {
        "/opt/venv/bin": str(VENV_BIN),
        "/app/data": str(ROOT / "data"),
        "/app/bundles": str(ROOT / "bundles"),
        "/app/numba-cache": str(tmp_path / "numba-cache"),
        "/app/var": str(tmp_path / "var"),
    }
    mapped: dict[str, str] = {}
    for key, value in env.items():
        here_value = value
        for image_path, here in places.items():
            here_value = here_value.replace(image_path, here)
        mapped[key] = here_value
    mapped["PATH"] = mapped["PATH"].replace("$PATH", "/usr/local/bin:/usr/bin:/bin")
    mapped["HOME"] = str(tmp_path)
    assert mapped.pop("HERITAGE_HOST") == "0.0.0.0"
    mapped["HERITAGE_HOST"] = "127.0.0.1"
    mapped["HERITAGE_PORT"] = str(port)
    return mapped


def _command(env: dict[str, str]) -> list[str]:
    _, command = runtime_stage(DOCKERFILE)
    assert command, "the Dockerfile has no CMD"
    program = shutil.which(command[0], path=env["PATH"])
    assert program is not None, f"{command[0]} is not on the image's PATH here"
    return [program, *command[1:]]


def test_the_dockerfile_runs_in_production_mode() -> None:
    env, command = runtime_stage(DOCKERFILE)
    assert env["HERITAGE_ENVIRONMENT"] == "production"
    assert "HERITAGE_SECRET_KEY" not in env, "a secret baked into the image is public"
    assert command == ["heritage", "serve"]


@pytest.mark.parametrize(
    "secret",
    [None, "development-only-secret-change-me", "hunter2-short", "aaaaaaaaaaaaaaaa", "a" * 48],
    ids=["unset", "placeholder", "short", "aaaa", "repetitive"],
)
def test_the_image_refuses_to_start_without_a_strong_secret(tmp_path: Path, secret: str | None) -> None:
    env = image_environment(tmp_path, free_port())
    if secret is not None:
        env["HERITAGE_SECRET_KEY"] = secret
    result = subprocess.run(
        _command(env), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "HERITAGE_SECRET_KEY" in output
    assert "Traceback" not in output
    if secret is not None:
        assert secret not in output, "the refused secret was echoed"


@pytest.mark.slow
def test_the_image_starts_with_a_strong_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=ROOT / "data", bundle_dir=ROOT / "bundles")
    build_city(current_spec(settings), settings.bundle_dir)  # what the image's build stage does (no-op when built)
    port = free_port()
    env = image_environment(tmp_path, port)
    secret = secrets.token_urlsafe(48)
    env["HERITAGE_SECRET_KEY"] = secret
    log = tmp_path / "server.log"
    with log.open("w") as output, serving(_command(env), env=env, output=output, cwd=tmp_path) as process:
        health = wait_until_ok(f"http://127.0.0.1:{port}/health", process, timeout_s=120)
        assert health is not None, f"the server did not come up:\n{log.read_text()[-2000:]}"
        assert health.status_code == 200
    assert secret not in log.read_text(), "the secret was logged"
