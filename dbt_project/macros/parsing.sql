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
  Source timestamp text -> TIMESTAMP in UTC, whatever the date (see parse_utc_timestamp
  for the one the marts use).
  Accepts `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds,
  optional `Z` / `+00:00` / `+00` (PostgreSQL's timestamptz text) or any other numeric
  offset (converted to UTC), and a bare date (midnight UTC).
  Text without a numeric offset is read as a plain TIMESTAMP (it is UTC already); text
  with one goes through TIMESTAMPTZ and the epoch, so the result never depends on the
  session's time zone (profiles.yml sets UTC anyway); so does text naming a time zone
  (`... Asia/Karachi`), which only TIMESTAMPTZ reads. Junk, and keywords DuckDB would
  otherwise accept (`epoch`, `infinity`), give NULL.
-#}
{% macro read_utc_timestamp(col) -%}
    case
        when substr(trim({{ col }}), 1, 1) not between '0' and '9' then null
        when contains(substr(trim({{ col }}), 11), '+') or contains(substr(trim({{ col }}), 11), '-')
            then make_timestamp(epoch_us(try_cast(trim({{ col }}) as timestamptz)))
        else coalesce(try_cast(trim({{ col }}) as timestamp),
                      make_timestamp(epoch_us(try_cast(trim({{ col }}) as timestamptz))))
    end
{%- endmacro %}

{#- Calendar date text (`2024-01-01`; a trailing time is ignored) -> DATE, whatever the date. -#}
{% macro read_date(col) -%}
    try_cast(
        case when substr(trim({{ col }}), 1, 1) between '0' and '9' then trim({{ col }}) end
        as date)
{%- endmacro %}

{#-
  The plausible range of a date: the one rule for every date and timestamp that reaches a
  mart. A date outside it is a typing error (2206 for 2026, a five-digit year, a reset
  clock's 1900): the column is NULL, never a date a reader would sort or compare
  (DuckDB hands a year >= 10000 to Python as text), and data_quality_issues flags the raw
  text (implausible_<column>). The row itself stays where it was.
    kind 'event' (seizure, entry, update, deletion, adjudication, postings): from
        1947-01-01 (the customs service of Pakistan) to the refresh date (PKT) plus one
        day, the tolerance for clocks and for local times typed as UTC;
    kind 'birth' (date_of_birth): from 1900-01-01 (an old person is no typo) to the
        refresh date.
  Returns {'earliest': date, 'latest': date}, both inclusive (Python dates for literals).
-#}
{% macro plausible_date_range(kind='event') -%}
    {%- if kind == 'event' -%}
        {{ return({'earliest': modules.datetime.date(1947, 1, 1), 'latest': refresh_date() + modules.datetime.timedelta(days=1)}) }}
    {%- elif kind == 'birth' -%}
        {{ return({'earliest': modules.datetime.date(1900, 1, 1), 'latest': refresh_date()}) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("plausible_date_range: unknown kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}

{#- The range as text for data-quality details, `1947-01-01 .. the day after the refresh`:
    the moving end is named, not dated, so the detail of an issue stays the same from one
    refresh date to the next (an incremental build does not check unchanged rows again). -#}
{% macro plausible_date_range_text(kind='event') -%}
    {%- set r = plausible_date_range(kind) -%}
    {{- r.earliest.isoformat() }} .. {{ 'the day after the refresh' if kind == 'event' else 'the refresh date' -}}
{%- endmacro %}

{#- A DATE within the plausible range (NULL stays NULL). -#}
{% macro is_plausible_date(d, kind='event') -%}
    {%- set r = plausible_date_range(kind) -%}
    ({{ d }} between date '{{ r.earliest.isoformat() }}' and date '{{ r.latest.isoformat() }}')
{%- endmacro %}

{#- A UTC TIMESTAMP whose PKT date is within the plausible range. -#}
{% macro is_plausible_utc_timestamp(ts, kind='event') -%}
    {%- set r = plausible_date_range(kind) -%}
    {{ is_utc_timestamp_on_pkt_days(ts, r.earliest, r.latest) }}
{%- endmacro %}

{#- A UTC TIMESTAMP whose PKT date is from `first_day` to `last_day` (Python dates): from
    00:00 PKT on the first to the last microsecond of the last. The bounds are turned into
    UTC instants here, so nothing is added to the value itself (adding 5 hours to a year
    294247 timestamp would overflow), and `ts` is written once (it is often a parse of text). -#}
{% macro is_utc_timestamp_on_pkt_days(ts, first_day, last_day) -%}
    {%- set offset = modules.datetime.timedelta(hours=pkt_offset_hours() | int) -%}
    {%- set first_instant = modules.datetime.datetime.combine(first_day, modules.datetime.time()) - offset -%}
    {%- set last_instant = modules.datetime.datetime.combine(last_day, modules.datetime.time.max) - offset -%}
    ({{ ts }} between timestamp '{{ first_instant.isoformat(' ') }}' and timestamp '{{ last_instant.isoformat(' ') }}')
{%- endmacro %}

{#- Source timestamp text -> TIMESTAMP in UTC when plausible, else NULL: what staging emits. -#}
{% macro parse_utc_timestamp(col, kind='event') -%}
    case when {{ is_plausible_utc_timestamp(read_utc_timestamp(col), kind) }} then {{ read_utc_timestamp(col) }} end
{%- endmacro %}

{#- Calendar date text -> DATE when plausible, else NULL. -#}
{% macro parse_date(col, kind='event') -%}
    case when {{ is_plausible_date(read_date(col), kind) }} then {{ read_date(col) }} end
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

{#- The refresh's current date in PKT, as a Python date (refresh_date) and as an SQL DATE
    (refresh_date_pkt): the var `refresh_date` the pipeline passes (the date it records the
    build under: antismuggling.changes), else the local date when this dbt invocation started. -#}
{% macro refresh_date() -%}
    {%- if var('refresh_date', none) -%}
        {{ return(modules.datetime.date.fromisoformat(var('refresh_date'))) }}
    {%- endif -%}
    {{ return((run_started_at + modules.datetime.timedelta(hours=pkt_offset_hours() | int)).date()) }}
{%- endmacro %}
{% macro refresh_date_pkt() -%}
    date '{{ refresh_date().isoformat() }}'
{%- endmacro %}

{#- The instant this dbt invocation started (UTC), the same in every model of a run. -#}
{% macro run_started_utc() -%}
    timestamp '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
{%- endmacro %}

{#- Number text: digits with an optional sign, decimal point and exponent (`1234.5`, `-50`,
    `.5`, `1e-9`). Anything else (`1,000`, `1_000`, `0x10`, `inf`, `NaN`) is not a number,
    though DuckDB's casts would read some of it. -#}
{% macro is_number_text(col) -%}
    regexp_full_match(trim({{ col }}), '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?')
{%- endmacro %}

{#- Decimal places the marts keep: money in paisa, quantities in thousandths. -#}
{% macro money_scale() %}{{ return(2) }}{% endmacro %}
{% macro quantity_scale() %}{{ return(3) }}{% endmacro %}

{#- Number text -> DECIMAL(18, scale); junk or out of range -> NULL. More decimals than the
    scale are rounded (half away from zero) and flagged (has_excess_precision): the value
    kept is the one the store holds to within half a unit of the last place, whereas NULL
    would count the whole amount as 0 in every sum. -#}
{% macro parse_decimal(col, scale) -%}
    case when {{ is_number_text(col) }} then try_cast(trim({{ col }}) as decimal(18, {{ scale }})) end
{%- endmacro %}

{#- Money: DECIMAL(18,2) rupees (`1234.5`, `1234`, `1234.50`). -#}
{% macro parse_money(col) -%}
    {{ parse_decimal(col, money_scale()) }}
{%- endmacro %}

{#- Quantities: DECIMAL(18,3). -#}
{% macro parse_quantity(col) -%}
    {{ parse_decimal(col, quantity_scale()) }}
{%- endmacro %}

{#- The number typed has non-zero digits beyond `scale` decimals, so parse_decimal rounded
    it (`0.005` -> 0.01, `1e-9` -> 0.00). Plain notation is read digit by digit; exponent
    notation is compared exactly, and a tiny value that even 18 decimals round to 0 counts. -#}
{% macro has_excess_precision(raw_col, parsed_col, scale) -%}
    ({{ parsed_col }} is not null and case
        when regexp_matches(trim({{ raw_col }}), '[eE]') then
            try_cast(trim({{ raw_col }}) as decimal(38, 18)) <> {{ parsed_col }}
            or (try_cast(trim({{ raw_col }}) as decimal(38, 18)) = 0 and try_cast(trim({{ raw_col }}) as double) <> 0)
        else regexp_matches(trim({{ raw_col }}), '{{ "[.][0-9]{" ~ scale ~ "}[0-9]*[1-9]" }}')
    end)
{%- endmacro %}

{#- Integers (keys, years): `12`, `12.0` -> 12. `1.5` is no integer and gives NULL (a cast
    would round it to 2, another row's key); so do `1e3`, `0x10`, `1_000`. -#}
{% macro parse_int(col) -%}
    case when regexp_full_match(trim({{ col }}), '[+-]?[0-9]+([.]0*)?')
         then try_cast(regexp_replace(trim({{ col }}), '[.]0*$', '') as bigint) end
{%- endmacro %}

{#- Floating-point numbers; junk and non-finite values -> NULL. -#}
{% macro parse_double(col) -%}
    case when {{ is_number_text(col) }} and isfinite(try_cast(trim({{ col }}) as double))
         then try_cast(trim({{ col }}) as double) end
{%- endmacro %}

{#- Coordinates (WGS84 degrees): a latitude beyond 90 or a longitude beyond 180 is no place
    on Earth and gives NULL (flagged out_of_range_<column>). -#}
{% macro coordinate_limit(column) %}{{ return({'latitude': 90, 'longitude': 180}[column]) }}{% endmacro %}
{% macro parse_coordinate(col, column) -%}
    case when abs({{ parse_double(col) }}) <= {{ coordinate_limit(column) }} then {{ parse_double(col) }} end
{%- endmacro %}

{#- Booleans: `1`/`0`, `true`/`false`, `t`/`f` (any case); junk -> NULL. -#}
{% macro parse_bool(col) -%}
    try_cast(lower(trim({{ col }})) as boolean)
{%- endmacro %}

{#- Soft delete: the store sets deleted_at to a timestamp on removal, so a row is deleted
    when deleted_at reads as one (any date: a removal is a removal). Blank is not set. Text
    that is no timestamp (`yesterday`, `N/A`) is no evidence of a removal: the row stays
    live, in the marts, and is flagged unparseable_deleted_at, because the warehouse never
    drops a row it cannot justify dropping (the flag lets the source be fixed). -#}
{% macro is_deleted(col) -%}
    ({{ read_utc_timestamp(col) }} is not null)
{%- endmacro %}

{#- A raw value that is present but did not parse (missing values are not junk). -#}
{% macro is_unparsed(raw_col, parsed_col) -%}
    ({{ clean_text(raw_col) }} is not null and {{ parsed_col }} is null)
{%- endmacro %}

{#- Non-digits stripped: the first step of both the HS and the CNIC rules. -#}
{% macro digits_only(col) -%}
    regexp_replace(coalesce({{ col }}, ''), '[^0-9]', '', 'g')
{%- endmacro %}

{#- The audit columns: parsed UTC timestamps, their raw text (checked for junk and
    implausible dates in data_quality_issues) and, for tables whose rows can be removed,
    deleted_at and the soft-delete flag. -#}
{% macro audit_columns(deletable=true) -%}
    {{ parse_utc_timestamp('created_at') }}              as created_at_utc,
    created_at                                           as created_at_raw,
    {{ parse_utc_timestamp('updated_at') }}              as updated_at_utc,
    updated_at                                           as updated_at_raw
    {%- if deletable %},
    {{ parse_utc_timestamp('deleted_at') }}              as deleted_at_utc,
    deleted_at                                           as deleted_at_raw,
    {{ is_deleted('deleted_at') }}                       as is_deleted
    {%- endif %}
{%- endmacro %}
