{#- The sorted distinct values of `expr` in each row's window `over` (e.g. `per_case`, a named
window partitioned by the group's key); the query keeps one row per group with
`qualify row_number() over <window> = 1`.

Why windows and not GROUP BY: DuckDB cannot spill the state of a list() aggregate, and at
10M cases the groups of officers, people and vehicles ran out of the build's memory; a window
partitions and sorts, and spills. -#}
{% macro sorted_distinct(expr, over) -%}
    list_sort(list_distinct(list({{ expr }}) over {{ over }}))
{%- endmacro %}

{#- The same, joined by ';' ('' when there is none). -#}
{% macro joined_distinct(expr, over) -%}
    array_to_string({{ sorted_distinct(expr, over) }}, ';')
{%- endmacro %}
