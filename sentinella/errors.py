"""The one error type that the CLI turns into a one-line message.

Each room raises a subclass (SourcesError, KnowledgeBaseError, ModelError, ...), so the
command line can say what went wrong without a traceback (tracebacks only with --debug).
"""


class SentinellaError(Exception):
    """An expected failure with a message meant for the user."""
