{#- The resolved person's key: md5 of the formatted valid CNIC (opaque and stable, not a
    privacy measure); NULL when the CNIC is not valid, so invalid CNICs never merge. -#}
{% macro offender_key(cnic_col) -%}
    md5({{ cnic_col }})
{%- endmacro %}
