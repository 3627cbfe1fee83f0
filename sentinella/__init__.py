"""Sentinella: what Italian public institutions say and promise, as queryable facts."""

__version__ = "0.1.0"
