-- Batch of suite marts.mart_vehicle_recidivism: every row of the built mart; when the DuckDB variable
-- rebuilt_only is set (after a build of the changed cases only: antismuggling.changes), the
-- vehicles that build rebuilt (dbt macros/changed_cases.sql).
select
    case_vehicle_id,
    case_id,
    vehicle_key,
    prior_seizures,
    prior_formations
from marts.mart_vehicle_recidivism
where getvariable('rebuilt_only') is null
   or exists (select 1 from intermediate.int_touched_vehicles where everything)
   or vehicle_key in (select vehicle_key from intermediate.int_touched_vehicles)
