"""Test helpers: the ledger test corpus in a knowledge base, and `sentinella browse` on it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sentinella.extractors.extract import extract_many
from sentinella.kb import KnowledgeBase
from sentinella.kb.ledger import rebuild_ledger
from sentinella.records import Document

RELEASES = Path(__file__).parent / "data" / "ledger_releases.jsonl"


def load_releases(kb: KnowledgeBase, nlp) -> None:
    """Store tests/data/ledger_releases.jsonl, extracted by the real pipeline."""
    rows = [json.loads(line) for line in RELEASES.read_text(encoding="utf-8").splitlines()]
    items = [
        (
            r["text"],
            {
                "url": r["url"],
                "title": r["title"],
                "published": r["published"],
                "source": r["publisher"],
            },
        )
        for r in rows
    ]
    docs = [
        Document(
            url=r["url"],
            text=r["text"],
            source="ledger-test",
            title=r["title"],
            published=r["published"],
            publisher=r["publisher"],
        )
        for r in rows
    ]
    kb.store_batch(list(zip(docs, extract_many(items, nlp=nlp))))


def build_base(path: Path, nlp) -> Path:
    kb = KnowledgeBase.open(path)
    load_releases(kb, nlp)
    rebuild_ledger(kb)
    kb.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browse:
    """`sentinella browse` in a subprocess, on a free port, stopped on exit."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Browse:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sentinella.cli",
                "browse",
                "--db",
                str(self.db_path),
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sentinella browse exited with {self.proc.returncode}")
            try:
                httpx.get(self.url + "/-/versions.json", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("sentinella browse did not start within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
