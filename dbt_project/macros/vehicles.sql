{#-
  Vehicle identity, the marts contract's "Vehicle identity" rule, written once.
  normalised_vehicle_identifier(col, kind): upper-case, every non-alphanumeric character
  dropped; NULL (missing) when the result is empty, a placeholder
  (domains.sql: vehicle_identifier_placeholders) or shorter than the kind's minimum
  (chassis 6, engine 5, registration 4). `kind` is 'chassis', 'engine' or 'registration'.
  ASCII letters and digits only count as alphanumeric: `LEA-1234`, `lea 1234` and
  `LEA1234` are all `LEA1234`.
-#}
{% macro normalised_vehicle_identifier(col, kind) -%}
    {%- set min_length = vehicle_identifier_min_lengths()[kind] -%}
    (case
        when length(regexp_replace(upper(coalesce({{ col }}, '')), '[^A-Z0-9]', '', 'g')) < {{ min_length }} then null
        when regexp_replace(upper({{ col }}), '[^A-Z0-9]', '', 'g') in {{ sql_list(vehicle_identifier_placeholders()) }} then null
        else regexp_replace(upper({{ col }}), '[^A-Z0-9]', '', 'g')
    end)
{%- endmacro %}
