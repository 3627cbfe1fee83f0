"""The `sentinella` command: run, export, query, extract, and one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import sample_pages

from sentinella.cli import cli

SAMPLE_PAGE = sample_pages(6)[1]


@pytest.fixture(scope="module")
def ran_db(prefect_server, tmp_path_factory) -> Path:
    """A knowledge base filled by `sentinella run` over 6 sample pages."""
    tmp = tmp_path_factory.mktemp("cli")
    pages = tmp / "pages"
    pages.mkdir()
    for page in sample_pages(6):
        (pages / page.name).write_bytes(page.read_bytes())
    sources = tmp / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "slice"\npublisher = "Slice"\nkind = "folder"\npath = "pages"\n',
        encoding="utf-8",
    )
    db_path = tmp / "kb.db"
    result = CliRunner().invoke(cli, ["run", "--sources", str(sources), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "pages seen 6, new 6" in result.output
    assert "sentinella query" in result.output  # example queries to paste next
    return db_path


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_export_gives_one_line_per_document(ran_db):
    result = invoke("export", "--db", str(ran_db), "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert len(records) == 6
    for record in records:
        assert set(record) >= {
            "url",
            "title",
            "published",
            "text",
            "actors",
            "sites",
            "amounts",
            "commitments",
        }
    assert sum(len(r["amounts"]) for r in records) > 0
    for amount in (a for r in records for a in r["amounts"]):
        text = next(r["text"] for r in records if amount in r["amounts"])
        assert text[amount["start"] : amount["end"]] == amount["text"]


@pytest.mark.parametrize("kind", ["commitments", "actors", "sites", "amounts", "documents"])
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_every_query_in_every_format(ran_db, kind, fmt):
    result = invoke("query", kind, "--db", str(ran_db), "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert isinstance(json.loads(result.output), list)


def test_query_filters(ran_db):
    everything = json.loads(
        invoke("query", "documents", "--db", str(ran_db), "--format", "json").output
    )
    assert len(everything) == 6
    future = invoke("query", "documents", "--db", str(ran_db), "--since", "2099-01-01")
    assert future.output.strip() == "no results"
    big = json.loads(
        invoke(
            "query", "amounts", "--db", str(ran_db), "--min-amount", "1000000", "--format", "json"
        ).output
    )
    assert all(row["value"] >= 1_000_000 for row in big)
    word = everything[0]["title"].split()[0]
    found = json.loads(
        invoke("query", "documents", "--db", str(ran_db), "--text", word, "--format", "json").output
    )
    assert everything[0]["url"] in {row["url"] for row in found}


def test_extract_html_file_as_jsonl():
    result = invoke("extract", str(SAMPLE_PAGE), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["text"] and record["pipeline"]
    assert "Cookie" not in record["text"] and "P.IVA" not in record["text"]


def test_extract_plain_text_from_stdin():
    text = "La Giunta regionale ha stanziato 3,7 milioni di euro per le scuole di Asti."
    result = CliRunner().invoke(cli, ["extract", "-", "--format", "jsonl"], input=text)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert [a["value"] for a in record["amounts"]] == [3_700_000]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sentinella.cli", *args],
        capture_output=True,
        check=False,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, expected: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert expected in lines[0]


def test_extract_missing_file(tmp_path):
    assert_one_line_error(run_cli("extract", str(tmp_path / "nope.html")), "no such file")


def test_extract_unreadable_html(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"<html><body><script>var x = 1;</script></body></html>")
    assert_one_line_error(run_cli("extract", str(bad)), "bad.html")


def test_run_unknown_source_kind(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "x"\npublisher = "X"\nkind = "pigeon"\nurl = "http://127.0.0.1:9/"\n'
    )
    assert_one_line_error(
        run_cli("run", "--sources", str(sources), "--db", str(tmp_path / "kb.db")),
        "unknown kind 'pigeon'",
    )


def test_run_malformed_sources(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]\nname = "x"\n')
    assert_one_line_error(
        run_cli("run", "--sources", str(sources), "--db", str(tmp_path / "kb.db")),
        "malformed sources file",
    )


def test_run_missing_sources(tmp_path):
    assert_one_line_error(
        run_cli("run", "--sources", str(tmp_path / "none.toml")), "sources file not found"
    )


@pytest.mark.parametrize("command", [["run"], ["query", "documents"], ["export"]])
def test_database_in_missing_folder(tmp_path, command):
    db = tmp_path / "no" / "such" / "folder" / "kb.db"
    assert_one_line_error(run_cli(*command, "--db", str(db)), "database folder does not exist")
    assert not db.parent.exists()


def test_query_without_database(tmp_path):
    assert_one_line_error(
        run_cli("query", "documents", "--db", str(tmp_path / "kb.db")), "no knowledge base"
    )
    assert not (tmp_path / "kb.db").exists()


def test_every_command_has_help():
    for command in (
        [],
        ["run"],
        ["extract"],
        ["export"],
        ["query"],
        ["evaluate"],
        ["evaluate", "ner"],
        ["evaluate", "parse"],
        ["evaluate", "press"],
        ["train"],
    ):
        result = invoke(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_evaluate_ner_json(tmp_path):
    tsv = tmp_path / "tiny.tsv"
    tsv.write_text(
        "Alberto\tB-PER\nCirio\tI-PER\nè\tO\na\tO\nTorino\tB-LOC\n.\tO\n\n"
        "La\tO\nRegione\tB-ORG\nPiemonte\tI-ORG\nstanzia\tO\nfondi\tO\n.\tO\n",
        encoding="utf-8",
    )
    result = invoke("evaluate", "ner", str(tsv), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.splitlines()[-1])
    assert set(scores) >= {"p", "r", "f", "per_type", "words_per_second"}
    assert scores["words"] == 12 and scores["sentences"] == 2
    assert set(scores["per_type"]) == {"PER", "ORG", "LOC"}


def test_evaluate_ner_reads_three_column_conllu(tmp_path):
    conllu = tmp_path / "tiny.conllu"
    conllu.write_text(
        "0\tAlberto\tB-PER\n1\tCirio\tI-PER\n2\tè\tO\n3\ta\tO\n4\tTorino\tB-LOC\n5\t.\tO\n",
        encoding="utf-8",
    )
    result = invoke("evaluate", "ner", str(conllu), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.splitlines()[-1])
    assert scores["words"] == 6 and scores["sentences"] == 1


def test_evaluate_parse_json(tmp_path):
    conllu = tmp_path / "tiny.conllu"
    conllu.write_text(
        "# text = Il Comune stanzia fondi.\n"
        "1\tIl\til\tDET\tRD\tDefinite=Def|Gender=Masc|Number=Sing|PronType=Art\t2\tdet\t_\t_\n"
        "2\tComune\tComune\tPROPN\tSP\t_\t3\tnsubj\t_\t_\n"
        "3\tstanzia\tstanziare\tVERB\tV\tMood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin"
        "\t0\troot\t_\t_\n"
        "4\tfondi\tfondo\tNOUN\tS\tGender=Masc|Number=Plur\t3\tobj\t_\tSpaceAfter=No\n"
        "5\t.\t.\tPUNCT\tFS\t_\t3\tpunct\t_\t_\n",
        encoding="utf-8",
    )
    result = invoke("evaluate", "parse", str(conllu), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.splitlines()[-1])
    assert set(scores) >= {"uas", "las", "pos_acc", "morph_acc", "words_per_second"}
    assert scores["words"] == 5 and scores["sentences"] == 1


def test_evaluate_ner_bad_conllu_is_one_line(tmp_path):
    bad = tmp_path / "bad.conllu"
    bad.write_text("Mario\tB-PER\n", encoding="utf-8")
    assert_one_line_error(run_cli("evaluate", "ner", str(bad)), "bad.conllu:1: expected index")


def test_evaluate_parse_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tIl\til\n", encoding="utf-8")
    assert_one_line_error(run_cli("evaluate", "parse", str(bad)), "bad.conllu:1: expected 10")


def test_evaluate_press_json(tmp_path):
    text = "La Giunta regionale ha stanziato 3,7 milioni di euro per le scuole di Asti."
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "t-1",
                "text": text,
                "source": "Regione Piemonte - Giunta",
                "actors": [],
                "sites": [{"name": "Asti", "type": "comune"}],
                "amounts": [{"text": "3,7 milioni di euro", "value": 3700000, "currency": "EUR"}],
                "commitments": [],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    result = invoke("evaluate", "press", str(gold), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.splitlines()[-1])
    assert scores["amounts"]["f"] == 1.0
    assert scores["sites"]["tp"] == 1
