-- mart_formation_accountability and mart_route_flows are partitions of the live cases:
-- their n_cases and total_value_pkr add up to fct_cases, per month.
with cases as (
    select seizure_month, count(*) as n_cases, sum(total_value_pkr) as total_value_pkr
    from {{ ref('fct_cases') }} group by seizure_month
),

formations as (
    select seizure_month, sum(n_cases) as n_cases, sum(total_value_pkr) as total_value_pkr
    from {{ ref('mart_formation_accountability') }} group by seizure_month
),

routes as (
    select seizure_month, sum(n_cases) as n_cases, sum(total_value_pkr) as total_value_pkr
    from {{ ref('mart_route_flows') }} group by seizure_month
)

select 'mart_formation_accountability' as mart, coalesce(c.seizure_month, f.seizure_month) as seizure_month,
       c.n_cases as expected_n_cases, f.n_cases as got_n_cases
from cases as c
full outer join formations as f on f.seizure_month is not distinct from c.seizure_month
where c.n_cases is distinct from f.n_cases or c.total_value_pkr is distinct from f.total_value_pkr
union all
select 'mart_route_flows', coalesce(c.seizure_month, r.seizure_month), c.n_cases, r.n_cases
from cases as c
full outer join routes as r on r.seizure_month is not distinct from c.seizure_month
where c.n_cases is distinct from r.n_cases or c.total_value_pkr is distinct from r.total_value_pkr
