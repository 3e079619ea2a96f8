-- Batch of suite source.officers: every row of raw.officers (deleted officers still exist:
-- their past cases stay credited).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(officer_id)                                                    as officer_id,
    nullif(trim(service_no), '')                                        as service_no,
    nullif(trim(full_name), '')                                         as full_name
from raw.officers
where (getvariable('batch_since') is null or updated_at >= getvariable('batch_since'))
