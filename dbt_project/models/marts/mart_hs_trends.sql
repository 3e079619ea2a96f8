-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_case_groups') }}
{{ config(materialized='incremental', pre_hook="{{ delete_hs_trend_groups() }}") }}

-- One row per seizure month, seizing formation, HS level and code (seizure_month x
-- formation_code x hs_level x hs_code), over the live items of live cases
-- (fct_seizure_items).
--
-- An item counts at every level its code is known at: `section` (hs_section),
-- `chapter` (hs2), `heading` (hs4), `subheading` (hs6). So an UNKNOWN_CODE item whose
-- heading exists counts at heading, chapter and section but not subheading; a chapter-99
-- item counts at chapter (and heading) but has no section; an UNPARSEABLE item counts
-- nowhere. Per level, the values over all codes add up to the values of the items known
-- at that level.
--
-- n_cases              distinct live cases with such items; n_items the items.
-- value_pkr            sum of the items' value_pkr (missing values count 0).
-- value_pkr_last_year  value_pkr of the same formation, level and code in the same month
--                      a year before; 0 when nothing was seized under it then although the
--                      warehouse has data for that month (it is on or after the first
--                      seizure month of any live case); NULL when that month is before the
--                      warehouse's first seizure month, or the seizure month is unknown.
-- yoy_change_pct       100 * (value_pkr - value_pkr_last_year) / value_pkr_last_year;
--                      NULL when value_pkr_last_year is NULL, 0 or negative.
-- A code seized last year but not this year has no row this year (rows exist where
-- something was seized).
--
-- Rebuilt by formation and month, with the month a year later (macros/touched_groups.sql).
with items as (
    select seizure_month, formation_code, case_id, coalesce(value_pkr, 0) as value_pkr,
           hs_section, hs2, hs4, hs6
    from {{ ref('fct_seizure_items') }} as i
    {% if is_incremental() %}
    where {{ in_hs_trend_groups('i', hs_trend_source_groups()) }}
    {% endif %}
),

levels as (
    select seizure_month, formation_code, 'section' as hs_level, hs_section as hs_code, case_id, value_pkr
    from items where hs_section is not null
    union all
    select seizure_month, formation_code, 'chapter', hs2, case_id, value_pkr
    from items where hs2 is not null
    union all
    select seizure_month, formation_code, 'heading', hs4, case_id, value_pkr
    from items where hs4 is not null
    union all
    select seizure_month, formation_code, 'subheading', hs6, case_id, value_pkr
    from items where hs6 is not null
),

trends as (
    select
        seizure_month,
        formation_code,
        hs_level,
        hs_code,
        count(distinct case_id)                      as n_cases,
        count(*)                                     as n_items,
        sum(value_pkr)                               as value_pkr
    from levels
    group by seizure_month, formation_code, hs_level, hs_code
),

data_start as (
    select min(seizure_month) as first_month from {{ ref('fct_cases') }}
),

descriptions as (
    select 'section' as hs_level, section as hs_code, name as hs_description
    from {{ ref('hs_sections') }}
    union all
    select
        case hs_level when 2 then 'chapter' when 4 then 'heading' else 'subheading' end,
        hs_code,
        description
    from {{ ref('int_hs_nomenclature') }}
),

with_last_year as (
    select
        t.*,
        ly.value_pkr                                 as ly_value_pkr,
        ly.n_cases                                   as ly_n_cases,
        cast(t.seizure_month - interval 1 year as date) >= ds.first_month as has_last_year_data
    from trends as t
    cross join data_start as ds
    left join trends as ly
        on ly.seizure_month = cast(t.seizure_month - interval 1 year as date)
       and ly.formation_code is not distinct from t.formation_code
       and ly.hs_level = t.hs_level
       and ly.hs_code = t.hs_code
)

select
    w.seizure_month,
    w.formation_code,
    w.hs_level,
    w.hs_code,
    d.hs_description,
    w.n_cases,
    w.n_items,
    w.value_pkr,
    case
        when w.ly_value_pkr is not null then w.ly_value_pkr
        when w.has_last_year_data then 0
    end                                              as value_pkr_last_year,
    case
        when w.ly_value_pkr > 0 then 100.0 * (w.value_pkr - w.ly_value_pkr) / w.ly_value_pkr
    end                                              as yoy_change_pct,
    coalesce(w.ly_n_cases, case when w.has_last_year_data then 0 end) as n_cases_last_year
from with_last_year as w
left join descriptions as d
    on d.hs_level = w.hs_level
   and d.hs_code = w.hs_code
{% if is_incremental() %}
where {{ in_hs_trend_groups('w') }}
{% endif %}
