-- Batch of suite source.case_officers: the live rows (deleted_at is null) of
-- raw.case_officers with the state of their parent case (live / deleted / missing).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(o.case_id)                                                     as case_id,
    trim(o.officer_id)                                                  as officer_id,
    nullif(upper(trim(o.role)), '')                                     as role,
    case
        when c.case_id is null then 'missing'
        when c.deleted_at is not null then 'deleted'
        else 'live'
    end                                                                 as parent_case_state
from raw.case_officers as o
left join raw.cases as c
    on try_cast(trim(c.case_id) as bigint) = try_cast(trim(o.case_id) as bigint)
where o.deleted_at is null
  and (getvariable('batch_since') is null or o.updated_at >= getvariable('batch_since'))
