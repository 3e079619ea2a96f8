-- Batch of suite marts.fct_cases: every row of the built mart, the columns the suite checks.
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
