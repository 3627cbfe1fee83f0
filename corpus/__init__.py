"""The embedded default: the source registry (sources.toml) and the sample corpus (data only)."""
