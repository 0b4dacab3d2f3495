"""The Dagster assets, one module per layer: raw -> parsed -> marts."""

import warnings

from dagster import BetaWarning, DagsterType
from dagster_pandera import pandera_schema_to_dagster_type

from digest_pipeline.schemas import Table


def pandera_type(model: type[Table]) -> DagsterType:
    """A Dagster type that validates a polars frame against `model` and fails the step on bad rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)  # stable enough for us; pinned by our lower bound
        return pandera_schema_to_dagster_type(model)
