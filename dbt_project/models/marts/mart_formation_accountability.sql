-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_case_groups') }}
{{ config(materialized='incremental', pre_hook="{{ delete_touched_case_groups(formation_month_group()) }}") }}

-- One row per seizing formation and seizure month (formation_code x seizure_month), over the
-- live cases (fct_cases). formation_code is the case's seizing formation as typed (an
-- unknown code is kept, and flagged in data_quality_issues); seizure_month is NULL for
-- cases whose seizure date is unknown.
--
-- n_pending_adjudication  status SEIZED or SCN_ISSUED (macros/domains.sql).
-- upload lag              fct_cases.upload_lag_days = PKT date entered - seizure date.
-- median_upload_lag_days  median over the cases whose lag is known (a half-day median is
--                         possible with an even count); NULL when none is known.
-- n_late_uploads          lag > 7 days (an unknown lag is not late; a negative lag, entry
--                         before seizure, is flagged in data_quality_issues and not late).
-- confiscation_rate       n_confiscated / n_adjudicated; NULL when none is adjudicated.
-- Rebuilt by formation and month (macros/touched_groups.sql).
select
    formation_code,
    seizure_month,
    min(formation_name)                                               as formation_name,
    count(*)                                                          as n_cases,
    sum(total_value_pkr)                                              as total_value_pkr,
    sum(goods_value_pkr)                                              as goods_value_pkr,
    sum(vehicle_value_pkr)                                            as vehicle_value_pkr,
    count(*) filter (where status in {{ sql_list(pre_adjudication_statuses()) }}) as n_pending_adjudication,
    median(upload_lag_days)                                           as median_upload_lag_days,
    count(*) filter (where upload_lag_days > 7)                       as n_late_uploads,
    count(upload_lag_days)                                            as n_upload_lag_known,
    count(*) filter (where is_adjudicated)                            as n_adjudicated,
    count(*) filter (where adjudication_outcome = 'CONFISCATED')      as n_confiscated,
    count(*) filter (where adjudication_outcome = 'CONFISCATED')
        / nullif(count(*) filter (where is_adjudicated), 0)           as confiscation_rate
from {{ ref('fct_cases') }} as c
{% if is_incremental() %}
where {{ in_touched_case_groups('c', formation_month_group()) }}
{% endif %}
group by formation_code, seizure_month
