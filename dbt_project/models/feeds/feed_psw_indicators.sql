-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_case_groups') }}
-- depends_on: {{ ref('fct_cases') }}
{{ config(materialized='incremental', on_schema_change='fail',
          pre_hook="{{ delete_touched_case_groups(seizure_place_group()) }}") }}

-- Feed `psw` (Pakistan Single Window risk management), entity `indicators`, non-nominal:
-- one row per seizure month x HS code (hs6, else the most specific known level) x origin
-- country x seizure location, over the live items of live cases. Items without a known HS
-- code are further split by commodity group (inferred from the offence); for every known
-- code the group follows from the code, so it splits nothing else. NULL in a key column means
-- unknown (a case without a readable seizure date, an item without a known HS code, ...);
-- NULLs group together. value_pkr and n_items add up to fct_seizure_items.
-- Rebuilt by seizure month and location (macros/touched_groups.sql): a row's items share them.
with facts as (
    select f.*, coalesce(p.n_offenders, 0) as n_offenders
    from {{ ref('feed__item_facts') }} as f
    left join {{ ref('feed__case_persons_summary') }} as p
        on p.case_id = f.case_id
    {% if is_incremental() %}
    where {{ in_touched_case_groups('f', seizure_place_group()) }}
    {% endif %}
),

-- a case's offenders count once per indicator row, however many items it has there
case_rows as (
    select distinct seizure_month, hs_code, commodity_group, origin_country, seizure_location_id, case_id, n_offenders
    from facts
),

offenders as (
    select seizure_month, hs_code, commodity_group, origin_country, seizure_location_id, sum(n_offenders) as n_offenders
    from case_rows
    group by all
)

select
    cast(f.seizure_month as date)                         as seizure_month,
    cast(f.hs_code as varchar)                            as hs_code,
    cast(min(f.hs_level) as varchar)                      as hs_level,
    cast(f.commodity_group as varchar)                    as commodity_group,
    cast(f.origin_country as varchar)                     as origin_country,
    cast(f.seizure_location_id as bigint)                 as seizure_location_id,
    cast(min(f.seizure_place_kind) as varchar)            as seizure_place_kind,
    cast(min(f.seizure_country) as varchar)               as seizure_country,
    cast(count(distinct f.case_id) as bigint)             as n_cases,
    cast(count(*) as bigint)                              as n_items,
    cast(sum(coalesce(f.value_pkr, 0)) as decimal(38, 2)) as value_pkr,
    cast(min(o.n_offenders) as bigint)                    as n_offenders
from facts as f
left join offenders as o
    on o.seizure_month is not distinct from f.seizure_month
   and o.hs_code is not distinct from f.hs_code
   and o.commodity_group = f.commodity_group
   and o.origin_country is not distinct from f.origin_country
   and o.seizure_location_id is not distinct from f.seizure_location_id
group by f.seizure_month, f.hs_code, f.commodity_group, f.origin_country, f.seizure_location_id
