-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_case_groups') }}
{{ config(materialized='incremental', pre_hook="{{ delete_touched_case_groups(route_group()) }}") }}

-- One row per seizure month and route (seizure_month x origin_location_id x
-- seizure_location_id x destination_location_id), over the live cases (fct_cases). A
-- location id is NULL where the case does not give it; NULLs group together. An id that
-- is not a known location is kept as typed (flagged in data_quality_issues) with NULL
-- name, kind and coordinates.
--
-- top_hs2: the HS chapter with the largest summed item value_pkr (missing values 0) among
-- the flow's live items with a known chapter; ties go to the chapter with more items, then
-- the smallest code. NULL when no item of the flow has a known chapter.
--
-- Rebuilt by route and month (macros/touched_groups.sql).
with cases as (
    select * from {{ ref('fct_cases') }} as c
    {% if is_incremental() %}
    where {{ in_touched_case_groups('c', route_group()) }}
    {% endif %}
),

flows as (
    select
        seizure_month,
        origin_location_id,
        seizure_location_id,
        destination_location_id,
        count(*)                                     as n_cases,
        sum(total_value_pkr)                         as total_value_pkr,
        sum(goods_value_pkr)                         as goods_value_pkr,
        sum(vehicle_value_pkr)                       as vehicle_value_pkr,
        sum(n_items)                                 as n_items,
        sum(n_vehicles)                              as n_vehicles
    from cases
    group by seizure_month, origin_location_id, seizure_location_id, destination_location_id
),

chapters as (
    select
        c.seizure_month,
        c.origin_location_id,
        c.seizure_location_id,
        c.destination_location_id,
        i.hs2,
        sum(coalesce(i.value_pkr, 0))                as hs2_value_pkr,
        count(*)                                     as hs2_n_items
    from {{ ref('fct_seizure_items') }} as i
    inner join cases as c
        on c.case_id = i.case_id
    where i.hs2 is not null
    group by all
),

top_chapter as (
    select *
    from chapters
    qualify row_number() over (
        partition by seizure_month, origin_location_id, seizure_location_id, destination_location_id
        order by hs2_value_pkr desc, hs2_n_items desc, hs2 asc) = 1
),

locations as (
    select location_id, location_name, location_kind, country, latitude, longitude
    from {{ ref('dim_locations') }}
),

hs_chapters as (
    select hs_code, description from {{ ref('int_hs_nomenclature') }} where hs_level = 2
)

select
    f.seizure_month,
    f.origin_location_id,
    f.seizure_location_id,
    f.destination_location_id,
    f.n_cases,
    f.total_value_pkr,
    t.hs2                                            as top_hs2,
    t.hs2_value_pkr                                  as top_hs2_value_pkr,
    hc.description                                   as top_hs2_description,
    f.goods_value_pkr,
    f.vehicle_value_pkr,
    f.n_items,
    f.n_vehicles,
    o.location_name                                  as origin_name,
    o.location_kind                                  as origin_kind,
    o.country                                        as origin_country,
    o.latitude                                       as origin_latitude,
    o.longitude                                      as origin_longitude,
    s.location_name                                  as seizure_location_name,
    s.location_kind                                  as seizure_location_kind,
    s.country                                        as seizure_location_country,
    s.latitude                                       as seizure_location_latitude,
    s.longitude                                      as seizure_location_longitude,
    d.location_name                                  as destination_name,
    d.location_kind                                  as destination_kind,
    d.country                                        as destination_country,
    d.latitude                                       as destination_latitude,
    d.longitude                                      as destination_longitude
from flows as f
left join top_chapter as t
    on t.seizure_month is not distinct from f.seizure_month
   and t.origin_location_id is not distinct from f.origin_location_id
   and t.seizure_location_id is not distinct from f.seizure_location_id
   and t.destination_location_id is not distinct from f.destination_location_id
left join hs_chapters as hc on hc.hs_code = t.hs2
left join locations as o on o.location_id = f.origin_location_id
left join locations as s on s.location_id = f.seizure_location_id
left join locations as d on d.location_id = f.destination_location_id
