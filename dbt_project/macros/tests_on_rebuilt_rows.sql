{#-
  dbt's generic tests read the model they test through get_where_subquery (dbt's own: a
  test's `where` config). Here, in an incremental build, a test of a model rebuilt by key
  (config meta.rebuilt_by, beside the pre-hook that deletes those keys) reads only the rows
  that build rebuilt; the others stand as tested when they were built. The mart suites do the
  same (expectations meta.rebuilt_only). Every row is tested in a build of everything
  (--full-refresh), in the first build of a warehouse (no earlier build recorded in
  raw._build_state), and by `dbt test` outside a build.

  The rows are those the model's pre-hook deleted (macros/changed_cases.sql, rebuilt_rows),
  read from the tables of this build by name, not by ref: a test's dependencies are fixed
  when the project is parsed.
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
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias == relation.identifier
                                          and node.schema == relation.schema and node.database == relation.database -%}
        {%- set kind = node.config.meta.get('rebuilt_by') -%}
        {%- if kind -%}{{ return(rebuilt_by(kind)) }}{%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#- Every row is tested before the first build, or before a table saying what was rebuilt exists. -#}
{% macro rebuilt_by(kind) -%}
    {%- set build_state = adapter.get_relation(database=target.database, schema='raw', identifier='_build_state') -%}
    {%- if build_state is none -%}{{ return('') }}{%- endif -%}
    {%- set needed = {'vehicles': ['int_touched_vehicles'], 'offenders': ['int_touched_offenders']}
                     .get(kind.replace('_and_cases', ''), []) + ['stg_changed_cases'] -%}
    {%- for name in needed -%}
        {%- if stored_relation(name) is none -%}{{ return('') }}{%- endif -%}
    {%- endfor -%}
    {{ return('(not exists (select 1 from ' ~ build_state ~ ') or ' ~ rebuilt_rows(kind, by_name=true) ~ ')') }}
{%- endmacro %}
