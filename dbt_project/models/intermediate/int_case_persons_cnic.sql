-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Every case person (deleted ones too) with the contract's CNIC normalisation and liveness.
--
-- CNIC rule (marts contract, "CNIC normalisation"): strip every non-digit; valid when
-- exactly 13 digits remain, the first is 1-7, and not all 13 are the same digit;
-- formatted `12345-1234567-1`. cnic is NULL when not valid (people without a valid
-- CNIC are never merged with anyone). cnic_status: VALID, MISSING (no text typed),
-- INVALID (text typed, not a valid CNIC: `N/A`, 12 digits, a leading 0/8/9...).

with persons as (
    select *, {{ digits_only('cnic_raw') }} as cnic_digits
    from {{ ref('stg_case_persons') }}
    {% if is_incremental() %}
    where {{ in_changed_cases('case_id') }}
    {% endif %}
),

checked as (
    select
        *,
        (length(cnic_digits) = 13
         and left(cnic_digits, 1) between '1' and '7'
         and cnic_digits <> repeat(left(cnic_digits, 1), 13)) as is_cnic_valid
    from persons
)

select
    child.case_person_id,
    child.case_person_pk,
    child.case_id,
    child.case_id_raw,
    child.cnic_raw,
    case
        when child.is_cnic_valid then
            substr(child.cnic_digits, 1, 5) || '-' || substr(child.cnic_digits, 6, 7) || '-' || substr(child.cnic_digits, 13, 1)
    end                                         as cnic,
    case
        when child.is_cnic_valid then 'VALID'
        when {{ clean_text('child.cnic_raw') }} is null then 'MISSING'
        else 'INVALID'
    end                                         as cnic_status,
    child.passport_no,
    child.full_name,
    child.father_name,
    child.gender,
    child.date_of_birth,
    child.date_of_birth_raw,
    child.nationality,
    child.home_district,
    child.role,
    child.custody_status,
    child.created_at_utc,
    child.created_at_raw,
    child.updated_at_utc,
    child.updated_at_raw,
    child.deleted_at_raw,
    child.is_deleted,
    {{ parent_case_state() }}                  as parent_case_state,
    {{ is_live_child() }}                      as is_live,
    {{ is_orphan_child() }}                    as is_orphan
from checked as child
left join {{ ref('stg_cases') }} as parent_case
    on parent_case.case_id = child.case_id
