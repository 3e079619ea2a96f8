-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ forget_built_touches() }}") }}

-- The groups of cases the aggregate marts rebuild in an incremental build
-- (macros/touched_groups.sql), recorded before fct_cases is rebuilt: the seizure month,
-- formation and route of every changed case as the stored fct_cases has them, one row per
-- distinct group (is_group); and one row giving the stored fct_cases's first seizure month
-- (not is_group: mart_hs_trends's last-year figures depend on it). The groups those cases
-- fall in now are read from fct_cases itself. Kept until a build succeeds (like
-- int_touched_vehicles); empty in a build of everything.
{% set stored = stored_relation('fct_cases') %}
{% set group_types = {'seizure_month': 'date', 'formation_code': 'varchar', 'origin_location_id': 'bigint',
                      'seizure_location_id': 'bigint', 'destination_location_id': 'bigint'} %}
{% set no_group -%}
    {%- for column, type in group_types.items() %} cast(null as {{ type }}) as {{ column }}, {%- endfor %}
{%- endset %}
{% if is_incremental() and stored is not none %}
select distinct
    {{ pending_through_seq() }}                          as through_seq,
    false                                                as everything,
    true                                                 as is_group,
    {{ group_types.keys() | join(', ') }},
    cast(null as date)                                   as stored_first_month
from {{ stored }}
where {{ in_changed_cases('case_id') }}
union all
select {{ pending_through_seq() }}, false, false, {{ no_group }} (select min(seizure_month) from {{ stored }})
{% elif is_incremental() %}
-- the stored fct_cases is missing: every group is touched
select {{ pending_through_seq() }} as through_seq, true as everything, false as is_group, {{ no_group }}
       cast(null as date) as stored_first_month
{% else %}
select cast(null as bigint) as through_seq, false as everything, false as is_group, {{ no_group }}
       cast(null as date) as stored_first_month
where false
{% endif %}
