-- Batch of suite marts.dim_vehicles: every row of the built mart; when the DuckDB variable
-- rebuilt_only is set (after a build of the changed cases only: antismuggling.changes), the
-- vehicles that build rebuilt (dbt macros/changed_cases.sql).
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
where getvariable('rebuilt_only') is null
   or exists (select 1 from intermediate.int_touched_vehicles where everything)
   or vehicle_key in (select vehicle_key from intermediate.int_touched_vehicles)
