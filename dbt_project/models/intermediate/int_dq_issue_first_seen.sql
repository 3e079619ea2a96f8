{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['source_table', 'source_pk', 'check_name'],
        full_refresh=false,
    )
}}

-- History of data-quality issues: when each (source_table, source_pk, check_name) was
-- first seen. A run only inserts issues it has never seen, so first_seen_at never moves,
-- even for an issue that went away and came back. `dbt build --full-refresh` keeps this
-- table (full_refresh=false); drop it by hand to restart the history.

select
    c.source_table,
    c.source_pk,
    c.check_name,
    {{ run_started_utc() }}                     as first_seen_at
from {{ ref('int_dq_checks') }} as c
{% if is_incremental() %}
where not exists (
    select 1
    from {{ this }} as h
    where h.source_table = c.source_table
      and h.source_pk = c.source_pk
      and h.check_name = c.check_name
)
{% endif %}
