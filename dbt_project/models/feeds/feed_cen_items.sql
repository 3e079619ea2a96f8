-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Feed `cen` (WCO CEN through n-CEN, may leave the country), entity `items`: one row per
-- live seizure item, non-nominal. case_id and item_id are here only for the feeds library,
-- which replaces them by case_ref / item_ref (keyed hashes, see pipelines/antismuggling/feeds)
-- before anything is written: no delivered file ever holds them.
select
    cast(f.case_id as bigint)                   as case_id,
    cast(f.item_id as bigint)                   as item_id,
    cast('PK' as varchar)                       as reporting_country,
    cast(f.seizure_date as date)                as seizure_date,
    cast(f.formation_code as varchar)           as formation_code,
    cast(f.seizure_place_kind as varchar)       as seizure_place_kind,
    cast(f.seizure_country as varchar)          as seizure_country,
    cast(f.origin_country as varchar)           as origin_country,
    cast(f.route_origin_country as varchar)     as route_origin_country,
    cast(f.destination_country as varchar)      as destination_country,
    cast(f.detection_method as varchar)         as detection_method,
    cast(f.offence_nature as varchar)           as offence_nature,
    cast(f.hs_code as varchar)                  as hs_code,
    cast(f.hs_level as varchar)                 as hs_level,
    cast(f.hs_code_status as varchar)           as hs_code_status,
    cast(f.commodity_group as varchar)          as commodity_group,
    cast(f.quantity as decimal(18, 3))          as quantity,
    cast(f.unit as varchar)                     as unit,
    cast(f.value_pkr as decimal(18, 2))         as value_pkr,
    cast(f.transport_mode as varchar)           as transport_mode,
    cast(f.concealment_category as varchar)     as concealment_category,
    cast(coalesce(p.n_offenders, 0) as bigint)  as n_offenders,
    cast(p.offender_nationalities as varchar)   as offender_nationalities,
    cast(p.offender_genders as varchar)         as offender_genders,
    cast(p.offender_age_bands as varchar)       as offender_age_bands
from {{ ref('feed__item_facts') }} as f
left join {{ ref('feed__case_persons_summary') }} as p
    on p.case_id = f.case_id
{% if is_incremental() %}
where {{ in_changed_cases('f.case_id') }}
{% endif %}
