{{ config(severity='warn', warn_if='>0') }}
-- Data-quality warning about the source, not our logic: a normalised chassis, engine or
-- registration number carried by 50 or more live case vehicles is most likely a placeholder
-- the contract's list (NA NIL NONE NULL UNREGISTERED UNREG APPLIEDFOR 0) does not name
-- (`UNKNOWN`, `WITHOUTNUMBER`, ...). By the contract it still links all those rows into one
-- vehicle; extend macros/domains.sql vehicle_identifier_placeholders() once the contract
-- lists it.
select 'chassis' as kind, chassis_norm as identifier, count(*) as n_case_vehicles
from {{ ref('int_case_vehicle_identity') }}
where chassis_norm is not null
group by chassis_norm
having count(*) >= 50
union all
select 'engine', engine_norm, count(*)
from {{ ref('int_case_vehicle_identity') }}
where engine_norm is not null
group by engine_norm
having count(*) >= 50
union all
select 'registration', registration_norm, count(*)
from {{ ref('int_case_vehicle_identity') }}
where registration_norm is not null
group by registration_norm
having count(*) >= 50
