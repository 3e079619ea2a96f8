"""Data-quality checks run beside the pipeline: expectation suites and the reconciliation.

- ``suites``: the suite definitions in ``expectations/`` (Great Expectations JSON + the SQL
  that reads each suite's batch from the warehouse).
- ``runner``: validates a batch (a pandas frame read with DuckDB's Python API) against a suite
  in an ephemeral, offline Great Expectations context, and turns the result into figures.
- ``reconciliation``: source live rows = mart rows + quarantined rows, and value totals to the
  paisa, computed independently from the ``raw`` layer and from the published marts.

The rules that keep rows out of the marts live in dbt (``int_dq_checks``); these checks count
and report, they never change data and never block publication.
"""
