-- Officer credit adds back up exactly (to the paisa) to the case values:
--  1. per case, the credited shares sum to the case's total_value_pkr, and every live case
--     with at least one credited officer (live case_officers row, existing officer) is there;
--  2. summed over officers and months, mart_officer_performance.credited_value_pkr equals the
--     total value of those cases.
with credited_cases as (
    select distinct case_id
    from {{ ref('int_case_officers') }}
    where is_in_marts
),

expected as (
    select c.case_id, c.total_value_pkr
    from {{ ref('fct_cases') }} as c
    inner join credited_cases as cc on cc.case_id = c.case_id
),

per_case as (
    select case_id, sum(credited_value_pkr) as credited_value_pkr, count(*) as n_rows,
           max(n_credited_officers) as n_officers
    from {{ ref('fct_officer_case_credits') }}
    group by case_id
),

case_problems as (
    select 'case share sum' as problem, e.case_id, e.total_value_pkr as expected_pkr, p.credited_value_pkr as got_pkr
    from expected as e
    left join per_case as p on p.case_id = e.case_id
    where p.case_id is null
       or p.credited_value_pkr <> e.total_value_pkr
       or p.n_rows <> p.n_officers
    union all
    select 'credited case is not a credited live case', p.case_id, null, p.credited_value_pkr
    from per_case as p
    where p.case_id not in (select case_id from expected)
),

totals as (
    select
        (select sum(total_value_pkr) from expected)                                  as expected_pkr,
        (select sum(credited_value_pkr) from {{ ref('mart_officer_performance') }})  as got_pkr
)

select * from case_problems
union all
select 'officer performance total', null, expected_pkr, got_pkr
from totals
where expected_pkr is distinct from got_pkr
  and not (expected_pkr is null and got_pkr is null)
