-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Every seizure item (deleted ones too), with the contract's HS normalisation,
-- the unit spelling normalised, and its liveness.
--
-- HS rule (marts contract, "HS code normalisation"):
--   1. strip every non-digit;
--   2. fewer than 4 digits -> UNPARSEABLE, and no hs2/hs4/hs6 at all (a 1- or 3-digit
--      string is not padded: `080` could be a truncated `0802` or `8000`);
--   3. odd length (5, 7, 9, ...) -> one leading `0` (a spreadsheet dropped it);
--   4. hs2 / hs4 / hs6 = first 2 / 4 / 6 digits, each kept only if that code exists at
--      that level in int_hs_nomenclature (hs6 only when there are at least 6 digits);
--   5. status: VALID (hs6 found); HEADING_ONLY (4 digits, heading found);
--      UNKNOWN_CODE (the most specific code typed is not in the nomenclature);
--   6. section = the section of the chapter (when hs2 is kept).
-- The rule runs once per distinct typed code, then joins back to the items.

with items as (
    select * from {{ ref('stg_seizure_items') }}
    {% if is_incremental() %}
    where {{ in_changed_cases('case_id') }}
    {% endif %}
),

nomenclature as (
    select * from {{ ref('int_hs_nomenclature') }}
),

typed_codes as (
    select distinct hs_code_raw from items
),

digits as (
    select
        hs_code_raw,
        {{ digits_only('hs_code_raw') }}       as typed_digits
    from typed_codes
),

normalised as (
    select
        hs_code_raw,
        case
            when length(typed_digits) < 4 then null
            when length(typed_digits) % 2 = 1 then '0' || typed_digits
            else typed_digits
        end                                     as hs_digits
    from digits
),

parsed_codes as (
    select
        c.hs_code_raw,
        c.hs_digits,
        ch.hs_code                              as hs2,
        hd.hs_code                              as hs4,
        sh.hs_code                              as hs6,
        ch.section                              as hs_section,
        coalesce(sh.description, hd.description, ch.description) as hs_description,
        case
            when c.hs_digits is null then 'UNPARSEABLE'
            when length(c.hs_digits) = 4 and hd.hs_code is not null then 'HEADING_ONLY'
            when length(c.hs_digits) >= 6 and sh.hs_code is not null then 'VALID'
            else 'UNKNOWN_CODE'
        end                                     as hs_code_status
    from normalised as c
    left join nomenclature as ch
        on ch.hs_level = 2 and ch.hs_code = left(c.hs_digits, 2)
    left join nomenclature as hd
        on hd.hs_level = 4 and hd.hs_code = left(c.hs_digits, 4)
    left join nomenclature as sh
        on sh.hs_level = 6 and length(c.hs_digits) >= 6 and sh.hs_code = left(c.hs_digits, 6)
),

typed_units as (
    select distinct
        unit,
        upper(regexp_replace(unit, '[^A-Za-z0-9]', '', 'g')) as unit_key
    from items
    where unit is not null
),

units as (
    select
        u.unit,
        coalesce(a.unit, nullif(u.unit_key, '')) as unit_normalised
    from typed_units as u
    left join {{ ref('unit_aliases') }} as a
        on a.alias = u.unit_key
)

select
    child.item_id,
    child.item_pk,
    child.case_id,
    child.case_id_raw,
    child.hs_code_raw,
    p.hs_digits,
    p.hs2,
    p.hs4,
    p.hs6,
    p.hs_section,
    p.hs_code_status,
    p.hs_description,
    child.description,
    child.quantity,
    child.quantity_raw,
    child.unit,
    u.unit_normalised,
    child.value_pkr,
    child.value_pkr_raw,
    child.origin_country,
    child.concealment,
    child.created_at_utc,
    child.created_at_raw,
    child.updated_at_utc,
    child.updated_at_raw,
    child.deleted_at_raw,
    child.is_deleted,
    {{ parent_case_state() }}                  as parent_case_state,
    {{ is_live_child() }}                      as is_live,
    {{ is_orphan_child() }}                    as is_orphan
from items as child
left join {{ ref('stg_cases') }} as parent_case
    on parent_case.case_id = child.case_id
left join parsed_codes as p
    on p.hs_code_raw is not distinct from child.hs_code_raw
left join units as u
    on u.unit = child.unit
