-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Feed `ncen`, entity `persons`, nominal: one row per live person of a live case
-- (fct_case_persons). cnic is formatted `12345-1234567-1` when valid, else as typed (trimmed);
-- offender_key is the resolved person's key (NULL without a valid CNIC).
select
    cast(p.case_person_id as bigint)            as case_person_id,
    cast(p.case_id as bigint)                   as case_id,
    cast(c.offence_nature as varchar)           as offence_nature,
    cast(p.offender_key as varchar)             as offender_key,
    cast(coalesce(p.cnic, nullif(trim(r.cnic_raw), '')) as varchar) as cnic,
    cast(p.cnic_status as varchar)              as cnic_status,
    cast(p.passport_no as varchar)              as passport_no,
    cast(p.full_name as varchar)                as full_name,
    cast(p.father_name as varchar)              as father_name,
    cast(p.gender as varchar)                   as gender,
    cast(p.date_of_birth as date)               as date_of_birth,
    cast(p.nationality as varchar)              as nationality,
    cast(p.home_district as varchar)            as home_district,
    cast(p.role as varchar)                     as role,
    cast(p.custody_status as varchar)           as custody_status,
    cast(p.formation_code as varchar)           as formation_code,
    cast(p.seizure_date as date)                as seizure_date
from {{ ref('fct_case_persons') }} as p
inner join {{ ref('fct_cases') }} as c
    on c.case_id = p.case_id
left join {{ ref('int_case_persons_cnic') }} as r
    on r.case_person_id = p.case_person_id
{% if is_incremental() %}
where {{ in_changed_cases('p.case_id') }}
{% endif %}
