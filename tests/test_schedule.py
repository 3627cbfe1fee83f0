"""The nightly deployment, applied to a real Prefect server, carries a Rome-time schedule."""

from __future__ import annotations

import pytest

from sentinella.flows.schedule import NIGHTLY_CRON, ScheduleError, check_cron, nightly_deployment


def test_deployment_on_a_real_server_has_rome_schedule(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client

    deployment = nightly_deployment(tmp_path / "sources.toml", tmp_path / "kb.db")
    deployment_id = deployment.apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
    assert stored.name == "nightly"
    [schedule] = stored.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (NIGHTLY_CRON, "Europe/Rome")
    assert stored.parameters["db_path"] == str((tmp_path / "kb.db").resolve())


@pytest.mark.parametrize("cron", ["0 2 * * *", "every night", "* * *"])
def test_bad_or_dst_unsafe_cron_is_refused(cron):
    with pytest.raises(ScheduleError):
        check_cron(cron)


def test_the_deployment_carries_the_extract_stage_configuration(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client

    deployment = nightly_deployment(
        tmp_path / "sources.toml", tmp_path / "kb.db", cluster="tcp://sched.example:8786"
    )
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment.apply())
    assert (stored.parameters["workers"], stored.parameters["cluster"]) == (
        0,
        "tcp://sched.example:8786",
    )
