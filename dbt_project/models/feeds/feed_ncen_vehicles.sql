-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_vehicles') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "vehicles_and_cases"}) }}

-- Feed `ncen`, entity `vehicles`, nominal: one row per live case vehicle of a live case
-- (mart_vehicle_recidivism), numbers as typed (`*_raw`) and normalised, the resolved
-- vehicle_key and its seizure history. offence_nature is the case's. A row depends on the
-- rows of its vehicle and on its case: an incremental build rebuilds the touched vehicles
-- and the changed cases (macros/changed_cases.sql).
select
    cast(v.case_vehicle_id as bigint)           as case_vehicle_id,
    cast(v.case_id as bigint)                   as case_id,
    cast(c.offence_nature as varchar)           as offence_nature,
    cast(v.vehicle_key as varchar)              as vehicle_key,
    cast(v.formation_code as varchar)           as formation_code,
    cast(v.seizure_date as date)                as seizure_date,
    cast(v.registration_no_raw as varchar)      as registration_no_raw,
    cast(v.registration_no as varchar)          as registration_no,
    cast(v.chassis_no_raw as varchar)           as chassis_no_raw,
    cast(v.chassis_no as varchar)               as chassis_no,
    cast(v.engine_no_raw as varchar)            as engine_no_raw,
    cast(v.engine_no as varchar)                as engine_no,
    cast(t.make as varchar)                     as make,
    cast(t.model as varchar)                    as model,
    cast(t.colour as varchar)                   as colour,
    cast(t.model_year as bigint)                as model_year,
    cast(v.vehicle_type as varchar)             as vehicle_type,
    cast(v.involvement as varchar)              as involvement,
    cast(v.confiscated_u_s_157 as boolean)      as confiscated_u_s_157,
    cast(v.value_pkr as decimal(18, 2))         as value_pkr,
    cast(v.prior_seizures as bigint)            as prior_seizures,
    cast(v.prior_formations as bigint)          as prior_formations,
    cast(v.is_repeat as boolean)                as is_repeat,
    cast(v.match_basis as varchar)              as match_basis
from {{ ref('mart_vehicle_recidivism') }} as v
inner join {{ ref('fct_cases') }} as c
    on c.case_id = v.case_id
left join {{ ref('int_case_vehicles') }} as t
    on t.case_vehicle_id = v.case_vehicle_id
{% if is_incremental() %}
where {{ in_touched_vehicles('v.vehicle_key') }} or {{ in_changed_cases('v.case_id') }}
{% endif %}
