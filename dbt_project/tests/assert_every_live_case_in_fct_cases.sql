-- Every live raw case (deleted_at holds no timestamp: NULL, blank or junk) is in fct_cases,
-- and nothing else is.
with live_raw as (
    select trim(case_id) as case_pk from {{ source('raw', 'cases') }} where not {{ is_deleted('deleted_at') }}
),

mart as (
    select cast(case_id as varchar) as case_pk from {{ ref('fct_cases') }}
)

select 'missing from fct_cases' as problem, case_pk from live_raw
where case_pk not in (select case_pk from mart)
union all
select 'not a live case' as problem, case_pk from mart
where case_pk not in (select case_pk from live_raw)
