-- Batch of suite marts.dim_vehicles: every row of the built mart.
select
    vehicle_key,
    n_seizures,
    n_cases,
    n_formations,
    first_seized_date,
    last_seized_date,
    n_distinct_chassis,
    n_distinct_engines,
    has_identity_conflict,
    n_distinct_chassis > 1 or n_distinct_engines > 1                   as has_several_numbers
from marts.dim_vehicles
