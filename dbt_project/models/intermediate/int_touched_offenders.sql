-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_case_persons_cnic') }}
-- depends_on: {{ ref('int_touched_vehicles') }}
{{ config(materialized='incremental', pre_hook="{{ forget_built_touches() }}") }}

-- The resolved people an incremental build rebuilds (macros/changed_cases.sql), recorded
-- before fct_case_persons is: every person a changed case names, as stored in fct_case_persons
-- and as now (int_case_persons_cnic), and every person of a case with a row of a touched
-- vehicle (int_touched_vehicles: dim_offenders counts a person's distinct vehicles). One row
-- per offender_key. Empty in a build of everything.
{% set stored = stored_relation('fct_case_persons') %}
{% if is_incremental() and stored is not none %}
select distinct
    {{ pending_through_seq() }}                          as through_seq,
    false                                                as everything,
    offender_key
from (
    select offender_key from {{ stored }}
    where {{ in_changed_cases('case_id') }}
    union all
    select {{ offender_key('cnic') }} from {{ ref('int_case_persons_cnic') }}
    where {{ in_changed_cases('case_id') }} and cnic is not null
    union all
    select {{ offender_key('cnic') }} from {{ ref('int_case_persons_cnic') }}
    where cnic is not null and {{ in_touched('case_id', 'int_touched_vehicles', 'case_id') }}
)
where offender_key is not null
{% elif is_incremental() %}
-- the stored fct_case_persons is missing: every person is touched
select {{ pending_through_seq() }} as through_seq, true as everything, cast(null as varchar) as offender_key
{% else %}
select cast(null as bigint) as through_seq, false as everything, cast(null as varchar) as offender_key
where false
{% endif %}
