-- Batch of suite source.formations: every row of raw.formations (never deleted).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    nullif(trim(formation_code), '')                                    as formation_code,
    nullif(upper(trim(kind)), '')                                       as kind,
    nullif(trim(parent_code), '')                                       as parent_code
from raw.formations
where (getvariable('batch_since') is null or updated_at >= getvariable('batch_since'))
