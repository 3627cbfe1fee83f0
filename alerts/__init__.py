"""Alerts: watches (what an office wants to hear about) × new statements → messages and feeds.

watches   the TOML file of `[[watch]]` entries, parsed and checked (`Watch`)
statement one stored document with its facts, the unit a watch is matched against
places    province and region of a place (ISTAT codes), for `province` and `region`
matching  does a watch match a statement, and which facts made it match (pure)
planning  what to put in the outbox when a document is stored (new, corrected, republished)
messages  the Italian message of an alert: plain text and Markdown
delivery  the one place that sends (Apprise), after commit, exactly once per row
feeds     one Atom feed per watch
"""
