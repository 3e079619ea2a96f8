-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- One row per live item of a live case (orphans are quarantined in data_quality_issues).
select
    i.item_id,
    i.case_id,
    c.formation_code,
    c.seizure_date,
    {{ month_start('c.seizure_date') }}            as seizure_month,
    i.hs_code_raw,
    i.hs_digits,
    i.hs2,
    i.hs4,
    i.hs6,
    i.hs_section,
    i.hs_code_status,
    i.hs_description,
    i.description,
    i.quantity,
    i.unit,
    i.unit_normalised,
    i.value_pkr,
    i.origin_country,
    i.concealment,
    n.hs4 is not null                              as is_notified_item,
    n.category                                     as notified_category
from {{ ref('int_seizure_items_hs') }} as i
inner join {{ ref('stg_cases') }} as c
    on c.case_id = i.case_id
left join {{ ref('notified_headings') }} as n
    on n.hs4 = i.hs4
where i.is_live
{% if is_incremental() %}
and {{ in_changed_cases('i.case_id') }}
{% endif %}
