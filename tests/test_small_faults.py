"""The small faults a new user meets: each said in one line, none losing other work."""

from __future__ import annotations

import json

from click.testing import CliRunner

from sentinella.cli import cli
from sentinella.cli.render import format_summary
from sentinella.flows.nightly import nightly

WEB = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "web"
SAMPLE = WEB.parent.parent.parent / "corpus" / "sample"
RELEASE = "Il Comune di Città di Castello ha stanziato 3 milioni di euro per le scuole."


def _extract(*args: str):
    return CliRunner().invoke(cli, ["extract", "--model", "blank:it", "--format", "jsonl", *args])


def test_extract_over_many_files_reports_the_bad_one_and_prints_the_others(tmp_path):
    bad = tmp_path / "vuota.html"
    bad.write_bytes(b"<html><body><script>x()</script></body></html>")
    good = sorted(SAMPLE.glob("*/*.html"))[:3]
    result = _extract(str(good[0]), str(bad), str(good[1]), str(good[2]))
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {bad}: no main text found in the page"]


def test_extract_empty_html_says_one_line_without_parser_noise(tmp_path):
    for content in (b"", b"   \n", b"<html></html>"):
        page = tmp_path / "vuota.html"
        page.write_bytes(content)
        result = _extract(str(page))
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            line for line in result.stderr.strip().splitlines() if line.startswith("error:")
        ]
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_latin1_text_file_is_accepted(tmp_path):
    text = tmp_path / "comunicato.txt"
    text.write_bytes(RELEASE.encode("latin-1"))
    result = _extract(str(text))
    assert result.exit_code == 0, result.stderr
    assert "Città di Castello" in json.loads(result.stdout)["text"]


def test_an_english_page_is_extracted_with_a_note(tmp_path):
    result = _extract(str(WEB / "english.html"))
    assert result.exit_code == 0
    assert "is in 'en', not Italian" in result.stderr
    assert json.loads(result.stdout)["text"]


def test_a_source_finding_no_pages_warns(prefect_server, tmp_path):
    (tmp_path / "vuota").mkdir()
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "vuota"\npublisher = "V"\nkind = "folder"\npath = "vuota"\n',
        encoding="utf-8",
    )
    summary = nightly(sources_file=sources, db_path=tmp_path / "kb.db", model="blank:it")
    assert summary.status == "ok" and summary.total("seen") == 0
    assert "Warning: source vuota found no pages" in format_summary(summary, tmp_path / "kb.db")
