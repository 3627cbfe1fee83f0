"""How Datasette publishes the knowledge base: metadata, plugin, settings, command line."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import yaml

from sentinella.kb.store import KnowledgeBaseError

HERE = Path(__file__).resolve().parent
METADATA = HERE / "datasette.yml"
PLUGINS = HERE / "datasette" / "plugins"

# Read-only publishing: Datasette 0.65 reads mutable files through read-only connections
# and refuses any SQL but SELECT; no upload or write plugin is installed. The database
# file itself is not offered for download (it may be large and is not the product).
SETTINGS = {
    "default_cache_ttl": "60",  # seconds; the base changes once a night
    "sql_time_limit_ms": "3000",
    "allow_download": "off",
    "facet_time_limit_ms": "500",
}


def metadata_for(db_path: Path) -> dict:
    """kb/datasette.yml with its database key and links renamed to the served file's name."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    data["databases"] = {name: data["databases"]["sentinella"]}
    data["description_html"] = data["description_html"].replace("/sentinella/", f"/{name}/")
    return data


def datasette_command(
    db_path: Path, metadata: Path, *, port: int, host: str = "127.0.0.1"
) -> list[str]:
    """The `datasette serve` command line; the metadata is written to `metadata`."""
    if importlib.util.find_spec("datasette") is None:
        raise KnowledgeBaseError(
            "Datasette is not installed: `make browse`, or pip install 'sentinella[datasette]'"
        )
    meta = metadata
    meta.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(meta),
        "--plugins-dir",
        str(PLUGINS),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, value]
    return command
