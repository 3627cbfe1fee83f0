"""Sentinella: what Italian public institutions say and promise, as queryable facts."""

# Kept equal to the shipped model's version (models/it_sentinella/meta.json): a release of
# Sentinella is a release of its pipeline (tests/test_packaging.py checks it).
__version__ = "0.3.0"
