{#-
  Aggregate marts rebuilt by group. A row of an aggregate mart depends only on the facts of
  one group of cases and on tables no case key reaches (a change to those records `all`):
    mart_route_flows               a seizure month and route (origin, seizure and destination
                                   location);
    mart_formation_accountability  a seizure month and formation;
    mart_hs_trends                 a seizure month and formation, and the same month a year
                                   before (its last-year figures), and the first seizure month;
    feed_psw_indicators            a seizure month and seizure location;
    mart_officer_performance       an officer and seizure month (their credits).
  An incremental build rebuilds the groups the changed cases were in, as recorded before the
  facts were rebuilt (int_touched_case_groups, int_touched_officer_months), and are in now:
  the pre-hook deletes the groups' rows (in the model's transaction), the model inserts them
  again from its own select with its driving facts restricted to those groups. A group key
  may be NULL (a case without a readable seizure date or location): NULLs match.
  A build of everything (--full-refresh) builds the marts whole; so does an incremental build
  that finds a touched table saying `everything` (a stored fact table was missing).
-#}

{#- The group of each mart rebuilt by groups of cases (columns of fct_cases). -#}
{% macro route_group() %}{{ return(['seizure_month', 'origin_location_id', 'seizure_location_id', 'destination_location_id']) }}{% endmacro %}
{% macro formation_month_group() %}{{ return(['seizure_month', 'formation_code']) }}{% endmacro %}
{% macro seizure_place_group() %}{{ return(['seizure_month', 'seizure_location_id']) }}{% endmacro %}

{#- exists a row of `groups` (SQL) equal to the row of `alias` on every column of `columns` -#}
{% macro in_groups(alias, columns, groups) -%}
    exists (select 1 from ({{ groups }}) as touched_group
            where {% for column in columns -%}
                touched_group.{{ column }} is not distinct from {{ alias }}.{{ column }}
                {%- if not loop.last %} and {% endif %}
            {%- endfor %})
{%- endmacro %}

{#- The distinct `columns` of fct_cases of the changed cases, as stored before this build and
    as now. -#}
{% macro touched_case_groups(columns) -%}
    select {{ columns | join(', ') }} from {{ ref('int_touched_case_groups') }} where is_group
    union
    select {{ columns | join(', ') }} from {{ ref('fct_cases') }} where {{ in_changed_cases('case_id') }}
{%- endmacro %}

{% macro all_case_groups_touched() -%}
    exists (select 1 from {{ ref('int_touched_case_groups') }} where everything)
{%- endmacro %}

{#- `alias`'s row is in a touched group of cases by `columns` (of fct_cases). -#}
{% macro in_touched_case_groups(alias, columns) -%}
    ({{ all_case_groups_touched() }} or {{ in_groups(alias, columns, touched_case_groups(columns)) }})
{%- endmacro %}

{#- Pre-hook of a mart rebuilt by groups of cases. -#}
{% macro delete_touched_case_groups(columns) -%}
    {% if is_incremental() %}
        delete from {{ this }} as stored_row where {{ in_touched_case_groups('stored_row', columns) }}
    {% endif %}
{%- endmacro %}

{#- mart_hs_trends: the month x formation groups it rebuilds (the touched ones and the same
    month a year later), and whether it rebuilds all (a touched table says `everything`, or the
    first seizure month, which decides whether a last year is known, is not what it was). -#}
{% macro hs_trend_groups() -%}
    {%- set touched = touched_case_groups(formation_month_group()) -%}
    select seizure_month, formation_code from ({{ touched }}) as t
    union
    select cast(seizure_month + interval 1 year as date), formation_code from ({{ touched }}) as t
{%- endmacro %}

{#- ... and the groups its items are read from: those and the same month a year before. -#}
{% macro hs_trend_source_groups() -%}
    select seizure_month, formation_code from ({{ hs_trend_groups() }}) as r
    union
    select cast(seizure_month - interval 1 year as date), formation_code from ({{ hs_trend_groups() }}) as r
{%- endmacro %}

{% macro all_hs_trend_groups() -%}
    ({{ all_case_groups_touched() }}
     or exists (select 1 from {{ ref('int_touched_case_groups') }}
                where not is_group
                  and stored_first_month is distinct from (select min(seizure_month) from {{ ref('fct_cases') }})))
{%- endmacro %}

{% macro in_hs_trend_groups(alias, groups=hs_trend_groups()) -%}
    ({{ all_hs_trend_groups() }} or {{ in_groups(alias, formation_month_group(), groups) }})
{%- endmacro %}

{% macro delete_hs_trend_groups() -%}
    {% if is_incremental() %}
        delete from {{ this }} as stored_row where {{ in_hs_trend_groups('stored_row') }}
    {% endif %}
{%- endmacro %}

{#- mart_officer_performance: the officer months of the credits of the changed cases (their
    own rows or their officers changed), as stored before this build and as now. -#}
{% macro touched_officer_months() -%}
    select officer_id, seizure_month from {{ ref('int_touched_officer_months') }} where not everything
    union
    select officer_id, seizure_month from {{ ref('fct_officer_case_credits') }}
    where {{ in_changed_cases('case_id', through_officers=true) }}
{%- endmacro %}

{% macro in_touched_officer_months(alias) -%}
    (exists (select 1 from {{ ref('int_touched_officer_months') }} where everything)
     or {{ in_groups(alias, ['officer_id', 'seizure_month'], touched_officer_months()) }})
{%- endmacro %}

{% macro delete_touched_officer_months() -%}
    {% if is_incremental() %}
        delete from {{ this }} as stored_row where {{ in_touched_officer_months('stored_row') }}
    {% endif %}
{%- endmacro %}
