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
      {{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
                meta={"rebuilt_by": "cases"}) }}
  (rebuilt_rows: what each kind deletes; the model's dbt tests read the same rows) and
  restricts its driving rows with {% if is_incremental() %} where {{ in_changed_cases('x.case_id') }} {% endif %}.
  A child row whose case_id cannot be parsed (NULL) belongs to the NULL case, which is changed
  when any such row changed.

  A changed officer or posting changes what the models reading officers or postings hold for
  the officer's cases (int_case_officers, fct_officer_case_credits, the case_officers checks
  of int_dq_checks), not the rest of those cases: those models pass through_officers=true to
  rebuild them too; every other model rebuilds the cases whose own rows changed.
-#}
{% macro in_changed_cases(case_id, through_officers=false) -%}
    (exists (select 1 from {{ source('raw', 'changed_keys') }} where kind = 'all')
     or {{ case_in(case_id, ref('stg_changed_cases'), through_officers) }})
{%- endmacro %}

{#- in_changed_cases of the case id a raw text `column` reads as (parse_int), for a staging
    model's scan of a whole raw table: try_cast first, which is cheaper than parse_int's
    pattern and reads the same number wherever parse_int reads one. -#}
{% macro raw_in_changed_cases(column) -%}
    {%- set cases -%}
        select case_id from {{ ref('stg_changed_cases') }} where rows_changed
    {%- endset -%}
    (exists (select 1 from {{ source('raw', 'changed_keys') }} where kind = 'all')
     or ((try_cast(trim({{ column }}) as bigint) in ({{ cases }}) or exists ({{ cases }} and case_id is null))
         and {{ case_in(parse_int(column), ref('stg_changed_cases')) }}))
{%- endmacro %}

{#- `case_id` is one of the cases of `changed` (stg_changed_cases, by ref or by name). -#}
{% macro case_in(case_id, changed, through_officers=false) -%}
    {%- set cases -%}
        select case_id from {{ changed }} where {{ 'true' if through_officers else 'rows_changed' }}
    {%- endset -%}
    ({{ case_id }} in ({{ cases }} and case_id is not null)
     or ({{ case_id }} is null and exists ({{ cases }} and case_id is null)))
{%- endmacro %}

{#- The rows of raw `table` with a timestamp (on its PKT date) or a date typed from
    `first_day` to `last_day` (Python dates; stg_changed_cases). -#}
{% macro typed_in_date_window(table, timestamp_columns, date_columns, first_day, last_day) -%}
    {%- set conditions = [] -%}
    {%- for col in timestamp_columns -%}
        {%- do conditions.append(is_utc_timestamp_on_pkt_days(read_utc_timestamp(col), first_day, last_day)) -%}
    {%- endfor -%}
    {%- for col in date_columns -%}
        {%- do conditions.append(read_date(col) ~ " between date '" ~ first_day.isoformat() ~ "' and date '"
                                 ~ last_day.isoformat() ~ "'") -%}
    {%- endfor -%}
    from {{ source('raw', table) }}
    where {{ conditions | join('\n       or ') }}
{%- endmacro %}

{#- Pre-hook of a model rebuilt by key: it deletes the rows rebuilt_rows gives for the model's
    meta.rebuilt_by; the model inserts them again from its own select, restricted alike. -#}
{% macro delete_rebuilt_rows() -%}
    {% if is_incremental() %}
        delete from {{ this }} where {{ rebuilt_rows(config.get('meta')['rebuilt_by']) }}
    {% endif %}
{%- endmacro %}

{#- The rows a model rebuilt by key (config meta.rebuilt_by) rebuilds in an incremental build:
      cases                the changed cases' rows (case_id);
      officer_cases        also the cases of changed officers (models reading officers);
      vehicles, offenders  the rows of the touched vehicles (vehicle_key) or people
                           (offender_key): rows depending on their vehicle or person alone;
      ..._and_cases        those and the changed cases' rows.
    The tables saying which are read by ref, or with `by_name` by name (the dbt tests:
    macros/tests_on_rebuilt_rows.sql), where the `all` record (a build of everything) needs no
    reading either. -#}
{% macro rebuilt_rows(kind, by_name=false) -%}
    {%- set relation = stored_relation if by_name else ref -%}
    {%- set base = kind.replace('_and_cases', '') -%}
    {%- set touched = {'vehicles': ('int_touched_vehicles', 'vehicle_key'),
                       'offenders': ('int_touched_offenders', 'offender_key')} -%}
    {%- if base in ('cases', 'officer_cases') or kind.endswith('_and_cases') -%}
        {%- set cases = case_in('case_id', relation('stg_changed_cases'), through_officers=kind == 'officer_cases') -%}
    {%- endif -%}
    {%- if base in touched -%}
        {%- set model, key = touched[base] -%}
        {%- set keys = key_in_touched(key, relation(model), key) -%}
        {%- set rows = '(' ~ keys ~ ' or ' ~ cases ~ ')' if kind.endswith('_and_cases') else keys -%}
    {%- elif kind in ('cases', 'officer_cases') -%}
        {%- set rows = cases -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("meta.rebuilt_by: unknown kind " ~ kind) }}
    {%- endif -%}
    {%- if by_name -%}{{ return(rows) }}{%- endif -%}
    {{ return("(exists (select 1 from " ~ source('raw', 'changed_keys') ~ " where kind = 'all') or " ~ rows ~ ")") }}
{%- endmacro %}

{#- `and <case_id> in the changed cases` in an incremental build; nothing otherwise. -#}
{% macro changed_cases_only(case_id, through_officers=false) -%}
    {% if is_incremental() %} and {{ in_changed_cases(case_id, through_officers) }} {% endif %}
{%- endmacro %}

{#- mart_case_status_history: the cases whose snapshot rows this build wrote (a new or closed
    version: its times are after the build started) or the snapshot's pre-hook clamped to
    the build's start (macros/case_status_history.sql), and the changed cases (their number
    and formation). A case's versions depend on its snapshot rows alone. -#}
{% macro in_recorded_case_versions(case_id) -%}
    ({{ in_changed_cases(case_id) }}
     or {{ case_id }} in (
        select case_id from {{ ref('snap_case_status') }}
        where greatest(dbt_valid_from, dbt_valid_to, dbt_updated_at, status_recorded_at) >= {{ run_started_utc() }}))
{%- endmacro %}

{% macro delete_recorded_case_versions() -%}
    {% if is_incremental() %}
        delete from {{ this }} where {{ in_recorded_case_versions('case_id') }}
    {% endif %}
{%- endmacro %}

{#- int_dq_checks: the issues of the changed cases' rows, and those checked over every row
    each build (a case_no shared across cases; officers, postings, locations). -#}
{% macro delete_changed_dq_checks() -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where {{ in_changed_cases('case_id') }}
           or (source_table = 'case_officers' and {{ in_changed_cases('case_id', through_officers=true) }})
           or source_table in ('officers', 'officer_postings', 'locations')
           or check_name = 'duplicate_case_no'
    {% endif %}
{%- endmacro %}

{#- Models whose rows reach beyond their case (a vehicle's rows, a person's cases) rebuild the
    vehicles and people the changed cases touch, as they were and as they are. What they were
    is known only before the marts holding it are rebuilt, so int_touched_vehicles and
    int_touched_offenders record it first, and keep it until a build has succeeded: a build
    that fails after rebuilding a mart and before its dimensions leaves the next one what the
    mart held before the first attempt (its changed keys are kept as well; see
    forget_built_touches). A touched table holding a row whose key is NULL and
    `everything` true stands for every key (a stored mart was missing). -#}

{#- The stored table of model or snapshot `name`, read without a ref (the model reading it
    runs before it); none when it does not exist yet. -#}
{% macro stored_relation(name) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'snapshot') and node.name == name -%}
        {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no model or snapshot named " ~ name) }}
{%- endmacro %}

{#- The last change record this build takes in; a touched row remembers it. -#}
{% macro pending_through_seq() -%}
    (select coalesce(max(seq), 0) from {{ source('raw', 'changed_keys') }})
{%- endmacro %}

{#- Pre-hook of the touched tables: forget what builds that succeeded took in (their change
    records are gone: a success clears every record up to its last). -#}
{% macro forget_built_touches() -%}
    {% if is_incremental() %}
        delete from {{ this }}
        where through_seq < (select coalesce(min(seq), 9223372036854775807) from {{ source('raw', 'changed_keys') }})
    {% endif %}
{%- endmacro %}

{% macro in_touched(key, touched_model, key_column) -%}
    {{ key_in_touched(key, ref(touched_model), key_column) }}
{%- endmacro %}

{#- `key` is one of the keys of `touched` (a touched table, by ref or by name). -#}
{% macro key_in_touched(key, touched, key_column) -%}
    (exists (select 1 from {{ touched }} where everything)
     or {{ key }} in (select {{ key_column }} from {{ touched }} where {{ key_column }} is not null))
{%- endmacro %}

{% macro in_touched_vehicles(vehicle_key) -%}
    {{ in_touched(vehicle_key, 'int_touched_vehicles', 'vehicle_key') }}
{%- endmacro %}

{% macro in_touched_offenders(offender_key) -%}
    {{ in_touched(offender_key, 'int_touched_offenders', 'offender_key') }}
{%- endmacro %}
