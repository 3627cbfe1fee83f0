"""The error types that the CLI turns into a one-line message.

Each room raises a subclass (SourcesError, KnowledgeBaseError, ModelError, ...), so the
command line can say what went wrong without a traceback (tracebacks only with --debug).
A ConfigError (a registry, option, cron or database path that cannot work) exits with
code 2, before anything is written; other expected failures exit with code 1.
"""


class SentinellaError(Exception):
    """An expected failure with a message meant for the user."""

    exit_code = 1


class ConfigError(SentinellaError):
    """The configuration cannot work: one line naming the file or option and the problem."""

    exit_code = 2
