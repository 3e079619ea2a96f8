-- depends_on: {{ ref('int_touched_vehicles') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "vehicles"}) }}

-- Feed `ntc` (National Targeting Center), entity `vehicles`, nominal: one row per resolved
-- vehicle (dim_vehicles) seized in at least two live cases, with its numbers (normalised:
-- the most frequent; as typed: every distinct spelling, sorted and `;`-joined), counts,
-- formations, first and last seizure dates and its latest case (latest seizure date, then
-- the highest case_id). A row depends only on the vehicle's rows: an incremental build
-- rebuilds the touched vehicles (int_touched_vehicles, macros/changed_cases.sql).
with vehicles as (
    select * from {{ ref('dim_vehicles') }} where n_cases >= 2
    {% if is_incremental() %}
    and {{ in_touched_vehicles('vehicle_key') }}
    {% endif %}
),

rows_ as (
    select v.*, c.case_no
    from {{ ref('mart_vehicle_recidivism') }} as v
    inner join {{ ref('fct_cases') }} as c
        on c.case_id = v.case_id
    where v.vehicle_key in (select vehicle_key from vehicles)
),

typed as (
    select
        vehicle_key,
        nullif({{ joined_distinct("nullif(trim(registration_no_raw), '')", 'per_vehicle') }}, '') as registration_nos_typed,
        nullif({{ joined_distinct("nullif(trim(chassis_no_raw), '')", 'per_vehicle') }}, '')      as chassis_nos_typed,
        nullif({{ joined_distinct("nullif(trim(engine_no_raw), '')", 'per_vehicle') }}, '')       as engine_nos_typed,
        nullif({{ joined_distinct('vehicle_type', 'per_vehicle') }}, '')                          as vehicle_types,
        nullif({{ joined_distinct('formation_code', 'per_vehicle') }}, '')                        as formations
    from rows_
    window per_vehicle as (partition by vehicle_key)
    qualify row_number() over per_vehicle = 1
),

latest as (
    select vehicle_key, case_id, case_no, seizure_date, formation_code
    from rows_
    qualify row_number() over (
        partition by vehicle_key order by seizure_date desc nulls last, case_id desc, case_vehicle_id desc) = 1
)

select
    cast(v.vehicle_key as varchar)              as vehicle_key,
    cast(v.registration_no as varchar)          as registration_no,
    cast(v.chassis_no as varchar)               as chassis_no,
    cast(v.engine_no as varchar)                as engine_no,
    cast(t.registration_nos_typed as varchar)   as registration_nos_typed,
    cast(t.chassis_nos_typed as varchar)        as chassis_nos_typed,
    cast(t.engine_nos_typed as varchar)         as engine_nos_typed,
    cast(t.vehicle_types as varchar)            as vehicle_types,
    cast(v.n_seizures as bigint)                as n_seizures,
    cast(v.n_cases as bigint)                   as n_cases,
    cast(v.n_formations as bigint)              as n_formations,
    cast(t.formations as varchar)               as formations,
    cast(v.first_seized_date as date)           as first_seen_date,
    cast(v.last_seized_date as date)            as last_seen_date,
    cast(l.case_id as bigint)                   as latest_case_id,
    cast(l.case_no as varchar)                  as latest_case_no,
    cast(l.seizure_date as date)                as latest_seizure_date,
    cast(l.formation_code as varchar)           as latest_formation_code
from vehicles as v
left join typed as t on t.vehicle_key = v.vehicle_key
left join latest as l on l.vehicle_key = v.vehicle_key
