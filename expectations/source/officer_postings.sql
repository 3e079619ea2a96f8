-- Batch of suite source.officer_postings: every row of raw.officer_postings (never deleted).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(posting_id)                                                    as posting_id,
    trim(officer_id)                                                    as officer_id,
    nullif(trim(formation_code), '')                                    as formation_code,
    case when substr(trim(posted_from), 1, 1) between '0' and '9'
         then try_cast(trim(posted_from) as date) end                   as posted_from,
    case when substr(trim(posted_to), 1, 1) between '0' and '9'
         then try_cast(trim(posted_to) as date) end                     as posted_to
from raw.officer_postings
where (getvariable('batch_since') is null or updated_at >= getvariable('batch_since'))
