{#- Code lists of the source contract, for the data-quality checks. -#}
{% macro case_statuses() %}{{ return(['SEIZED', 'SCN_ISSUED', 'ADJUDICATED', 'APPEAL', 'CLOSED']) }}{% endmacro %}
{#- Statuses at which a case cannot have an outcome yet / must have one. -#}
{% macro pre_adjudication_statuses() %}{{ return(['SEIZED', 'SCN_ISSUED']) }}{% endmacro %}
{% macro outcome_required_statuses() %}{{ return(['ADJUDICATED', 'CLOSED']) }}{% endmacro %}
{% macro adjudication_outcomes() %}{{ return(['CONFISCATED', 'REDEEMED', 'RELEASED', 'ACQUITTED']) }}{% endmacro %}
{% macro detection_methods() %}{{ return(['INTELLIGENCE', 'MOBILE_PATROL', 'CHECKPOST', 'SCANNER', 'RAID', 'RISK_PROFILING', 'OTHER']) }}{% endmacro %}
{% macro offence_natures() %}{{ return(['SMUGGLING', 'NCP_VEHICLE', 'BANNED_GOODS', 'NARCOTICS', 'CURRENCY', 'MISDECLARATION', 'TRANSIT_PILFERAGE', 'OTHER']) }}{% endmacro %}

{#- A Jinja list as an SQL list literal: ('A', 'B'). -#}
{% macro sql_list(values) -%}
    ({%- for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor -%})
{%- endmacro %}

{#- Vehicle identity (marts contract): normalised identifiers that mean "no number", and the
    shortest normalised chassis / engine / registration number that identifies a vehicle. -#}
{% macro vehicle_identifier_placeholders() %}{{ return(['NA', 'NIL', 'NONE', 'NULL', 'UNREGISTERED', 'UNREG', 'APPLIEDFOR', '0']) }}{% endmacro %}
{% macro vehicle_identifier_min_lengths() %}{{ return({'chassis': 6, 'engine': 5, 'registration': 4}) }}{% endmacro %}
