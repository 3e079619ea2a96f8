{#-
  Building blocks of int_dq_checks: each emits one SELECT producing the columns
  (source_table, source_pk, check_name, severity, detail, case_id) from a relation with a
  case_id column (NULL where rows belong to no case). The rules themselves (which rows,
  which checks) are written out in int_dq_checks.
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
        cast({{ detail }} as varchar)           as detail,
        case_id
    from {{ relation }}
    where {{ condition }}
{%- endmacro %}

{#-
  Every check of a date or timestamp column, in one pass: the staged value (`<column>_utc`
  for timestamps, `<column>` for dates) is NULL although text was typed (or the contract
  requires one), and the text (`<column>_raw`) tells which check it is:
    missing_<column>      nothing typed (only when `required`);
    unparseable_<column>  text that is no date;
    implausible_<column>  a date outside plausible_date_range(kind): staging left it NULL.
  Only the few rows whose value is NULL are parsed again, to name the check.
-#}
{% macro dq_date_checks(source_table, relation, pk, column, type='timestamp', kind='event', condition='true', required=false) -%}
    {%- set raw = column ~ '_raw' -%}
    {%- set read = read_utc_timestamp(raw) if type == 'timestamp' else read_date(raw) -%}
    {%- set staged = column ~ '_utc' if type == 'timestamp' else column -%}
    select
        '{{ source_table }}'                    as source_table,
        cast({{ pk }} as varchar)               as source_pk,
        case
            when {{ clean_text(raw) }} is null then 'missing_{{ column }}'
            when {{ read }} is null then 'unparseable_{{ column }}'
            else 'implausible_{{ column }}'
        end                                     as check_name,
        'flagged'                               as severity,
        case
            when {{ clean_text(raw) }} is null then '{{ column }} is missing'
            when {{ read }} is null then '{{ column }} ' || {{ dq_quote(raw) }} || ' is not a {{ type }}'
            else '{{ column }} ' || {{ dq_quote(raw) }} || ' is outside the plausible dates {{ plausible_date_range_text(kind) }}: left empty'
        end                                     as detail,
        case_id
    from {{ relation }}
    where ({{ condition }})
      and {{ staged }} is null
      {%- if not required %}
      and {{ clean_text(raw) }} is not null
      {%- endif %}
{%- endmacro %}

{#- The audit timestamps of a row (created_at, updated_at: both required) and, for a table
    whose rows can be removed, a deleted_at typed on a live row: it is no timestamp (one
    would have made the row deleted), and the row counts as live. -#}
{% macro dq_audit_checks(source_table, relation, pk, condition='true', deletable=true) -%}
    {{ dq_date_checks(source_table, relation, pk, 'created_at', condition=condition, required=true) }}
    union all
    {{ dq_date_checks(source_table, relation, pk, 'updated_at', condition=condition, required=true) }}
    {%- if deletable %}
    union all
    {{ dq_check(source_table, relation, pk, 'unparseable_deleted_at', 'flagged',
                '(' ~ condition ~ ') and not is_deleted and ' ~ clean_text('deleted_at_raw') ~ ' is not null',
                "'deleted_at ' || " ~ dq_quote('deleted_at_raw') ~ " || ' is not a timestamp: the row counts as live'") }}
    {%- endif %}
{%- endmacro %}

{#- Numeric text present but not a number (`<column>_raw` vs `<column>`), a negative number,
    or one with more decimals than `scale` (kept rounded; see parse_decimal). -#}
{% macro dq_bad_number(source_table, relation, pk, column, condition='true', scale=none) -%}
    {%- set scale = money_scale() if scale is none else scale -%}
    {{ dq_check(source_table, relation, pk, 'non_numeric_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ is_unparsed(column ~ '_raw', column),
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' is not a number (or is out of range)'") }}
    union all
    {{ dq_check(source_table, relation, pk, 'negative_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ column ~ ' < 0',
                "'" ~ column ~ " is negative: ' || " ~ column) }}
    union all
    {{ dq_check(source_table, relation, pk, 'excess_precision_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ has_excess_precision(column ~ '_raw', column, scale),
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' has more than " ~ scale
                ~ " decimals: kept as ' || " ~ column) }}
{%- endmacro %}

{#- Integer text present but no integer (`1.5`, `1e3`): the column is NULL. -#}
{% macro dq_non_integer(source_table, relation, pk, column, condition='true') -%}
    {{ dq_check(source_table, relation, pk, 'non_integer_' ~ column, 'flagged',
                '(' ~ condition ~ ') and ' ~ is_unparsed(column ~ '_raw', column),
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' is not an integer: left empty'") }}
{%- endmacro %}

{#- A coordinate typed that is no number, or no place on Earth (staging left it NULL). -#}
{% macro dq_bad_coordinate(source_table, relation, pk, column) -%}
    {{ dq_check(source_table, relation, pk, 'non_numeric_' ~ column, 'flagged',
                is_unparsed(column ~ '_raw', parse_double(column ~ '_raw')),
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' is not a number'") }}
    union all
    {{ dq_check(source_table, relation, pk, 'out_of_range_' ~ column, 'flagged',
                parse_double(column ~ '_raw') ~ ' is not null and ' ~ column ~ ' is null',
                "'" ~ column ~ " ' || " ~ dq_quote(column ~ '_raw') ~ " || ' is beyond +/-" ~ coordinate_limit(column)
                ~ " degrees: left empty'") }}
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
