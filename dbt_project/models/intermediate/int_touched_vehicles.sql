-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_vehicle_components') }}
-- depends_on: {{ ref('int_case_vehicle_identity') }}
{{ config(materialized='incremental', pre_hook="{{ forget_built_touches() }}") }}

-- The vehicles an incremental build rebuilds (macros/changed_cases.sql), recorded before
-- mart_vehicle_recidivism is: every vehicle a row of a changed case belongs to, as stored in
-- the mart and as it resolves now (int_vehicle_components), and every vehicle a row of any
-- case now resolves to other than the mart says (a merge or split reaches rows of unchanged
-- cases), under both keys. One row per such vehicle key and case having a row of it, stored
-- or now: the people of those cases are touched too (dim_offenders counts their vehicles).
-- Empty in a build of everything.
{% set stored = stored_relation('mart_vehicle_recidivism') %}
{% if is_incremental() and stored is not none %}
with stored as (
    select t.case_id, t.vehicle_key as stored_key, 'V' || comp.vehicle_root_id as current_key
    from {{ stored }} as t
    left join {{ ref('int_vehicle_components') }} as comp
        on comp.case_vehicle_id = t.case_vehicle_id
),

current_rows as (
    select i.case_id, 'V' || comp.vehicle_root_id as current_key
    from {{ ref('int_case_vehicle_identity') }} as i
    inner join {{ ref('int_vehicle_components') }} as comp
        on comp.case_vehicle_id = i.case_vehicle_id
),

moved as (
    select stored_key, current_key from stored
    where {{ in_changed_cases('case_id') }} or current_key is distinct from stored_key
),

touched_keys as (
    select stored_key as vehicle_key from moved
    union
    select current_key from moved where current_key is not null
    union
    select current_key from current_rows where {{ in_changed_cases('case_id') }}
)

select distinct
    {{ pending_through_seq() }}                          as through_seq,
    false                                                as everything,
    k.vehicle_key,
    r.case_id
from touched_keys as k
inner join (
    select stored_key as vehicle_key, case_id from stored
    union all
    select current_key, case_id from current_rows
) as r
    on r.vehicle_key = k.vehicle_key
{% elif is_incremental() %}
-- the stored mart is missing: every vehicle is touched
select {{ pending_through_seq() }} as through_seq, true as everything,
       cast(null as varchar) as vehicle_key, cast(null as bigint) as case_id
{% else %}
select cast(null as bigint) as through_seq, false as everything,
       cast(null as varchar) as vehicle_key, cast(null as bigint) as case_id
where false
{% endif %}
