{#-
  Case-scoped incremental models: a build rebuilds only the cases the loads changed since the
  last successful build (stg_changed_cases; recorded by pipelines/antismuggling/changes.py).

  What a case-scoped model holds for a case depends only on the source rows of that case (the
  case, its items, vehicles, persons and officer rows) and on tables no case key reaches
  (officers and postings are reached through case_officers; a change to anything else records
  `all`). So an incremental build deletes the changed cases' rows (the pre-hook, in the
  model's transaction: a failed step leaves the table as it was) and inserts them again from
  the same select, restricted to those cases. When `all` is recorded, every case is changed
  (the pipeline then runs --full-refresh, which builds the same tables from scratch).

  A model opts in with:
      -- depends_on: {{ ref('stg_changed_cases') }}
      {{ config(materialized='incremental', pre_hook="{{ delete_changed_cases() }}") }}
  and restricts its driving rows with {% if is_incremental() %} where {{ in_changed_cases('x.case_id') }} {% endif %}.
  A child row whose case_id cannot be parsed (NULL) belongs to the NULL case, which is changed
  when any such row changed.
-#}
{% macro in_changed_cases(case_id) -%}
    (exists (select 1 from {{ source('raw', 'changed_keys') }} where kind = 'all')
     or {{ case_id }} in (select case_id from {{ ref('stg_changed_cases') }} where case_id is not null)
     or ({{ case_id }} is null
         and exists (select 1 from {{ ref('stg_changed_cases') }} where case_id is null)))
{%- endmacro %}

{% macro delete_changed_cases() -%}
    {% if is_incremental() %}
        delete from {{ this }} where {{ in_changed_cases('case_id') }}
    {% endif %}
{%- endmacro %}

{#- fct_case_persons reaches beyond its case: is_repeat_appearance compares every case of the
    person. Its pre-hook also deletes every row of each person a changed case names, as it
    was (in the table) and as it is (in int_case_persons_cnic); the model inserts again the
    live persons whose offender_key is then missing from the table. -#}
{% macro delete_changed_case_persons() -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where {{ in_changed_cases('case_id') }}
           or offender_key in (
               select offender_key from {{ this }}
               where {{ in_changed_cases('case_id') }} and offender_key is not null
               union
               select {{ offender_key('cnic') }} from {{ ref('int_case_persons_cnic') }}
               where {{ in_changed_cases('case_id') }} and cnic is not null)
    {% endif %}
{%- endmacro %}

{#- mart_vehicle_recidivism reaches beyond its case: a row depends on every row of its vehicle
    (int_vehicle_components). Its pre-hook deletes every row of each vehicle that a changed
    case's vehicle, or a row now resolving to another vehicle (or to none), belongs to, as
    stored and as now: so a vehicle's rows are all there, or all gone and inserted again. -#}
{% macro delete_changed_vehicles() -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where vehicle_key in (
            with stored as (
                select t.case_id, t.vehicle_key as stored_key, 'V' || comp.vehicle_root_id as current_key
                from {{ this }} as t
                left join {{ ref('int_vehicle_components') }} as comp
                    on comp.case_vehicle_id = t.case_vehicle_id
            ),

            touched as (
                select stored_key, current_key from stored
                where {{ in_changed_cases('case_id') }} or current_key is distinct from stored_key
            )

            select stored_key from touched
            union
            select current_key from touched where current_key is not null
            union
            select 'V' || comp.vehicle_root_id
            from {{ ref('int_case_vehicle_identity') }} as i
            inner join {{ ref('int_vehicle_components') }} as comp
                on comp.case_vehicle_id = i.case_vehicle_id
            where {{ in_changed_cases('i.case_id') }})
    {% endif %}
{%- endmacro %}
