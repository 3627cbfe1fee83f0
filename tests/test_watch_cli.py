"""`sentinella watch test|list` and `run --watches`: thin commands, one-line errors."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from alertkit import document, facts, store, watch
from click.testing import CliRunner
from receiver import Receiver
from test_cli import assert_one_line_error, sentinella  # noqa: F401 (a fixture)

from sentinella.alerts.delivery import deliver
from sentinella.cli import cli
from sentinella.kb import KnowledgeBase

WATCHES = """
[[watch]]
name = "Grandi importi ad Asti"
channel = "${{SENTINELLA_TEST_HOOK}}"
province = "Asti"
min_amount = 2000000

[[watch]]
name = "Tutto"
channel = "{hook}"
"""


def _day(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A base with three statements (5, 20 and 40 days old) and the watches file."""
    with Receiver(status=500) as hook:
        monkeypatch.setenv("SENTINELLA_TEST_HOOK", hook.channel("/s3cr3t-t0ken"))
        path = tmp_path / "watches.toml"
        path.write_text(WATCHES.format(hook=hook.channel("/tutto")), encoding="utf-8")
        db = tmp_path / "kb.db"
        kb = KnowledgeBase.open(db)
        docs = [document(n, published=_day(days)) for n, days in ((1, 5), (3, 20), (5, 40))]
        everything = watch("Tutto", hook.channel("/tutto"))
        store(kb, [everything], *((d, facts(d, (n * 1e6,))) for n, d in zip((1, 3, 5), docs)))
        deliver(kb, [everything])  # the receiver is down: three failures
        kb.close()
        yield path, db


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_watch_test_shows_what_a_watch_would_have_matched(setup):
    path, db = setup
    args = ("watch", "test", "Grandi importi ad Asti", "--watches", str(path), "--db", str(db))
    last_month = json.loads(invoke(*args, "--format", "json").output)
    assert [r["title"] for r in last_month] == [
        "Comunicato 3"
    ]  # 1 M is too little, 40 days too old
    assert last_month[0]["matched"] == "3 milioni di euro; 1 impegno (Comune di Asti)"
    wider = json.loads(invoke(*args, "--days", "60", "--format", "json").output)
    assert [r["title"] for r in wider] == ["Comunicato 3", "Comunicato 5"]
    empty = invoke(*args, "--days", "1", "--format", "csv").output
    assert empty.splitlines() == ["published,publisher,title,matched,url"]


def test_watch_list_shows_matches_deliveries_and_failures_without_secrets(setup):
    path, db = setup
    result = invoke("watch", "list", "--watches", str(path), "--db", str(db), "--format", "json")
    asti, tutto = json.loads(result.output)
    assert asti["channels"] == "${SENTINELLA_TEST_HOOK}"
    assert asti["alerts"] == 0 and asti["last_match"] is None
    assert (tutto["alerts"], tutto["pending"], tutto["failures"]) == (3, 3, 3)
    assert tutto["last_match"] and tutto["last_delivery"] is None
    assert "500" in tutto["last_error"]
    assert "s3cr3t" not in result.output


def test_the_example_watch_on_the_sample_base(sample_base):
    days = (date.today() - date(2026, 9, 1)).days  # the whole sample corpus
    args = ("--db", str(sample_base), "--days", str(days), "--format", "json")
    rows = json.loads(invoke("watch", "test", "Konecta e call center", *args).output)
    assert sorted(r["url"].split("/", 3)[3] for r in rows) == [
        "comune-asti/2026-11-13-telecontact-consiglio-straordinario.html",
        "regione-piemonte/2026-11-20-telecontact-tavolo.html",
    ]  # the two pages that say "call center"; none names Konecta
    assert all(r["matched"].startswith("«call center»") for r in rows)


def test_unknown_watch_is_a_one_line_error(setup, sentinella):  # noqa: F811
    path, db = setup
    proc = sentinella(
        "watch", "test", "Grandi importi a Asti", "--watches", str(path), "--db", str(db)
    )
    assert_one_line_error(
        proc, "no watch named 'Grandi importi a Asti' (did you mean 'Grandi importi ad Asti'?)"
    )


def test_run_refuses_a_bad_watches_file_before_starting(tmp_path, sentinella):  # noqa: F811
    bad = tmp_path / "watches.toml"
    bad.write_text('[[watch]]\nname = "W"\nchannel = "json://127.0.0.1:1/x"\nkeywrd = "x"\n')
    proc = sentinella("run", "--watches", str(bad), "--db", str(tmp_path / "kb.db"))
    assert_one_line_error(proc, "watch 'W': unknown key 'keywrd' (did you mean 'keyword'?)")
    assert not (tmp_path / "kb.db").exists()
    unset = tmp_path / "secret.toml"
    unset.write_text('[[watch]]\nname = "S"\nchannel = "${SENTINELLA_NOT_SET}"\n')
    proc = sentinella("run", "--watches", str(unset), "--db", str(tmp_path / "kb.db"))
    assert_one_line_error(proc, "environment variable SENTINELLA_NOT_SET is not set")


def test_watch_commands_have_help():
    for command in (["watch"], ["watch", "test"], ["watch", "list"]):
        result = invoke(*command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output
