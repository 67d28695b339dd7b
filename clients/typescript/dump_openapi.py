"""Write the API's OpenAPI document to a file, from the app itself: no server, no bundle, no database.

Usage: ``python clients/typescript/dump_openapi.py [OUT]`` (default ``clients/typescript/openapi.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.app import create_app

DEFAULT_OUT = Path(__file__).resolve().parent / "openapi.json"


def openapi_document() -> dict[str, object]:
    """The document ``GET /openapi.json`` serves (building the app loads no city: that happens at start-up)."""
    return create_app().openapi()


def main(argv: list[str]) -> int:
    """Write the document to ``argv[0]`` or the default path; returns the exit code."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.write_text(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
