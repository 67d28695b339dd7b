"""The generated TypeScript client (clients/typescript), as a mobile team would use it.

`npm ci` installs the lock file's pinned versions into clients/typescript/node_modules (once: skipped while it
matches the lock file; one run at a time). The rest happens in a copy of the client's sources under tmp_path, so two
test runs never share generated files: the app's own OpenAPI document is written there, openapi-typescript makes
`src/schema.d.ts` from it, `tsc --strict` type-checks the client and the flow test, then `node --test` drives the
traveller's flow (device sign-up, register, login, plan, save, list, patch, feedback, refresh, logout) through the
client against a real `heritage serve` on a free port, with a fresh SQLite file and the in-process cache. Without
`npm` and `node` the test is skipped, saying so.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.city import current_spec
from api.settings import get_settings
from recommender.city import build_city
from tests.conftest import ROOT
from tests.heritage_process import free_port, heritage_command, local_store_env, serving, wait_until_ok

pytestmark = pytest.mark.slow
CLIENT = ROOT / "clients" / "typescript"
INSTALLED_STAMP = CLIENT / "node_modules" / ".heritage-installed"  # the lock file's hash when `npm ci` last ran
NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH", "network")


SOURCES = ("package.json", "package-lock.json", "tsconfig.json", "src/client.ts", "src/flow.test.ts")


def run(
    command: list[str], *, cwd: Path, timeout_s: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s, check=False)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"$ {' '.join(result.args)} -> exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def lock_hash() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((CLIENT / name).read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def npm() -> str:
    """The npm executable, with the client's packages installed as the lock file pins them."""
    npm_path, node_path = shutil.which("npm"), shutil.which("node")
    if npm_path is None or node_path is None:
        pytest.skip(
            "NOT TESTED: the generated TypeScript client needs `npm` and `node` (Node 20) on PATH; "
            f"found npm={npm_path}, node={node_path}"
        )
    lock_path = Path(tempfile.gettempdir()) / f"heritage-npm-{hashlib.sha256(bytes(CLIENT)).hexdigest()[:12]}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run installing at the same time waits here
        if INSTALLED_STAMP.is_file() and INSTALLED_STAMP.read_text(encoding="utf-8") == lock_hash():
            return npm_path
        installed = run([npm_path, "ci", "--no-audit", "--no-fund"], cwd=CLIENT, timeout_s=600)
        if installed.returncode != 0 and any(word in installed.stderr for word in NETWORK_ERRORS):
            pytest.skip(f"NOT TESTED: `npm ci` could not reach the npm registry:\n{explain(installed)}")
        assert installed.returncode == 0, explain(installed)
        INSTALLED_STAMP.write_text(lock_hash(), encoding="utf-8")
    return npm_path


@pytest.fixture(scope="module")
def generated_client(npm: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the client generated from the app's current OpenAPI document, type-checked and compiled."""
    workdir = tmp_path_factory.mktemp("typescript-client")
    for name in SOURCES:
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CLIENT / name, workdir / name)
    (workdir / "node_modules").symlink_to(CLIENT / "node_modules", target_is_directory=True)
    document = create_app().openapi()
    (workdir / "openapi.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    generated = run([npm, "run", "--silent", "generate"], cwd=workdir, timeout_s=300)
    assert generated.returncode == 0, explain(generated)
    compiled = run([npm, "run", "--silent", "build"], cwd=workdir, timeout_s=300)
    assert compiled.returncode == 0, "tsc --strict rejected the client or the flow test:\n" + explain(compiled)
    return workdir


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`heritage serve` on the Hanoi bundle, a free port, a fresh SQLite file, the in-process cache; yields its URL."""
    settings = get_settings()
    build_city(current_spec(settings), settings.bundle_dir)  # a no-op when the bundle is there
    database = tmp_path_factory.mktemp("typescript-client") / "heritage.sqlite3"
    port = free_port()
    log = database.with_suffix(".log")
    command = heritage_command("serve", "--port", str(port))
    with (
        log.open("w", encoding="utf-8") as output,
        serving(command, env=local_store_env(database), output=output) as server,
    ):
        url = f"http://127.0.0.1:{port}"
        # generous: a first start on a fresh checkout compiles the numba kernels (cached afterwards)
        if wait_until_ok(f"{url}/ready", server, timeout_s=600) is None:
            state = "still starting" if server.poll() is None else f"exited with {server.returncode}"
            pytest.fail(f"heritage serve did not become ready ({state}):\n{log.read_text(encoding='utf-8')}")
        yield url


def test_generated_client_type_checks_and_drives_the_traveller_flow(generated_client: Path, live_server: str) -> None:
    env = {**os.environ, "HERITAGE_API_URL": live_server, "NO_COLOR": "1"}
    command = ["node", "--test", "--test-reporter=spec", "dist/flow.test.js"]
    flow = run(command, cwd=generated_client, timeout_s=300, env=env)
    assert flow.returncode == 0, "the TypeScript flow test failed:\n" + explain(flow)
    assert "pass 1" in flow.stdout or "✔" in flow.stdout, explain(flow)
