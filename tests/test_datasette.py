"""The knowledge base published by a real Datasette server, with its canned queries."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sentinella.facts import Amount, Commitment, Extraction, Site
from sentinella.kb import KnowledgeBase
from sentinella.records import Document

METADATA = Path(__file__).resolve().parent.parent / "kb" / "datasette.yml"
TEXT = "La Regione ha stanziato 2 milioni di euro per il ponte di Asti."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def datasette_url(tmp_path):
    db_path = tmp_path / "sentinella.db"
    kb = KnowledgeBase.open(db_path)
    extraction = Extraction(
        text=TEXT,
        pipeline="test-0",
        sites=(Site("Asti", "comune", 58, 62, istat="005005"),),
        amounts=(Amount("2 milioni di euro", 2_000_000, "EUR", 24, 41),),
        commitments=(
            Commitment(
                "Regione Piemonte",
                TEXT,
                0,
                len(TEXT),
                amount=2_000_000,
                sites=("Asti",),
                verb="stanziare",
            ),
        ),
    )
    kb.store_batch(
        [
            (
                Document(
                    url="https://sentinella.example/a",
                    text=TEXT,
                    source="t",
                    published="2026-11-20",
                ),
                extraction,
            )
        ]
    )
    kb.close()
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(db_path),
            "--metadata",
            str(METADATA),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_canned_query_answers_as_json(datasette_url):
    response = httpx.get(
        datasette_url + "/sentinella/commitments_by_site.json",
        params={"site": "Asti", "since": "2026-01-01", "_shape": "array"},
    )
    assert response.status_code == 200
    [row] = response.json()
    assert (row["actor"], row["amount"]) == ("Regione Piemonte", 2_000_000)
    empty = httpx.get(
        datasette_url + "/sentinella/commitments_by_site.json",
        params={"site": "Cuneo", "since": "2026-01-01", "_shape": "array"},
    )
    assert empty.json() == []


def test_money_by_actor_and_csv(datasette_url):
    response = httpx.get(datasette_url + "/sentinella/money_by_actor.csv")
    assert response.status_code == 200
    assert "Regione Piemonte" in response.text and "2000000" in response.text
