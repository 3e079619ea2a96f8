-- Every live case vehicle of a live case (int_case_vehicles.is_live) is in
-- mart_vehicle_recidivism exactly once, and nothing else is; dim_vehicles has one row per
-- vehicle_key of the mart, whose n_seizures add up to the mart's rows.
with live as (
    select case_vehicle_id from {{ ref('int_case_vehicles') }} where is_live
),

mart as (
    select case_vehicle_id, count(*) as n from {{ ref('mart_vehicle_recidivism') }} group by case_vehicle_id
)

select 'missing from mart_vehicle_recidivism' as problem, l.case_vehicle_id, null as vehicle_key
from live as l left join mart as m on m.case_vehicle_id = l.case_vehicle_id
where m.case_vehicle_id is null
union all
select 'more than once', case_vehicle_id, null from mart where n > 1
union all
select 'not a live case vehicle', m.case_vehicle_id, null
from mart as m where m.case_vehicle_id not in (select case_vehicle_id from live)
union all
select 'vehicle_key n_seizures mismatch', null, coalesce(d.vehicle_key, r.vehicle_key)
from {{ ref('dim_vehicles') }} as d
full outer join (
    select vehicle_key, count(*) as n from {{ ref('mart_vehicle_recidivism') }} group by vehicle_key
) as r on r.vehicle_key = d.vehicle_key
where d.n_seizures is distinct from r.n
