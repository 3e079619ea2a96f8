{#- Fails for every row where `expression` is not true (false or NULL), only among rows
    matching `where_clause`. `column_name` is ignored: attached to a column, the test still
    reads the whole row, so the expression may name several columns. -#}
{% test expression_is_true(model, expression, column_name=none, where_clause='true') %}
    select *
    from {{ model }}
    where ({{ where_clause }})
      and not coalesce(({{ expression }}), false)
{% endtest %}
