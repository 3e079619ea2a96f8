-- For each HS level, mart_hs_trends adds up to the live items known at that level:
-- sum of value_pkr over codes (missing item values count 0) and sum of n_items, per
-- seizure month and formation as well as overall.
with items as (
    select seizure_month, formation_code, coalesce(value_pkr, 0) as value_pkr, hs_section, hs2, hs4, hs6
    from {{ ref('fct_seizure_items') }}
),

expected as (
    select seizure_month, formation_code, 'section' as hs_level, sum(value_pkr) as value_pkr, count(*) as n_items
    from items where hs_section is not null group by all
    union all
    select seizure_month, formation_code, 'chapter', sum(value_pkr), count(*)
    from items where hs2 is not null group by all
    union all
    select seizure_month, formation_code, 'heading', sum(value_pkr), count(*)
    from items where hs4 is not null group by all
    union all
    select seizure_month, formation_code, 'subheading', sum(value_pkr), count(*)
    from items where hs6 is not null group by all
),

got as (
    select seizure_month, formation_code, hs_level, sum(value_pkr) as value_pkr, sum(n_items) as n_items
    from {{ ref('mart_hs_trends') }}
    group by all
)

select
    coalesce(e.hs_level, g.hs_level) as hs_level,
    coalesce(e.seizure_month, g.seizure_month) as seizure_month,
    coalesce(e.formation_code, g.formation_code) as formation_code,
    e.value_pkr as expected_value_pkr, g.value_pkr as got_value_pkr,
    e.n_items as expected_n_items, g.n_items as got_n_items
from expected as e
full outer join got as g
    on g.hs_level = e.hs_level
   and g.seizure_month is not distinct from e.seizure_month
   and g.formation_code is not distinct from e.formation_code
where e.value_pkr is distinct from g.value_pkr
   or e.n_items is distinct from g.n_items
