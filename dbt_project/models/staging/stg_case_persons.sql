-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

select
    {{ parse_int('case_person_id') }}                    as case_person_id,
    trim(case_person_id)                                 as case_person_pk,
    {{ parse_int('case_id') }}                           as case_id,
    case_id                                              as case_id_raw,
    cnic                                                 as cnic_raw,
    {{ clean_text('passport_no') }}                      as passport_no,
    {{ clean_text('full_name') }}                        as full_name,
    {{ clean_text('father_name') }}                      as father_name,
    {{ clean_code('gender') }}                           as gender,
    {{ parse_date('date_of_birth', 'birth') }}           as date_of_birth,
    date_of_birth                                        as date_of_birth_raw,
    {{ clean_code('nationality') }}                      as nationality,
    {{ clean_text('home_district') }}                    as home_district,
    {{ clean_code('role') }}                             as role,
    {{ clean_code('custody_status') }}                   as custody_status,
    {{ audit_columns() }}
from {{ source('raw', 'case_persons') }}
{% if is_incremental() %}
where {{ raw_in_changed_cases('case_id') }}
{% endif %}
