-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- The case vehicles that take part in vehicle identity: live case vehicles of live cases
-- (orphans are quarantined; deleted rows never link anything), with the contract's three
-- normalised identifiers (macros/vehicles.sql). A NULL identifier is missing and links nothing.
select
    v.case_vehicle_id,
    v.case_id,
    {{ normalised_vehicle_identifier('v.chassis_no', 'chassis') }}           as chassis_norm,
    {{ normalised_vehicle_identifier('v.engine_no', 'engine') }}             as engine_norm,
    {{ normalised_vehicle_identifier('v.registration_no', 'registration') }} as registration_norm,
    v.chassis_no                                                             as chassis_no_raw,
    v.engine_no                                                              as engine_no_raw,
    v.registration_no                                                        as registration_no_raw,
    v.vehicle_type,
    v.make,
    v.model,
    v.involvement,
    v.confiscated_u_s_157,
    v.value_pkr
from {{ ref('int_case_vehicles') }} as v
where v.is_live
{% if is_incremental() %}
and {{ in_changed_cases('v.case_id') }}
{% endif %}
