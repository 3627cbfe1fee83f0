"""The morning report: the run's summary as a Prefect Markdown artifact.

Published for runs of the nightly deployment (`sentinella serve`), where the office reads
the Prefect UI: one table per source, one per watch, and the run's state in words. A
one-off `sentinella run` prints its summary to the terminal instead.
"""

from __future__ import annotations

from sentinella.records import RunSummary

SOURCE_COLUMNS = ("seen", "new", "changed", "unchanged", "duplicates", "failed", "facts", "alerts")
WATCH_COLUMNS = ("matched", "sent", "failed", "pending")
ARTIFACT_KEY = "sentinella-morning-report"


def markdown_report(summary: RunSummary) -> str:
    lines = [
        f"# Sentinella, run {summary.run_id}: {summary.state_message()}",
        "",
        f"{len(summary.sources)} sources, {summary.total('new')} new statements, "
        f"{summary.total('changed')} changed, {summary.total('failed')} pages failed; "
        f"alerts: {summary.alerts('sent')} sent, {summary.alerts('failed')} failed, "
        f"{summary.alerts('pending')} pending. Pipeline {summary.pipeline}, "
        f"{summary.seconds:.0f} s.",
        "",
        "## Sources",
        "",
        _table(
            ["source", *SOURCE_COLUMNS],
            [[s.source, *(getattr(s, c) for c in SOURCE_COLUMNS)] for s in summary.sources],
        ),
    ]
    if summary.watches or summary.alerts_error:
        lines += ["", "## Watches", ""]
        lines.append(
            _table(
                ["watch", *WATCH_COLUMNS, "errors"],
                [
                    [w.watch, *(getattr(w, c) for c in WATCH_COLUMNS), "; ".join(w.errors)]
                    for w in summary.watches
                ],
            )
        )
        if summary.alerts_error:
            lines += ["", f"Alert delivery could not run: {_cell(summary.alerts_error)}"]
    failures = [f"{s.source}: {f}" for s in summary.sources for f in s.failures]
    if failures:
        lines += ["", "## Failures", "", *(f"- {_cell(f)}" for f in failures[:50])]
    return "\n".join(lines) + "\n"


def _table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def publish_report(summary: RunSummary) -> None:
    """The artifact, for runs of a deployment only (`sentinella serve`)."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.runtime import deployment

    if deployment.id is None:
        return
    create_markdown_artifact(
        markdown=markdown_report(summary),
        key=ARTIFACT_KEY,
        description=summary.state_message(),
    )
