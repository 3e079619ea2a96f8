{#-
  dbt's generic tests read the model they test through get_where_subquery (dbt's own: a
  test's `where` config). Here, in an incremental build, a test of a model rebuilt by key
  (config meta.rebuilt_by, beside the pre-hook that deletes those keys) reads only the rows
  that build rebuilt; the others stand as tested when they were built. The mart suites do the
  same (expectations meta.rebuilt_only). Every row is tested in a build of everything
  (--full-refresh), in the first build of a warehouse (no earlier build recorded in
  raw._build_state), and by `dbt test` outside a build.

  The rebuilt keys are read from the tables of this build (stg_changed_cases, the touched
  tables) by name, not by ref: a test's dependencies are fixed when the project is parsed.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set rebuilt = rebuilt_rows_only(relation) -%}
    {%- if rebuilt -%}{%- do conditions.append(rebuilt) -%}{%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The condition on the rows of `relation` an incremental build rebuilt; '' when every row is tested. -#}
{% macro rebuilt_rows_only(relation) -%}
    {%- if not execute or flags.WHICH != 'build' or flags.FULL_REFRESH -%}{{ return('') }}{%- endif -%}
    {%- set kind = none -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias == relation.identifier
                                          and node.schema == relation.schema and node.database == relation.database -%}
        {%- set kind = node.config.meta.get('rebuilt_by') -%}
        {%- if kind -%}{{ return(rebuilt_by(kind)) }}{%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{% macro rebuilt_by(kind) -%}
    {%- set build_state = adapter.get_relation(database=target.database, schema='raw', identifier='_build_state') -%}
    {%- set changed = stored_relation('stg_changed_cases') -%}
    {%- if build_state is none or changed is none -%}{{ return('') }}{%- endif -%}
    {%- set cases = case_in('case_id', changed, through_officers=kind == 'officer_cases') -%}
    {%- set touched = {'vehicles': ('int_touched_vehicles', 'vehicle_key'), 'offenders': ('int_touched_offenders', 'offender_key')} -%}
    {%- set base = kind.replace('_and_cases', '') -%}
    {%- if base in touched -%}
        {%- set table = stored_relation(touched[base][0]) -%}
        {%- if table is none -%}{{ return('') }}{%- endif -%}
        {%- set keys = key_in_touched(touched[base][1], table, touched[base][1]) -%}
        {%- set rows = '(' ~ keys ~ ' or ' ~ cases ~ ')' if kind.endswith('_and_cases') else keys -%}
    {%- elif kind in ('cases', 'officer_cases') -%}
        {%- set rows = cases -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("meta.rebuilt_by: unknown kind " ~ kind) }}
    {%- endif -%}
    {{ return('(not exists (select 1 from ' ~ build_state ~ ') or ' ~ rows ~ ')') }}
{%- endmacro %}
