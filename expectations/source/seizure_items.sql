-- Batch of suite source.seizure_items: the live rows (deleted_at is null) of
-- raw.seizure_items with the state of their parent case (live / deleted / missing).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
select
    trim(i.item_id)                                                     as item_id,
    case
        when c.case_id is null then 'missing'
        when c.deleted_at is not null then 'deleted'
        else 'live'
    end                                                                 as parent_case_state,
    nullif(trim(i.hs_code), '')                                         as hs_code,
    try_cast(trim(i.quantity) as double)                                as quantity,
    try_cast(trim(i.value_pkr) as double)                               as value_pkr,
    case when nullif(trim(i.quantity), '') is not null
          and try_cast(trim(i.quantity) as decimal(18, 3)) is null
         then i.quantity end                                            as quantity_unparsed,
    case when nullif(trim(i.value_pkr), '') is not null
          and try_cast(trim(i.value_pkr) as decimal(18, 2)) is null
         then i.value_pkr end                                           as value_pkr_unparsed,
    nullif(upper(trim(i.origin_country)), '')                           as origin_country
from raw.seizure_items as i
left join raw.cases as c
    on try_cast(trim(c.case_id) as bigint) = try_cast(trim(i.case_id) as bigint)
where i.deleted_at is null
  and (getvariable('batch_since') is null or i.updated_at >= getvariable('batch_since'))
