-- One row per live person on a live case: who was in which case, in what role, with the
-- CNIC resolved by the contract's rule (NULL unless valid) and the offender it resolves to.
select
    p.case_person_id,
    p.case_id,
    c.formation_code,
    c.seizure_date,
    c.seizure_month,
    p.cnic,
    p.cnic_status,
    {{ offender_key("p.cnic") }}                        as offender_key,
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
        {{ offender_key("p.cnic") }} is not null
        and c.seizure_date > min(c.seizure_date) over (partition by {{ offender_key("p.cnic") }}),
        false
    )                                                   as is_repeat_appearance
from {{ ref('int_case_persons_cnic') }} as p
inner join {{ ref('fct_cases') }} as c
    on c.case_id = p.case_id
where p.is_live
