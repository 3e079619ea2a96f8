-- Batch of suite source.locations: every row of raw.locations (never deleted).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(location_id)                                                   as location_id,
    nullif(upper(trim(kind)), '')                                       as kind,
    nullif(upper(trim(country)), '')                                    as country,
    try_cast(trim(latitude) as double)                                  as latitude,
    try_cast(trim(longitude) as double)                                 as longitude
from raw.locations
where (getvariable('batch_since') is null or updated_at >= getvariable('batch_since'))
