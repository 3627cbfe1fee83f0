"""A configuration that cannot work: one line naming the file and the problem, exit code 2,
nothing written. And a damaged knowledge base: repaired, or refused with the reason."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest
import sqlite_utils

from sentinella.cli import main

FOLDER = '[[source]]\nname = "s"\npublisher = "S"\nkind = "folder"\npath = "pages"\n'


@pytest.fixture
def sentinella(monkeypatch, capsys):
    """The real entry point in this process: (exit code, stderr)."""

    def call(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["sentinella", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return code, capsys.readouterr().err

    return call


def _one_line(err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.mark.parametrize(
    "registry, expected",
    [
        ('[[source]\nname = "x"\n', "malformed sources file"),
        (FOLDER + "max_itemz = 3\n", "unknown key 'max_itemz' (did you mean 'max_items'?)"),
        (FOLDER.replace('"folder"', '"feeed"'), "unknown kind 'feeed' (did you mean 'feed'?)"),
        (FOLDER + 'link_selector = "a"\n', "'link_selector' is a setting of listing sources"),
        (
            '[[source]]\nname = "w"\npublisher = "W"\nkind = "feed"\nurl = "htp://example.org/rss"\n',
            "not an http(s) address: 'htp://example.org/rss' (did you mean 'http'?)",
        ),
        (
            '[[source]]\nname = "w"\npublisher = "W"\nkind = "feed"\nurl = "https://exa mple.org/"\n',
            "not a valid address",
        ),
        (
            '[[source]]\nname = "w"\npublisher = "W"\nkind = "feed"\nurl = "http://example.org:80x/"\n',
            "not a valid address",
        ),
        (FOLDER + "enabled = 1\n", "'enabled' must be true or false"),
    ],
)
def test_registry_errors(tmp_path, sentinella, registry, expected):
    (tmp_path / "pages").mkdir()
    sources = tmp_path / "sources.toml"
    sources.write_text(registry, encoding="utf-8")
    code, err = sentinella("run", "--sources", str(sources), "--db", str(tmp_path / "kb.db"))
    assert code == 2
    _one_line(err, str(sources), expected)
    assert not (tmp_path / "kb.db").exists()  # nothing written


@pytest.mark.parametrize(
    "cron, expected",
    [
        ("61 1 * * *", "not a valid cron expression: '61 1 * * *'"),
        ("30 1 * *", "5 fields expected"),
        ("30 2 * * *", "02:xx in Europe/Rome"),
    ],
)
def test_bad_cron(tmp_path, sentinella, cron, expected):  # PREFECT_API_URL: conftest's
    code, err = sentinella("serve", "--cron", cron, "--db", str(tmp_path / "kb.db"))
    assert code == 2
    _one_line(err, "--cron", expected)
    assert not (tmp_path / "kb.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere: the check is for users")
def test_unwritable_database_folder(tmp_path, sentinella):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, err = sentinella("run", "--db", str(folder / "kb.db"))
    finally:
        folder.chmod(0o700)
    assert code == 2
    _one_line(err, "cannot write the database", str(folder))


def test_unwritable_database_path_as_root_too(tmp_path, sentinella):
    """Root ignores permissions; a path under a file cannot be written by anyone."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, err = sentinella("run", "--db", str(blocker / "kb.db"))
    assert code == 2
    _one_line(err, "database folder does not exist", str(blocker))


def test_a_database_from_a_newer_schema_is_not_touched(tmp_path, sentinella):
    db = tmp_path / "kb.db"
    with sqlite3.connect(db) as con:
        con.execute("create table documents (id integer primary key, url text)")
        con.execute("pragma user_version = 99")
    before = db.read_bytes()
    for command in (["run"], ["query", "documents"], ["export"]):
        code, err = sentinella(*command, "--db", str(db))
        assert code == 2, command
        _one_line(err, str(db), "written by a newer Sentinella (schema 99")
    assert db.read_bytes() == before


def _run(sources, db_path) -> list[str]:
    return ["run", "--sources", str(sources), "--db", str(db_path), "--model", "blank:it"]


def test_a_dropped_full_text_index_is_rebuilt(prefect_server, corpus_slice, tmp_path, sentinella):
    db_path = tmp_path / "kb.db"
    code, err = sentinella(*_run(corpus_slice, db_path))
    assert code == 0, err
    db = sqlite_utils.Database(db_path)
    db.execute("drop table documents_fts")
    db.conn.commit()
    # A changed page must be stored (the stale triggers would make every insert fail) ...
    page = sorted((corpus_slice.parent / "pages").glob("*/*.html"))[0]
    page.write_text(
        page.read_text(encoding="utf-8").replace("</article>", "<p>Rettifica.</p></article>"),
        encoding="utf-8",
    )
    code, err = sentinella(*_run(corpus_slice, db_path))
    assert code == 0, err
    # ... and the index covers every current document again, the old ones too.
    indexed = db.execute("select count(*) from documents_fts").fetchone()[0]
    assert indexed == db["documents"].count == 7
    hits = db.execute("select count(*) from documents_fts where documents_fts match 'Rettifica'")
    assert hits.fetchone()[0] == 1


def test_a_dropped_fact_table_is_refused_not_silently_emptied(
    prefect_server, corpus_slice, tmp_path, sentinella
):
    db_path = tmp_path / "kb.db"
    code, err = sentinella(*_run(corpus_slice, db_path))
    assert code == 0, err
    db = sqlite_utils.Database(db_path)
    db.execute("drop table commitments")
    db.conn.commit()
    for command in (["run", "--sources", str(corpus_slice)], ["query", "documents"]):
        code, err = sentinella(*command, "--db", str(db_path))
        assert code == 1
        _one_line(err, "is damaged: table commitments is missing while 6 documents are stored")
    assert "commitments" not in sqlite_utils.Database(db_path).table_names()
