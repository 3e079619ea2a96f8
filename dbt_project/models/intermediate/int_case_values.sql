-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Per live case: the contract's case value and child counts, over live child rows only.
--   goods_value_pkr   = sum of live items' value_pkr (a missing or non-numeric value counts 0)
--   vehicle_value_pkr = sum of live case vehicles' value_pkr (likewise)
--   total_value_pkr   = goods_value_pkr + vehicle_value_pkr
with items as (
    select case_id, count(*) as n_items, sum(coalesce(value_pkr, 0)) as goods_value_pkr
    from {{ ref('int_seizure_items_hs') }}
    where is_live
    {% if is_incremental() %}
    and {{ in_changed_cases('case_id') }}
    {% endif %}
    group by case_id
),

vehicles as (
    select case_id, count(*) as n_vehicles, sum(coalesce(value_pkr, 0)) as vehicle_value_pkr
    from {{ ref('int_case_vehicles') }}
    where is_live
    {% if is_incremental() %}
    and {{ in_changed_cases('case_id') }}
    {% endif %}
    group by case_id
),

persons as (
    select case_id, count(*) as n_persons
    from {{ ref('int_case_persons_cnic') }}
    where is_live
    {% if is_incremental() %}
    and {{ in_changed_cases('case_id') }}
    {% endif %}
    group by case_id
)

select
    c.case_id,
    coalesce(i.goods_value_pkr, 0)                                       as goods_value_pkr,
    coalesce(v.vehicle_value_pkr, 0)                                     as vehicle_value_pkr,
    coalesce(i.goods_value_pkr, 0) + coalesce(v.vehicle_value_pkr, 0)    as total_value_pkr,
    coalesce(i.n_items, 0)                                               as n_items,
    coalesce(v.n_vehicles, 0)                                            as n_vehicles,
    coalesce(p.n_persons, 0)                                             as n_persons
from {{ ref('stg_cases') }} as c
left join items as i on i.case_id = c.case_id
left join vehicles as v on v.case_id = c.case_id
left join persons as p on p.case_id = c.case_id
where {{ is_live_case('c') }}
{% if is_incremental() %}
and {{ in_changed_cases('c.case_id') }}
{% endif %}
