-- The cases the case-scoped incremental models rebuild in this build (macros/changed_cases.sql):
-- every case_id the loads since the last successful build recorded, as it was and as it is
-- (rows_changed), and the cases of every officer whose officer row or postings changed
-- (rows_changed false unless their own rows changed too): only the models that read officers
-- or postings rebuild those. NULL stands for the child rows whose case_id cannot be parsed.
-- Parsed as staging parses case ids.
--
-- A build for another refresh date than the last successful one (vars refresh_date and
-- built_refresh_date, antismuggling.changes) also rebuilds every case with a date typed
-- from the earlier of the two to a day after the later (what the plausible range admits,
-- macros/parsing.sql), on the case or a row of it (rows_changed), or on an officer's row or
-- posting (reached through the officer): those dates may have become plausible since (or,
-- the clock set back, no longer be), though their rows did not change.
{%- set built = var('built_refresh_date', none) %}
{%- set date_window = built is not none and built != refresh_date().isoformat() %}
{%- if date_window %}
    {%- set dates = [modules.datetime.date.fromisoformat(built), refresh_date()] | sort %}
    {%- set first_day, last_day = dates[0], dates[1] + modules.datetime.timedelta(days=1) %}
{%- endif %}
{%- set timestamps = ['created_at', 'updated_at', 'deleted_at'] %}
{%- set case_tables = {
    'cases': timestamps + ['seizure_at'], 'seizure_items': timestamps, 'case_vehicles': timestamps,
    'case_persons': timestamps, 'case_officers': timestamps} %}
{%- set case_dates = {'cases': ['adjudicated_on'], 'case_persons': ['date_of_birth']} %}
{%- set officer_tables = {'officers': timestamps, 'officer_postings': ['created_at', 'updated_at']} %}
{%- set officer_dates = {'officer_postings': ['posted_from', 'posted_to']} %}

with changed as (
    select kind, key from {{ source('raw', 'changed_keys') }}
),

{% if date_window %}
dated_officers as (
    {%- for table, columns in officer_tables.items() %}
    select {{ parse_int('officer_id') }} as officer_id
    {{ typed_in_date_window(table, columns, officer_dates.get(table, []), first_day, last_day) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),
{% endif %}

changed_officers as (
    select {{ parse_int('key') }} as officer_id from changed where kind = 'officer'
    {% if date_window %}
    union all
    select officer_id from dated_officers
    {% endif %}
)

select case_id, bool_or(rows_changed) as rows_changed
from (
    select {{ parse_int('key') }} as case_id, true as rows_changed from changed where kind = 'case'
    union all
    select {{ parse_int('case_id') }} as case_id, false as rows_changed
    from {{ source('raw', 'case_officers') }}
    where {{ parse_int('officer_id') }} in (select officer_id from changed_officers where officer_id is not null)
    {%- if date_window %}
    {%- for table, columns in case_tables.items() %}
    union all
    select {{ parse_int('case_id') }} as case_id, true as rows_changed
    {{ typed_in_date_window(table, columns, case_dates.get(table, []), first_day, last_day) }}
    {%- endfor %}
    {%- endif %}
)
group by case_id
