"""The `sentinella` command: run, export, query, extract, and one-line errors on bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import sample_pages

from sentinella.cli import cli, main

SAMPLE_PAGE = sample_pages(6)[1]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_run_records_an_ok_run_of_the_sample_corpus(sample_base):
    db = sqlite_utils.Database(sample_base)
    run = next(db.query("select * from runs"))
    assert (run["status"], run["sources"], run["new"]) == ("ok", 1, 35)


def test_export_gives_one_line_per_document(sample_base):
    result = invoke("export", "--db", str(sample_base), "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert len(records) == 35
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
    amounts = [(r["text"], a) for r in records for a in r["amounts"]]
    assert amounts
    for text, amount in amounts:
        assert text[amount["start"] : amount["end"]] == amount["text"]


KINDS = ["commitments", "actors", "sites", "amounts", "documents"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_query_gives_the_same_rows_in_every_format(sample_base, kind):
    def output(fmt: str, *more: str) -> str:
        result = invoke("query", kind, "--db", str(sample_base), "--format", fmt, *more)
        assert result.exit_code == 0, result.output
        return result.output

    rows = json.loads(output("json"))
    assert rows and all(isinstance(r, dict) for r in rows)
    columns = list(rows[0])
    assert [json.loads(line) for line in output("jsonl").splitlines()] == rows
    parsed = list(csv.DictReader(io.StringIO(output("csv"))))
    assert len(parsed) == len(rows)
    assert list(parsed[0]) == columns
    # The table fits the terminal: a readable subset of the columns, long cells wrapped.
    table = output("table").splitlines()
    shown = table[0].split()
    assert shown and set(shown) <= set(columns)
    assert set(table[1]) <= {"-", " "}
    first = shown[0]
    values = [str(r[first]) for r in rows if r[first] not in (None, "")]
    assert values and all(v.split()[0] in "\n".join(table) for v in values)
    # --wide: every column, one line per row
    wide = output("table", "--wide").splitlines()
    assert wide[0].split() == columns
    assert len(wide) == len(rows) + 2


def test_query_filters(sample_base):
    def rows(*args: str) -> list[dict]:
        result = invoke("query", *args, "--db", str(sample_base), "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    everything = rows("documents")
    assert len(everything) == 35
    assert rows("documents", "--since", "2099-01-01") == []
    amounts = rows("amounts")
    big = rows("amounts", "--min-amount", "1000000")
    assert big and len(big) < len(amounts)
    assert all(row["value"] >= 1_000_000 for row in big)
    assert len(big) == sum(row["value"] >= 1_000_000 for row in amounts)
    word = everything[0]["title"].split()[0]
    found = rows("documents", "--text", word)
    assert everything[0]["url"] in {row["url"] for row in found}
    assert len(found) < len(everything)


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


class Exit:
    """What `sentinella ...` did in process: exit code and standard error."""

    def __init__(self, returncode: int, stderr: str):
        self.returncode, self.stderr = returncode, stderr


@pytest.fixture
def sentinella(monkeypatch, capsys):
    """Run the real entry point (`main`, with its error handling) in this process."""

    def call(*args: str) -> Exit:
        monkeypatch.setattr(sys, "argv", ["sentinella", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return Exit(code, capsys.readouterr().err)

    return call


def assert_one_line_error(proc, expected: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert expected in lines[0]


def test_a_bad_call_from_the_shell_is_one_line_on_stderr(tmp_path):
    """One real process, to prove the console entry point behaves as the in-process calls."""
    proc = run_cli("query", "documents", "--db", str(tmp_path / "kb.db"))
    assert_one_line_error(proc, "no knowledge base")
    assert proc.stdout == ""


def test_extract_missing_file(tmp_path, sentinella):
    assert_one_line_error(sentinella("extract", str(tmp_path / "nope.html")), "no such file")


def test_extract_unreadable_html(tmp_path, sentinella):
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"<html><body><script>var x = 1;</script></body></html>")
    assert_one_line_error(sentinella("extract", str(bad)), "bad.html")


def test_run_unknown_source_kind(tmp_path, sentinella):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "x"\npublisher = "X"\nkind = "pigeon"\nurl = "http://127.0.0.1:9/"\n'
    )
    assert_one_line_error(
        sentinella("run", "--sources", str(sources), "--db", str(tmp_path / "kb.db")),
        "unknown kind 'pigeon'",
    )


def test_run_malformed_sources(tmp_path, sentinella):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]\nname = "x"\n')
    assert_one_line_error(
        sentinella("run", "--sources", str(sources), "--db", str(tmp_path / "kb.db")),
        "malformed sources file",
    )


def test_run_missing_sources(tmp_path, sentinella):
    assert_one_line_error(
        sentinella("run", "--sources", str(tmp_path / "none.toml")), "sources file not found"
    )


@pytest.mark.parametrize("command", [["run"], ["query", "documents"], ["export"]])
def test_database_in_missing_folder(tmp_path, command, sentinella):
    db = tmp_path / "no" / "such" / "folder" / "kb.db"
    assert_one_line_error(sentinella(*command, "--db", str(db)), "database folder does not exist")
    assert not db.parent.exists()


def test_query_without_database(tmp_path, sentinella):
    assert_one_line_error(
        sentinella("query", "documents", "--db", str(tmp_path / "kb.db")), "no knowledge base"
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
