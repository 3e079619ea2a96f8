-- Batch of suite marts.data_quality_issues: every row of the built mart.
select source_table, source_pk, check_name, severity, first_seen_at
from marts.data_quality_issues
