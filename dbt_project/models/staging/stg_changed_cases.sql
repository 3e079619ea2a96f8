-- The cases the case-scoped incremental models rebuild in this build (macros/changed_cases.sql):
-- every case_id the loads since the last successful build recorded, as it was and as it is,
-- and the cases of every officer whose officer row or postings changed. NULL stands for the
-- child rows whose case_id cannot be parsed. Parsed as staging parses case ids.
with changed as (
    select kind, key from {{ source('raw', 'changed_keys') }}
),

changed_officers as (
    select {{ parse_int('key') }} as officer_id from changed where kind = 'officer'
)

select distinct case_id
from (
    select {{ parse_int('key') }} as case_id from changed where kind = 'case'
    union all
    select {{ parse_int('case_id') }} as case_id
    from {{ source('raw', 'case_officers') }}
    where {{ parse_int('officer_id') }} in (select officer_id from changed_officers where officer_id is not null)
)
