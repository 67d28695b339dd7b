"""The newcomer's walk-through of docs/API.md, run as written against a real `heritage serve` process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from recommender.city import City
from tests.conftest import ROOT
from tests.heritage_process import free_port, heritage_command, local_store_env, serving, wait_until_ok

pytestmark = pytest.mark.slow
API_MD = ROOT / "docs" / "API.md"


def walkthrough_script() -> str:
    """Every ```bash block of the Walk-through section, in order."""
    text = API_MD.read_text(encoding="utf-8")
    section = text.split("## Walk-through", 1)[1]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) >= 5, "the walk-through lost its examples"
    return "set -euo pipefail\n" + "\n".join(blocks)


def test_the_api_walkthrough_runs_from_registration_to_a_rated_itinerary(tmp_path: Path, city: City) -> None:
    del city  # the fixture makes sure the bundle the server loads is built
    if shutil.which("jq") is None or shutil.which("curl") is None:
        pytest.skip("the walk-through needs curl and jq")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    env = local_store_env(tmp_path / "walkthrough.sqlite3")
    with serving(heritage_command("serve", "--port", str(port)), env=env) as server:
        wait_until_ok(f"{api}/ready", server, timeout_s=90)
        result = subprocess.run(
            ["bash", "-c", walkthrough_script()],
            cwd=tmp_path,
            env={**os.environ, "API": api},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "Văn Miếu – Quốc Tử Giám"
    assert float(lines[1]) > 1000
    saved_ids = [line for line in lines if re.fullmatch(r"[0-9a-f-]{36}", line)]
    assert len(saved_ids) == 1, "the idempotent re-save printed its id"
    assert lines[lines.index(saved_ids[0]) + 1] == "1", "two saves with one Idempotency-Key made one itinerary"
    assert '["visit-0001","rating-0001"]' in lines
    assert "Heritage and food" in lines
    assert '"field":"depart"' in lines[-1]
