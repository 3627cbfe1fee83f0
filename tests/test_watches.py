"""Watches files: string-or-list conditions, and one clear line for every mistake."""

from __future__ import annotations

import pytest

from sentinella.alerts.watches import (
    Watch,
    WatchError,
    check_channels,
    describe_channel,
    load_watches,
    resolve_channel,
)
from sentinella.settings import DEFAULT_WATCHES


def _load(tmp_path, text: str) -> list[Watch]:
    path = tmp_path / "watches.toml"
    path.write_text(text, encoding="utf-8")
    return load_watches(path)


def _error(tmp_path, text: str) -> str:
    with pytest.raises(WatchError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / "watches.toml") in message
    return message


def test_string_or_list_and_every_condition(tmp_path):
    (every, catch_all) = _load(
        tmp_path,
        """
[[watch]]
name = "Tutto"
channel = ["json://127.0.0.1:1/a", "mailto://ufficio@example.org"]
publisher = "Regione Piemonte"
source = ["regione-piemonte", "consiglio-regionale"]
actor = "Chiorino"
office = "assessore al lavoro"
organization = "Regione Piemonte"
site = ["Asti", "Ivrea"]
province = "asti"
region = "Piemonte"
keyword = ["Konecta", "call center"]
min_amount = 1_000_000
commitments_only = true
verb = "stanziare"
digest = "daily"

[[watch]]
name = "Ogni comunicato"
channel = "json://127.0.0.1:1/b"
""",
    )
    assert every.channels == ("json://127.0.0.1:1/a", "mailto://ufficio@example.org")
    assert every.publisher == ("Regione Piemonte",)  # a string is a list of one
    assert every.source == ("regione-piemonte", "consiglio-regionale")
    assert every.site == ("Asti", "Ivrea")
    assert every.min_amount == 1_000_000.0
    assert every.commitments_only is True
    assert every.digest == "daily"
    assert every.slug == "tutto"
    assert catch_all.conditions() == {}


def test_the_example_file_loads():
    names = [w.name for w in load_watches(DEFAULT_WATCHES)]
    assert names == ["Konecta e call center", "Grandi impegni in provincia di Asti"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('provnce = "Asti"', "watch 'W': unknown key 'provnce' (did you mean 'province'?)"),
        ('min_amount = "tanto"', "watch 'W': key 'min_amount': a number of euro expected"),
        ("min_amount = -5", "watch 'W': key 'min_amount': a number of euro at least 0"),
        ("commitments_only = 1", "watch 'W': key 'commitments_only': true or false expected"),
        ("keyword = []", "watch 'W': key 'keyword': a non-empty string or a list of them"),
        ('keyword = ["ok", 3]', "watch 'W': key 'keyword': a non-empty string or a list"),
        ('digest = "weekly"', "watch 'W': key 'digest': 'weekly' is not one of daily"),
        (
            'province = "Astti"',
            "watch 'W': key 'province': unknown province 'Astti' (did you mean 'Asti'?)",
        ),
        (
            'region = "Piemont"',
            "watch 'W': key 'region': unknown region 'Piemont' (did you mean 'Piemonte'?)",
        ),
    ],
)
def test_bad_values_name_file_watch_and_key(tmp_path, body, expected):
    message = _error(tmp_path, f'[[watch]]\nname = "W"\nchannel = "json://127.0.0.1:1/x"\n{body}\n')
    assert expected in message


def test_structural_mistakes(tmp_path):
    assert "no [[watch]] entries" in _error(tmp_path, "")
    assert "unknown top-level key 'wach' (did you mean 'watch'?)" in _error(
        tmp_path, '[[wach]]\nname = "W"\n'
    )
    assert "watch #1: key 'name'" in _error(tmp_path, '[[watch]]\nchannel = "json://x"\n')
    assert "watch 'W': key 'channel': an Apprise URL" in _error(tmp_path, '[[watch]]\nname = "W"\n')
    twice = '[[watch]]\nname = "W"\nchannel = "json://x"\n' * 2
    assert "watch 'W': key 'name': the name is used twice" in _error(tmp_path, twice)
    assert "not valid TOML" in _error(tmp_path, "[[watch]\nname=")
    with pytest.raises(WatchError, match="no such watches file"):
        load_watches(tmp_path / "missing.toml")


def test_channel_secret_from_the_environment_is_never_shown(tmp_path, monkeypatch):
    secret = "json://127.0.0.1:9/hook-s3cr3t-t0ken"
    (watch,) = _load(tmp_path, '[[watch]]\nname = "W"\nchannel = "${SENTINELLA_TEST_HOOK}"\n')
    assert watch.channels == ("${SENTINELLA_TEST_HOOK}",)  # as written, never resolved
    with pytest.raises(WatchError, match="environment variable SENTINELLA_TEST_HOOK is not set"):
        check_channels([watch], "watches.toml")
    monkeypatch.setenv("SENTINELLA_TEST_HOOK", secret)
    check_channels([watch], "watches.toml")
    assert resolve_channel(watch.channels[0]) == secret
    assert describe_channel(watch.channels[0]) == "${SENTINELLA_TEST_HOOK}"
    assert "s3cr3t" not in repr(watch)


def test_a_channel_apprise_does_not_know_is_refused_without_showing_it(tmp_path):
    (watch,) = _load(tmp_path, '[[watch]]\nname = "W"\nchannel = "nope://user:pw@host"\n')
    with pytest.raises(WatchError) as info:
        check_channels([watch], "watches.toml")
    assert "watch 'W': key 'channel': channel 1 (nope://…) is not a URL Apprise" in str(info.value)
    assert "pw" not in str(info.value)
    assert (
        describe_channel("mailto://user:secretpw@example.org") == "mailto://user:****@example.org/"
    )
