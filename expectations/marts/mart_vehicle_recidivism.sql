-- Batch of suite marts.mart_vehicle_recidivism: every row of the built mart.
select
    case_vehicle_id,
    case_id,
    vehicle_key,
    prior_seizures,
    prior_formations
from marts.mart_vehicle_recidivism
