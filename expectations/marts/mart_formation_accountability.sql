-- Batch of suite marts.mart_formation_accountability: every row of the built mart.
select
    formation_code,
    strftime(seizure_month, '%Y-%m-%d')                                 as seizure_month,
    n_cases,
    n_pending_adjudication,
    n_late_uploads,
    n_adjudicated,
    cast(confiscation_rate as double)                                   as confiscation_rate
from marts.mart_formation_accountability
