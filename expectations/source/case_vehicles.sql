-- Batch of suite source.case_vehicles: the live rows (deleted_at is null) of
-- raw.case_vehicles with the state of their parent case (live / deleted / missing).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(v.case_vehicle_id)                                             as case_vehicle_id,
    case
        when c.case_id is null then 'missing'
        when c.deleted_at is not null then 'deleted'
        else 'live'
    end                                                                 as parent_case_state,
    nullif(upper(trim(v.vehicle_type)), '')                             as vehicle_type,
    nullif(upper(trim(v.involvement)), '')                              as involvement,
    case when try_cast(lower(trim(v.confiscated_u_s_157)) as boolean) is null
         then coalesce(v.confiscated_u_s_157, 'NULL') end              as confiscated_u_s_157_unparsed,
    try_cast(trim(v.value_pkr) as double)                               as value_pkr,
    case when nullif(trim(v.value_pkr), '') is not null
          and try_cast(trim(v.value_pkr) as decimal(18, 2)) is null
         then v.value_pkr end                                           as value_pkr_unparsed
from raw.case_vehicles as v
left join raw.cases as c
    on try_cast(trim(c.case_id) as bigint) = try_cast(trim(v.case_id) as bigint)
where v.deleted_at is null
  and (getvariable('batch_since') is null or v.updated_at >= getvariable('batch_since'))
