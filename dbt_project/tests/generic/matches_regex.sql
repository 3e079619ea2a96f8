{#- Fails for every non-NULL value that does not match `regex` (RE2, full match when anchored). -#}
{% test matches_regex(model, column_name, regex) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and not regexp_matches({{ column_name }}, '{{ regex }}')
{% endtest %}
