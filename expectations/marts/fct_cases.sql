-- Batch of suite marts.fct_cases: every row of the built mart, the columns the suite checks.
-- When the DuckDB variable rebuilt_only is set (after a build that rebuilt only the changed
-- cases: antismuggling.changes), only the rows of those cases are in the batch.
-- Money is compared in DECIMAL here (total_minus_parts is exact) and handed over as DOUBLE
-- for the sign checks only.
select
    case_id,
    case_no,
    formation_code,
    seizure_date,
    strftime(seizure_month, '%Y-%m-%d')                                 as seizure_month,
    strftime(cast(date_trunc('month', seizure_date) as date), '%Y-%m-%d') as month_of_seizure_date,
    status,
    cast(goods_value_pkr as double)                                     as goods_value_pkr,
    cast(vehicle_value_pkr as double)                                   as vehicle_value_pkr,
    cast(total_value_pkr as double)                                     as total_value_pkr,
    cast(total_value_pkr - goods_value_pkr - vehicle_value_pkr as double) as total_minus_parts,
    n_items,
    n_vehicles,
    n_persons,
    upload_lag_days
from marts.fct_cases
where getvariable('rebuilt_only') is null
   or case_id in (select case_id from staging.stg_changed_cases where rows_changed)
