"""digest_pipeline: AI-paper digests -> DuckDB marts, as a Dagster code location.

Kept empty on purpose: `import digest_pipeline` stays cheap, and the Dagster
definitions load from `digest_pipeline.definitions`.
"""

__version__ = "0.1.0"
