-- Batch of suite source.case_persons: the live rows (deleted_at is null) of
-- raw.case_persons with the state of their parent case, and the CNIC's digits (every
-- non-digit stripped; NULL when no CNIC was typed; the typed text when it has no digit).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(p.case_person_id)                                              as case_person_id,
    case
        when c.case_id is null then 'missing'
        when c.deleted_at is not null then 'deleted'
        else 'live'
    end                                                                 as parent_case_state,
    case
        when nullif(trim(p.cnic), '') is null then null
        when regexp_replace(p.cnic, '[^0-9]', '', 'g') = '' then trim(p.cnic)  -- `N/A`, `NIL`: shown as typed
        else regexp_replace(p.cnic, '[^0-9]', '', 'g')
    end                                                                 as cnic_digits,
    nullif(upper(trim(p.role)), '')                                     as role,
    nullif(upper(trim(p.custody_status)), '')                           as custody_status,
    nullif(upper(trim(p.gender)), '')                                   as gender
from raw.case_persons as p
left join raw.cases as c
    on try_cast(trim(c.case_id) as bigint) = try_cast(trim(p.case_id) as bigint)
where p.deleted_at is null
  and (getvariable('batch_since') is null or p.updated_at >= getvariable('batch_since'))
