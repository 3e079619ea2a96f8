{#-
  Parsing rules for the raw layer. Every raw column is VARCHAR holding the source
  value as text (SQLite's stored text, or PostgreSQL's value cast to text in UTC).
  Each macro emits one SQL expression; every staging model uses these, so each
  rule exists exactly once. None of them can fail on junk: they return NULL and
  the data-quality checks flag the row.
-#}

{#- Trimmed text; blank becomes NULL. -#}
{% macro clean_text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{#- Upper-cased code (status, roles, kinds...). -#}
{% macro clean_code(col) -%}
    nullif(upper(trim({{ col }})), '')
{%- endmacro %}

{#-
  Source timestamp text -> TIMESTAMP in UTC.
  Accepts `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds,
  optional `Z` / `+00:00` / `+00` (PostgreSQL's timestamptz text) or any other numeric
  offset (converted to UTC), and a bare date (midnight UTC).
  Text without a numeric offset is read as a plain TIMESTAMP (it is UTC already); text
  with one goes through TIMESTAMPTZ and the epoch, so the result never depends on the
  session's time zone (profiles.yml sets UTC anyway). Junk, and keywords DuckDB would
  otherwise accept (`epoch`, `infinity`), give NULL.
-#}
{% macro parse_utc_timestamp(col) -%}
    case
        when substr(trim({{ col }}), 1, 1) not between '0' and '9' then null
        when contains(substr(trim({{ col }}), 11), '+') or contains(substr(trim({{ col }}), 11), '-')
            then make_timestamp(epoch_us(try_cast(trim({{ col }}) as timestamptz)))
        else try_cast(trim({{ col }}) as timestamp)
    end
{%- endmacro %}

{#- Calendar date column (`2024-01-01`; a trailing time is ignored). -#}
{% macro parse_date(col) -%}
    try_cast(
        case when substr(trim({{ col }}), 1, 1) between '0' and '9' then trim({{ col }}) end
        as date)
{%- endmacro %}

{#- Pakistan Standard Time: UTC+05:00 all year (no DST), so no time-zone database is needed. -#}
{% macro pkt_offset_hours() -%}5{%- endmacro %}

{#- Local (PKT) date of a UTC TIMESTAMP. -#}
{% macro pkt_date(utc_ts) -%}
    cast(({{ utc_ts }}) + interval {{ pkt_offset_hours() }} hour as date)
{%- endmacro %}

{#- First day of the month of a DATE, as a DATE. -#}
{% macro month_start(d) -%}
    cast(date_trunc('month', {{ d }}) as date)
{%- endmacro %}

{#- The refresh's current date in PKT: the local date when this dbt invocation started. -#}
{% macro refresh_date_pkt() -%}
    {{ pkt_date("timestamp '" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "'") }}
{%- endmacro %}

{#- The instant this dbt invocation started (UTC), the same in every model of a run. -#}
{% macro run_started_utc() -%}
    timestamp '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
{%- endmacro %}

{#- Money: DECIMAL(18,2) rupees (`1234.5`, `1234`, `1234.50`); junk or out of range -> NULL. -#}
{% macro parse_money(col) -%}
    try_cast(trim({{ col }}) as decimal(18, 2))
{%- endmacro %}

{#- Quantities: DECIMAL(18,3); junk -> NULL. -#}
{% macro parse_quantity(col) -%}
    try_cast(trim({{ col }}) as decimal(18, 3))
{%- endmacro %}

{#- Integers (keys, years): `12`, `12.0`; junk -> NULL. -#}
{% macro parse_int(col) -%}
    try_cast(trim({{ col }}) as bigint)
{%- endmacro %}

{#- Coordinates. -#}
{% macro parse_double(col) -%}
    case when isfinite(try_cast(trim({{ col }}) as double)) then try_cast(trim({{ col }}) as double) end
{%- endmacro %}

{#- Booleans: `1`/`0`, `true`/`false`, `t`/`f` (any case); junk -> NULL. -#}
{% macro parse_bool(col) -%}
    try_cast(lower(trim({{ col }})) as boolean)
{%- endmacro %}

{#- Soft delete: the store sets deleted_at on removal; any non-NULL value means deleted. -#}
{% macro is_deleted(col) -%}
    ({{ col }} is not null)
{%- endmacro %}

{#- A raw value that is present but did not parse (missing values are not junk). -#}
{% macro is_unparsed(raw_col, parsed_col) -%}
    ({{ clean_text(raw_col) }} is not null and {{ parsed_col }} is null)
{%- endmacro %}

{#- Non-digits stripped: the first step of both the HS and the CNIC rules. -#}
{% macro digits_only(col) -%}
    regexp_replace(coalesce({{ col }}, ''), '[^0-9]', '', 'g')
{%- endmacro %}

{#- The audit columns of a case-level table: parsed UTC timestamps, their raw text (checked
    for junk in data_quality_issues) and the soft-delete flag. -#}
{% macro audit_columns() -%}
    {{ parse_utc_timestamp('created_at') }}              as created_at_utc,
    created_at                                           as created_at_raw,
    {{ parse_utc_timestamp('updated_at') }}              as updated_at_utc,
    updated_at                                           as updated_at_raw,
    {{ parse_utc_timestamp('deleted_at') }}              as deleted_at_utc,
    {{ is_deleted('deleted_at') }}                       as is_deleted
{%- endmacro %}
