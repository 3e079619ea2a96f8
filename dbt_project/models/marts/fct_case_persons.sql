-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_offenders') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "offenders_and_cases"}) }}

-- One row per live person on a live case: who was in which case, in what role, with the
-- CNIC resolved by the contract's rule (NULL unless valid) and the offender it resolves to.
--
-- Case-scoped (macros/changed_cases.sql), with one reach beyond the case: is_repeat_appearance
-- looks at every case of the person. So an incremental build rebuilds the changed cases and
-- every person they touch, as they were and as they are (int_touched_offenders; the pre-hook
-- deletes those rows; the rows of a person no longer in the table are the ones to insert
-- again).
with persons as (
    select p.*, {{ offender_key("p.cnic") }} as offender_key
    from {{ ref('int_case_persons_cnic') }} as p
    where p.is_live
    {% if is_incremental() %}
    and ({{ in_changed_cases('p.case_id') }}
         or exists (select 1 from {{ ref('int_touched_offenders') }} where everything)
         or {{ offender_key("p.cnic") }} in (
             select {{ offender_key("cnic") }} from {{ ref('int_case_persons_cnic') }} where cnic is not null
             except
             select offender_key from {{ this }} where offender_key is not null))
    {% endif %}
)

select
    p.case_person_id,
    p.case_id,
    c.formation_code,
    c.seizure_date,
    c.seizure_month,
    p.cnic,
    p.cnic_status,
    p.offender_key,
    p.passport_no,
    p.full_name,
    p.father_name,
    p.gender,
    p.date_of_birth,
    p.nationality,
    p.home_district,
    p.role,
    p.custody_status,
    -- seen again: this case was seized after the person's first case (any formation)
    coalesce(
        p.offender_key is not null
        and c.seizure_date > min(c.seizure_date) over (partition by p.offender_key),
        false
    )                                                   as is_repeat_appearance
from persons as p
inner join {{ ref('fct_cases') }} as c
    on c.case_id = p.case_id
