{{ config(materialized='table') }}

-- The HS nomenclature the warehouse classifies against: the one loaded into
-- reference.hs_nomenclature when it has (valid) rows, else the project's compact seed.
-- Only levels 2, 4 and 6 with an all-digit code of that length are kept; a code that
-- lost its leading zero in a spreadsheet (`101` at level 4) is padded back.
-- The section of every code is the section of its chapter (roman numeral, known
-- sections only: chapter 99's `TOTAL` gives NULL).

with loaded as (
    select
        trim(section)                           as section,
        trim(hscode)                            as hs_code,
        trim(description)                       as description,
        trim(parent)                            as parent_code,
        try_cast(trim(level) as integer)        as hs_level
    from {{ source('reference', 'hs_nomenclature') }}
),

loaded_valid as (
    select
        section,
        lpad(hs_code, hs_level, '0')            as hs_code,
        description,
        parent_code,
        hs_level
    from loaded
    where hs_level in (2, 4, 6)
      and regexp_full_match(hs_code, '[0-9]+')
      and length(hs_code) <= hs_level
),

seed as (
    select
        trim(section)                           as section,
        trim(hscode)                            as hs_code,
        trim(description)                       as description,
        trim(parent)                            as parent_code,
        cast(trim(level) as integer)            as hs_level
    from {{ ref('hs_compact_nomenclature') }}
),

chosen as (
    select *, 'reference' as nomenclature_source from loaded_valid
    union all
    select *, 'compact_seed' as nomenclature_source from seed
    where not exists (select 1 from loaded_valid)
),

deduplicated as (
    select *
    from chosen
    qualify row_number() over (partition by hs_code order by description nulls last) = 1
),

chapters as (
    select hs_code as chapter, section
    from deduplicated
    where hs_level = 2
)

select
    n.hs_code,
    n.hs_level,
    n.description,
    n.parent_code,
    left(n.hs_code, 2)                          as chapter,
    s.section                                   as section,
    s.name                                      as section_name,
    n.nomenclature_source
from deduplicated as n
left join chapters as ch
    on ch.chapter = left(n.hs_code, 2)
left join {{ ref('hs_sections') }} as s
    on s.section = coalesce(ch.section, n.section)
