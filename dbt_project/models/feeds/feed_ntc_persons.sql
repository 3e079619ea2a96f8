-- depends_on: {{ ref('int_touched_offenders') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "offenders"}) }}

-- Feed `ntc`, entity `persons`, nominal: one row per resolved person (dim_offenders: valid
-- CNIC) in at least two live cases, with counts, formations, roles, first and last seen,
-- and the particulars typed on their latest case (latest seizure date, then the highest
-- case_id and case_person_id); names_seen lists every spelling of the name. A row depends
-- only on the person's rows: an incremental build rebuilds the touched people
-- (int_touched_offenders, macros/changed_cases.sql).
with offenders as (
    select * from {{ ref('dim_offenders') }} where n_cases >= 2
    {% if is_incremental() %}
    and {{ in_touched_offenders('offender_key') }}
    {% endif %}
),

rows_ as (
    select p.*, c.case_no
    from {{ ref('fct_case_persons') }} as p
    inner join {{ ref('fct_cases') }} as c
        on c.case_id = p.case_id
    where p.offender_key in (select offender_key from offenders)
),

lists as (
    select
        offender_key,
        nullif({{ joined_distinct('formation_code', 'per_offender') }}, '')                    as formations,
        nullif({{ joined_distinct("nullif(trim(passport_no), '')", 'per_offender') }}, '')     as passports_seen
    from rows_
    window per_offender as (partition by offender_key)
    qualify row_number() over per_offender = 1
),

latest as (
    select *
    from rows_
    qualify row_number() over (
        partition by offender_key order by seizure_date desc nulls last, case_id desc, case_person_id desc) = 1
)

select
    cast(o.offender_key as varchar)             as offender_key,
    cast(o.cnic as varchar)                     as cnic,
    cast(l.full_name as varchar)                as full_name,
    cast(l.father_name as varchar)              as father_name,
    cast(array_to_string(o.names_seen, ';') as varchar) as names_seen,
    cast(li.passports_seen as varchar)          as passports_seen,
    cast(l.gender as varchar)                   as gender,
    cast(l.date_of_birth as date)               as date_of_birth,
    cast(l.nationality as varchar)              as nationality,
    cast(l.home_district as varchar)            as home_district,
    cast(array_to_string(o.roles, ';') as varchar) as roles,
    cast(o.n_cases as bigint)                   as n_cases,
    cast(o.n_formations as bigint)              as n_formations,
    cast(li.formations as varchar)              as formations,
    cast(o.first_seen_date as date)             as first_seen_date,
    cast(o.last_seen_date as date)              as last_seen_date,
    cast(o.total_value_pkr as decimal(38, 2))   as total_value_pkr,
    cast(o.n_co_offenders as bigint)            as n_co_offenders,
    cast(o.n_vehicles as bigint)                as n_vehicles,
    cast(l.case_id as bigint)                   as latest_case_id,
    cast(l.case_no as varchar)                  as latest_case_no,
    cast(l.seizure_date as date)                as latest_seizure_date,
    cast(l.formation_code as varchar)           as latest_formation_code,
    cast(l.role as varchar)                     as latest_role
from offenders as o
left join lists as li on li.offender_key = o.offender_key
left join latest as l on l.offender_key = o.offender_key
