-- Batch of suite marts.mart_hs_trends: every row of the built mart.
select
    strftime(seizure_month, '%Y-%m-%d')                                 as seizure_month,
    formation_code,
    hs_level,
    hs_code,
    n_cases,
    n_items,
    cast(value_pkr as double)                                           as value_pkr
from marts.mart_hs_trends
