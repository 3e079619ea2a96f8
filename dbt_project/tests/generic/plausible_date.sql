{#- Fails for every value of the column outside plausible_date_range(kind) (macros/parsing.sql):
    no implausible date may reach a mart. `type`: 'date' (a DATE column) or 'timestamp' (a
    UTC TIMESTAMP column, judged by its PKT date). NULL passes. -#}
{% test plausible_date(model, column_name, kind='event', type='date') %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and not {% if type == 'timestamp' -%}
          {{ is_plausible_utc_timestamp(column_name, kind) }}
      {%- else -%}
          {{ is_plausible_date(column_name, kind) }}
      {%- endif %}
{% endtest %}
