-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ forget_built_touches() }}") }}

-- The officer months mart_officer_performance rebuilds in an incremental build
-- (macros/touched_groups.sql), recorded before fct_officer_case_credits is rebuilt: the
-- officer and seizure month of every credit of a changed case (its own rows or its officers
-- changed) as the stored fct_officer_case_credits has them, one row per distinct pair. Those
-- credits now are read from fct_officer_case_credits itself. Kept until a build succeeds
-- (like int_touched_vehicles); empty in a build of everything.
{% set stored = stored_relation('fct_officer_case_credits') %}
{% if is_incremental() and stored is not none %}
select distinct
    {{ pending_through_seq() }}                          as through_seq,
    false                                                as everything,
    officer_id,
    seizure_month
from {{ stored }}
where {{ in_changed_cases('case_id', through_officers=true) }}
{% elif is_incremental() %}
-- the stored fct_officer_case_credits is missing: every officer month is touched
select {{ pending_through_seq() }} as through_seq, true as everything,
       cast(null as bigint) as officer_id, cast(null as date) as seizure_month
{% else %}
select cast(null as bigint) as through_seq, false as everything,
       cast(null as bigint) as officer_id, cast(null as date) as seizure_month
where false
{% endif %}
