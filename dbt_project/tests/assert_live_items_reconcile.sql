-- Reconciliation: every live raw item (deleted_at holds no timestamp) is either in
-- fct_seizure_items or quarantined in data_quality_issues — exactly one of the two.
with live_raw as (
    select trim(item_id) as item_pk from {{ source('raw', 'seizure_items') }} where not {{ is_deleted('deleted_at') }}
),

in_mart as (
    select cast(item_id as varchar) as item_pk from {{ ref('fct_seizure_items') }}
),

quarantined as (
    select distinct source_pk as item_pk
    from {{ ref('data_quality_issues') }}
    where source_table = 'seizure_items' and severity = 'quarantined'
)

select r.item_pk, m.item_pk is not null as in_mart, q.item_pk is not null as is_quarantined
from live_raw as r
left join in_mart as m on m.item_pk = r.item_pk
left join quarantined as q on q.item_pk = r.item_pk
where (m.item_pk is null) = (q.item_pk is null)
union all
select m.item_pk, true, false
from in_mart as m
where m.item_pk not in (select item_pk from live_raw)
