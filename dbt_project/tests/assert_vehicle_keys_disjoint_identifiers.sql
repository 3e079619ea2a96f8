-- Vehicle identity is a partition: no normalised chassis, engine or registration number
-- belongs to two vehicle_keys (else two rows sharing it were left apart), and a row is
-- matched (`match_basis` <> 'none') exactly when its vehicle has other rows.
with rows_ as (
    select * from {{ ref('mart_vehicle_recidivism') }}
)

select 'chassis' as kind, chassis_no as identifier, count(distinct vehicle_key) as n_keys
from rows_ where chassis_no is not null group by chassis_no having count(distinct vehicle_key) > 1
union all
select 'engine', engine_no, count(distinct vehicle_key)
from rows_ where engine_no is not null group by engine_no having count(distinct vehicle_key) > 1
union all
select 'registration', registration_no, count(distinct vehicle_key)
from rows_ where registration_no is not null group by registration_no having count(distinct vehicle_key) > 1
union all
select 'match_basis ' || match_basis, cast(case_vehicle_id as varchar), n_vehicle_seizures
from rows_
where (match_basis = 'none') <> (n_vehicle_seizures = 1)
