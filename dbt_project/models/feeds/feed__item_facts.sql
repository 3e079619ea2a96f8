-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', database=target.database, schema='intermediate',
          pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- One row per live item of a live case with the coded facts the non-nominal feeds carry
-- (cen items, psw indicators; ncen items beside the text as typed). A table, built once for
-- the three feeds that read it, in the build database's intermediate schema so that
-- publication (which copies the feeds' database) leaves it out. Nothing typed in the store
-- passes through as typed: every text column is a code checked against a list, else
-- OTHER / unknown / NULL.
with items as (
    select * from {{ ref('fct_seizure_items') }}
    {% if is_incremental() %}
    where {{ in_changed_cases('case_id') }}
    {% endif %}
),

cases as (
    select * from {{ ref('fct_cases') }}
    {% if is_incremental() %}
    where {{ in_changed_cases('case_id') }}
    {% endif %}
),

locations as (
    select
        location_id,
        case
            when upper(trim(location_kind)) in (
                select code from {{ ref('feed_code_lists') }} where list_name = 'place_kind')
                then upper(trim(location_kind))
            when location_kind is not null then 'OTHER'
        end                                                     as place_kind,
        case when regexp_full_match(upper(trim(country)), '[A-Z]{2}') then upper(trim(country)) end
                                                                as country
    from {{ ref('dim_locations') }}
),

allowed_units as (
    select distinct unit as code from {{ ref('unit_aliases') }}
    union
    select code from {{ ref('feed_code_lists') }} where list_name = 'unit'
),

-- The WCO CEN commodity group: longest HS prefix of the most specific known code.
commodity as (
    select i.item_id, g.commodity_group
    from items as i
    inner join {{ ref('feed_hs_commodity_groups') }} as g
        on starts_with(coalesce(i.hs6, i.hs4, i.hs2), g.hs_prefix)
    qualify row_number() over (partition by i.item_id order by length(g.hs_prefix) desc) = 1
),

-- depends_on: {{ ref('feed_concealment_rules') }}
concealment as (
    select item_id, {{ concealment_category('lower(concealment)') }} as concealment_category
    from items
    where nullif(trim(concealment), '') is not null
),

-- UNECE Rec 19 mode of a case's conveyances: one mode, or 6 (multimodal) when they differ.
conveyance_modes as (
    select
        v.case_id,
        case when count(distinct m.transport_mode) = 1 then min(m.transport_mode) else '6' end as transport_mode
    from {{ ref('mart_vehicle_recidivism') }} as v
    inner join {{ ref('feed_transport_modes') }} as m
        on m.source = 'vehicle_type'
       and m.code = upper(trim(v.vehicle_type))
    where upper(trim(v.involvement)) in ('CONVEYANCE', 'BOTH')
    {% if is_incremental() %}
    and {{ in_changed_cases('v.case_id') }}
    {% endif %}
    group by v.case_id
),

place_modes as (
    select code as place_kind, transport_mode
    from {{ ref('feed_transport_modes') }}
    where source = 'place_kind'
)

select
    i.item_id,
    i.case_id,
    c.seizure_date,
    c.seizure_month,
    -- a formation code only when the formation is known to the store (reference data)
    case when c.formation_name is not null then c.formation_code end as formation_code,
    c.seizure_location_id,
    sl.place_kind                                               as seizure_place_kind,
    sl.country                                                  as seizure_country,
    coalesce(
        case when regexp_full_match(upper(trim(i.origin_country)), '[A-Z]{2}') then upper(trim(i.origin_country)) end,
        ol.country)                                             as origin_country,
    ol.country                                                  as route_origin_country,
    dl.country                                                  as destination_country,
    case
        when upper(trim(c.detection_method)) in {{ sql_list(detection_methods()) }} then upper(trim(c.detection_method))
        when c.detection_method is not null then 'OTHER'
    end                                                         as detection_method,
    case
        when upper(trim(c.offence_nature)) in {{ sql_list(offence_natures()) }} then upper(trim(c.offence_nature))
        when c.offence_nature is not null then 'OTHER'
    end                                                         as offence_nature,
    coalesce(i.hs6, i.hs4, i.hs2)                               as hs_code,
    case
        when i.hs6 is not null then 'subheading'
        when i.hs4 is not null then 'heading'
        when i.hs2 is not null then 'chapter'
    end                                                         as hs_level,
    i.hs_code_status,
    case
        when coalesce(i.hs6, i.hs4, i.hs2) is not null then coalesce(cg.commodity_group, 'OTHER_REVENUE')
        when upper(trim(c.offence_nature)) = 'NARCOTICS' then 'DRUGS'
        when upper(trim(c.offence_nature)) = 'CURRENCY' then 'CURRENCY'
        else 'OTHER_REVENUE'
    end                                                         as commodity_group,
    i.quantity,
    case
        when i.unit_normalised is null then null
        when i.unit_normalised in (select code from allowed_units) then i.unit_normalised
        else 'OTHER'
    end                                                         as unit,
    i.value_pkr,
    coalesce(cm.transport_mode, pm.transport_mode, '9')         as transport_mode,
    case
        when nullif(trim(i.concealment), '') is null then 'UNKNOWN'
        else coalesce(cc.concealment_category, 'OTHER')
    end                                                         as concealment_category
from items as i
inner join cases as c
    on c.case_id = i.case_id
left join locations as sl on sl.location_id = c.seizure_location_id
left join locations as ol on ol.location_id = c.origin_location_id
left join locations as dl on dl.location_id = c.destination_location_id
left join commodity as cg on cg.item_id = i.item_id
left join concealment as cc on cc.item_id = i.item_id
left join conveyance_modes as cm on cm.case_id = i.case_id
left join place_modes as pm on pm.place_kind = sl.place_kind
