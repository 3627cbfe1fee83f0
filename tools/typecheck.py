"""Run mypy over the installed layout of the package (`make typecheck`).

mypy cannot follow setuptools' editable mapping (sentinella.extractors -> extractors/ ...),
so this builds build/typecheck/sentinella/ as a tree of links following the package-dir
table of pyproject.toml, and runs mypy there with the project's configuration.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def link_tree(target: Path) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(target, ignore_errors=True)
    package = target / "sentinella"
    package.mkdir(parents=True)
    for entry in (ROOT / mapping["sentinella"]).iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for module, folder in mapping.items():
        if module != "sentinella":
            (target / module.replace(".", "/")).symlink_to(ROOT / folder)


def main() -> int:
    target = ROOT / "build" / "typecheck"
    link_tree(target)
    mypy = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    return subprocess.call([*mypy, "-p", "sentinella"], cwd=target)


if __name__ == "__main__":
    sys.exit(main())
