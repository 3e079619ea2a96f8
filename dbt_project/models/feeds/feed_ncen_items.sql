-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Feed `ncen`, entity `items`, nominal: one row per live item of a live case
-- (fct_seizure_items), with the coded facts of the non-nominal feeds beside the text as typed.
-- offence_nature is the case's, for the mandate feeds' filter.
select
    cast(i.item_id as bigint)                   as item_id,
    cast(i.case_id as bigint)                   as case_id,
    cast(c.offence_nature as varchar)           as offence_nature,
    cast(i.formation_code as varchar)           as formation_code,
    cast(i.seizure_date as date)                as seizure_date,
    cast(i.hs_code_raw as varchar)              as hs_code_raw,
    cast(i.hs2 as varchar)                      as hs2,
    cast(i.hs4 as varchar)                      as hs4,
    cast(i.hs6 as varchar)                      as hs6,
    cast(i.hs_section as varchar)               as hs_section,
    cast(i.hs_code_status as varchar)           as hs_code_status,
    cast(f.commodity_group as varchar)          as commodity_group,
    cast(i.description as varchar)              as description,
    cast(i.quantity as decimal(18, 3))          as quantity,
    cast(i.unit as varchar)                     as unit,
    cast(i.unit_normalised as varchar)          as unit_normalised,
    cast(i.value_pkr as decimal(18, 2))         as value_pkr,
    cast(i.origin_country as varchar)           as origin_country,
    cast(i.concealment as varchar)              as concealment,
    cast(f.concealment_category as varchar)     as concealment_category,
    cast(i.is_notified_item as boolean)         as is_notified_item,
    cast(i.notified_category as varchar)        as notified_category
from {{ ref('fct_seizure_items') }} as i
inner join {{ ref('fct_cases') }} as c
    on c.case_id = i.case_id
left join {{ ref('feed__item_facts') }} as f
    on f.item_id = i.item_id
{% if is_incremental() %}
where {{ in_changed_cases('i.case_id') }}
{% endif %}
