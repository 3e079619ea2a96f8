{#-
  Repair of snapshots.snap_case_status, run before every snapshot (pre_hook).

  Until implausible timestamps were rejected, a typo'd updated_at (2099) became a version's
  dbt_valid_from; no later edit was after it, so the case's history never moved again and
  every refresh failed its tests. Such a warehouse recovers on its next refresh: every
  snapshot time after the start of this refresh (dbt_valid_from, dbt_valid_to,
  dbt_updated_at, status_recorded_at) is clamped to that start, and a version that, clamped,
  lasted no time (it began and ended in the future) is removed. New versions are stamped
  later (the snapshot runs after the refresh started), so they follow the clamped ones.
  A first run (no snapshot yet) has nothing to repair.
-#}
{% macro clamp_future_case_status_versions(snapshot_relation) -%}
    {%- if load_relation(snapshot_relation) is not none -%}
        {%- set refresh_start = run_started_utc() -%}
        update {{ snapshot_relation }} set
            dbt_valid_from = least(dbt_valid_from, {{ refresh_start }}),
            dbt_updated_at = least(dbt_updated_at, {{ refresh_start }}),
            -- least() would skip a NULL: an open version must stay open
            dbt_valid_to = case when dbt_valid_to > {{ refresh_start }} then {{ refresh_start }} else dbt_valid_to end,
            status_recorded_at = case when status_recorded_at > {{ refresh_start }} then {{ refresh_start }} else status_recorded_at end
        where dbt_valid_from > {{ refresh_start }}
           or dbt_valid_to > {{ refresh_start }}
           or status_recorded_at > {{ refresh_start }};
        delete from {{ snapshot_relation }}
        where dbt_valid_from = {{ refresh_start }} and dbt_valid_to = {{ refresh_start }}
    {%- endif -%}
{%- endmacro %}
