-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_officer_months') }}
{{ config(materialized='incremental', pre_hook="{{ delete_touched_officer_months() }}") }}

-- One row per officer and seizure month (officer_id x seizure_month), over
-- fct_officer_case_credits (the contract's officer credit; see that model).
--
-- formation_code: the formation the officer is credited under that month. Each case is
-- credited to the formation of the officer's posting covering its seizure date (else the
-- case's formation); when one month's cases fall under several formations (a transfer
-- mid-month, or a case outside every posting), the month's formation is the one credited
-- with the most value that month, then the most cases, then the smallest formation_code.
-- n_formations says how many there were; fct_officer_case_credits has the per-case detail.
-- seizure_month is NULL for cases whose seizure date is unknown.
-- Rebuilt by officer and month (macros/touched_groups.sql).
with credits as (
    select * from {{ ref('fct_officer_case_credits') }} as c
    {% if is_incremental() %}
    where {{ in_touched_officer_months('c') }}
    {% endif %}
),

by_formation as (
    select
        officer_id,
        seizure_month,
        formation_code,
        sum(credited_value_pkr)                      as credited_value_pkr,
        count(*)                                     as n_cases
    from credits
    group by officer_id, seizure_month, formation_code
),

main_formation as (
    select officer_id, seizure_month, formation_code
    from by_formation
    qualify row_number() over (
        partition by officer_id, seizure_month
        order by credited_value_pkr desc, n_cases desc, formation_code asc nulls last) = 1
),

monthly as (
    select
        officer_id,
        seizure_month,
        count(*)                                     as n_cases,
        sum(credited_value_pkr)                      as credited_value_pkr,
        count(*) filter (where is_adjudicated)       as n_adjudicated,
        count(*) filter (where is_confiscated)       as n_confiscated,
        count(distinct formation_code)               as n_formations,
        sum(case_total_value_pkr)                    as cases_total_value_pkr
    from credits
    group by officer_id, seizure_month
),

officers as (
    select
        officer_id,
        min(service_no)                              as service_no,
        min(full_name)                               as full_name,
        min(designation)                             as designation,
        bool_and(is_deleted)                         as is_officer_deleted
    from {{ ref('stg_officers') }}
    where officer_id is not null
    group by officer_id
)

select
    m.officer_id,
    m.seizure_month,
    f.formation_code,
    m.n_cases,
    m.credited_value_pkr,
    m.n_adjudicated,
    m.n_confiscated,
    m.n_confiscated / nullif(m.n_adjudicated, 0)     as confiscation_rate,
    m.n_formations,
    m.cases_total_value_pkr,
    o.service_no,
    o.full_name,
    o.designation,
    o.is_officer_deleted
from monthly as m
inner join main_formation as f
    on f.officer_id = m.officer_id
   and f.seizure_month is not distinct from m.seizure_month
left join officers as o
    on o.officer_id = m.officer_id
