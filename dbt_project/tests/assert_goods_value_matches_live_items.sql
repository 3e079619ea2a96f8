-- fct_cases.goods_value_pkr / n_items equal the sum / count of the case's items in fct_seizure_items
-- (missing values count as 0); total = goods + vehicles.
with items as (
    select case_id, sum(coalesce(value_pkr, 0)) as goods_value_pkr, count(*) as n_items
    from {{ ref('fct_seizure_items') }}
    group by case_id
)

select c.case_id, c.goods_value_pkr, i.goods_value_pkr as items_value_pkr, c.n_items, i.n_items as items_n
from {{ ref('fct_cases') }} as c
left join items as i on i.case_id = c.case_id
where c.goods_value_pkr <> coalesce(i.goods_value_pkr, 0)
   or c.n_items <> coalesce(i.n_items, 0)
   or c.total_value_pkr <> c.goods_value_pkr + c.vehicle_value_pkr
