-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

select
    {{ parse_int('case_vehicle_id') }}                   as case_vehicle_id,
    trim(case_vehicle_id)                                as case_vehicle_pk,
    {{ parse_int('case_id') }}                           as case_id,
    case_id                                              as case_id_raw,
    {{ clean_text('registration_no') }}                  as registration_no,
    {{ clean_text('chassis_no') }}                       as chassis_no,
    {{ clean_text('engine_no') }}                        as engine_no,
    {{ clean_text('make') }}                             as make,
    {{ clean_text('model') }}                            as model,
    {{ clean_text('colour') }}                           as colour,
    {{ parse_int('model_year') }}                        as model_year,
    model_year                                           as model_year_raw,
    {{ clean_code('vehicle_type') }}                     as vehicle_type,
    {{ clean_code('involvement') }}                      as involvement,
    {{ parse_bool('confiscated_u_s_157') }}              as confiscated_u_s_157,
    {{ parse_money('value_pkr') }}                       as value_pkr,
    value_pkr                                            as value_pkr_raw,
    {{ audit_columns() }}
from {{ source('raw', 'case_vehicles') }}
{% if is_incremental() %}
where {{ raw_in_changed_cases('case_id') }}
{% endif %}
