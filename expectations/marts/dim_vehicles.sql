-- Batch of suite marts.dim_vehicles: every row of the built mart.
select
    vehicle_key,
    n_seizures,
    n_cases,
    n_formations,
    first_seized_date,
    last_seized_date
from marts.dim_vehicles
