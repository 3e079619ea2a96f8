{#-
  Building blocks of int_dq_checks: each emits one SELECT producing the columns
  (source_table, source_pk, check_name, severity, detail). The rules themselves
  (which rows, which checks) are written out in int_dq_checks.
-#}

{#- A raw value quoted for a detail message: 'N/A', or NULL. -#}
{% macro dq_quote(col) -%}
    coalesce('''' || {{ col }} || '''', 'NULL')
{%- endmacro %}

{% macro dq_check(source_table, relation, pk, check_name, severity, condition, detail) -%}
    select
        '{{ source_table }}'                    as source_table,
        cast({{ pk }} as varchar)               as source_pk,
        '{{ check_name }}'                      as check_name,
        '{{ severity }}'                        as severity,
        cast({{ detail }} as varchar)           as detail
    from {{ relation }}
    where {{ condition }}
{%- endmacro %}

{#- Timestamp text present but not parseable: `<column>_raw` vs `<column>_utc`. -#}
{% macro dq_unparseable_timestamp(source_table, relation, pk, column, condition='true') -%}
    {{ dq_check(source_table, relation, pk, 'unparseable_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ is_unparsed(column ~ '_raw', column ~ '_utc'),
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' is not a timestamp'") }}
{%- endmacro %}

{#- Numeric text present but not a number (`<column>_raw` vs `<column>`), or a negative number. -#}
{% macro dq_bad_number(source_table, relation, pk, column, condition='true') -%}
    {{ dq_check(source_table, relation, pk, 'non_numeric_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ is_unparsed(column ~ '_raw', column),
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' is not a number (or is out of range)'") }}
    union all
    {{ dq_check(source_table, relation, pk, 'negative_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ column ~ ' < 0',
                "'" ~ column ~ " is negative: ' || " ~ column) }}
{%- endmacro %}

{#- A live child row whose case is deleted or missing: quarantined. -#}
{% macro dq_orphan(source_table, relation, pk) -%}
    {{ dq_check(source_table, relation, pk, 'parent_case_deleted', 'quarantined',
                "is_orphan and parent_case_state = 'deleted'",
                "'case ' || case_id || ' is deleted'") }}
    union all
    {{ dq_check(source_table, relation, pk, 'parent_case_missing', 'quarantined',
                "is_orphan and parent_case_state = 'missing'",
                "'case ' || " ~ dq_quote('case_id_raw') ~ " || ' does not exist'") }}
{%- endmacro %}
