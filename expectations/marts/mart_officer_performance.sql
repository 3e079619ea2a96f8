-- Batch of suite marts.mart_officer_performance: every row of the built mart.
select
    officer_id,
    strftime(seizure_month, '%Y-%m-%d')                                 as seizure_month,
    formation_code,
    n_cases,
    n_adjudicated,
    n_confiscated,
    cast(confiscation_rate as double)                                   as confiscation_rate
from marts.mart_officer_performance
