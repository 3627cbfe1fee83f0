"""One installed namespace: `sentinella`, from a wheel as from the source tree."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("extractors", "flows", "ingest", "kb", "models", "corpus")

IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
rooms = ["sentinella"] + ["sentinella." + r for r in ("extractors", "flows", "ingest", "kb", "corpus")]
for room in rooms:
    package = importlib.import_module(room)
    for module in pkgutil.walk_packages(package.__path__, room + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
# the training recipe (sentinella.models.train & co) needs the `train` extra: package only
importlib.import_module("sentinella.models")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_importing_every_module_loads_no_other_top_level_package_of_ours(tmp_path):
    # from a folder outside the repository, so nothing is found through the working directory
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    top_level = set(json.loads(out.stdout.splitlines()[-1]))
    assert "sentinella" in top_level
    assert not top_level & set(ROOMS)


@pytest.mark.slow
def test_a_wheel_installs_one_package_and_runs_on_the_shipped_model(tmp_path):
    """`pip install` of the wheel in a fresh venv: one top-level package; model and sample inside."""
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("sentinella-*.whl")
    assert {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()} == {
        "sentinella",
        f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info",
    }

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    # The dependencies come from this environment's site-packages (no network in tests);
    # a .pth line adds that folder but not its own .pth files, so our editable install
    # stays invisible to the new venv.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    installed = {p.name for p in site.iterdir()} - {"deps.pth"}
    assert {n for n in installed if not n.endswith(".dist-info")} == {"sentinella"}

    work = tmp_path / "work"
    work.mkdir()
    page = (
        ROOT
        / "corpus"
        / "sample"
        / "comune-asti"
        / "2026-11-13-telecontact-consiglio-straordinario.html"
    )
    extracted = subprocess.run(
        [venv / "bin" / "sentinella", "extract", page, "--format", "jsonl"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    record = json.loads(extracted.stdout)
    assert record["pipeline"].startswith("it_sentinella-")  # the model travelled in the wheel
    assert record["actors"]

    run = subprocess.run(
        [venv / "bin" / "sentinella", "run"], cwd=work, capture_output=True, text=True, check=True
    )
    assert "new 35" in run.stdout  # the embedded sample corpus travelled too
    assert (work / "data" / "sentinella.db").exists()


def test_the_package_version_is_the_shipped_models_version():
    import sentinella
    from sentinella.extractors.pipeline import SHIPPED

    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    assert sentinella.__version__ == meta["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {sentinella.__version__} " in changelog  # every release has its section
