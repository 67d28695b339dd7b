"""`heritage serve` as a user runs it: a real server process on loopback answering /health."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx

from tests.conftest import ROOT, VAN_MIEU_OSM
from tests.heritage_process import free_port, heritage_command, run_heritage, wait_until_ok


def test_serve_answers_health_names_itself_and_stops_on_sigterm(server_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        heritage_command("serve", "--port", str(port)),
        cwd=ROOT,
        env={**server_env, "HERITAGE_SERVER_ID": "replica-7"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        response = wait_until_ok(f"http://127.0.0.1:{port}/health", process, timeout_s=60)
        assert response is not None, "server did not come up"
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert response.headers["x-served-by"] == "replica-7"
        places = httpx.get(f"http://127.0.0.1:{port}/v1/places", params={"category": "ci_centre"}, timeout=5).json()
        assert places["count"] >= 12
        # A graceful stop (docs/DEPLOY.md): uvicorn finishes open requests, then re-raises the signal it caught.
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert process.returncode in {0, -signal.SIGTERM}
        assert "Finished server process" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_serve_without_bundle_says_what_to_do(tmp_path: Path) -> None:
    env = {**os.environ, "HERITAGE_BUNDLE_DIR": str(tmp_path / "empty"), "HERITAGE_OSM_PATH": str(VAN_MIEU_OSM)}
    result = run_heritage("serve", "--port", str(free_port()), env=env)
    assert result.returncode == 1
    assert "heritage build" in result.stderr


def test_serve_refuses_an_unreadable_preference_model(server_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "best_model.npz"
    broken.write_bytes(b"not a model")
    result = run_heritage(
        "serve", "--port", str(free_port()), env={**server_env, "HERITAGE_PREFERENCE_MODEL_PATH": str(broken)}
    )
    assert result.returncode == 1
    assert "HERITAGE_PREFERENCE_MODEL_PATH" in result.stderr
    assert "Traceback" not in result.stderr
