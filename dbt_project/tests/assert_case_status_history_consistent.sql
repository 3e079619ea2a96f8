-- mart_case_status_history: every live case has exactly one current version, equal to its
-- current state in fct_cases (the timeline itself: assert_case_status_history_timeline).
with current_versions as (
    select case_id, count(*) as n_current, any_value(status) as status,
           any_value(adjudication_outcome) as adjudication_outcome
    from {{ ref('mart_case_status_history') }}
    where is_current
    group by case_id
)

select 'no single current version' as problem, c.case_id
from {{ ref('fct_cases') }} as c
left join current_versions as v on v.case_id = c.case_id
where v.case_id is null or v.n_current <> 1
union all
select 'current version differs from fct_cases', c.case_id
from {{ ref('fct_cases') }} as c
inner join current_versions as v on v.case_id = c.case_id
where v.status is distinct from c.status
   or v.adjudication_outcome is distinct from c.adjudication_outcome
