-- Batch of suite marts.fct_seizure_items: every row of the built mart.
-- When the DuckDB variable rebuilt_only is set (after a build that rebuilt only the changed
-- cases: antismuggling.changes), only the rows of those cases are in the batch.
select
    item_id,
    case_id,
    seizure_date,
    hs2,
    hs4,
    hs6,
    left(hs4, 2)                                                        as hs4_chapter,
    hs_code_status,
    -- the HS status beside the most specific level found: VALID must have hs6, and so on
    hs_code_status || '/' || case
        when hs6 is not null then 'hs6'
        when hs4 is not null then 'hs4'
        when hs2 is not null then 'hs2'
        else 'none'
    end                                                                 as hs_status_level,
    cast(quantity as double)                                            as quantity,
    cast(value_pkr as double)                                           as value_pkr,
    is_notified_item
from marts.fct_seizure_items
where getvariable('rebuilt_only') is null
   or case_id in (select case_id from staging.stg_changed_cases where rows_changed)
