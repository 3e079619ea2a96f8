-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_officer_months') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "officer_cases"}) }}

-- One row per live case and credited officer: the contract's "Officer credit", written once.
--
-- Credited officers: the DISTINCT officers with at least one live case_officers row on the
-- live case whose officer exists in the store (int_case_officers.is_in_marts). Several roles
-- of one officer count once. A row of an officer id missing from `officers` is quarantined
-- (data_quality_issues, unknown_officer) and takes no share: the value is divided among the
-- existing officers only. A soft-deleted officer still exists and keeps their share. A live
-- case with no credited officer is credited to no one (it is not in this table).
--
-- Split, exact to the paisa: the case's total_value_pkr in paisa P is divided among its N
-- officers as floor(P / N) each, and the remaining P - N * floor(P / N) paisa (0 .. N-1)
-- go one each to the officers with the smallest officer_ids. The shares of a case therefore
-- always add up to its total_value_pkr exactly (negative totals too: floor rounds down).
--
-- Formation: the formation of the officer's posting covering the seizure date
-- (posted_from <= seizure_date <= posted_to, an open posted_to covering everything after
-- posted_from); when several postings cover it (overlapping data) the one posted last
-- (latest posted_from, then highest posting_id); when none does (or the seizure date is
-- unknown), the case's formation. formation_source says which.
with credited as (
    select
        case_id,
        officer_id,
        {{ sorted_distinct('role', 'per_officer') }}   as roles
    from {{ ref('int_case_officers') }}
    where is_in_marts
    {% if is_incremental() %}
    and {{ in_changed_cases('case_id', through_officers=true) }}
    {% endif %}
    window per_officer as (partition by case_id, officer_id)
    qualify row_number() over per_officer = 1
),

cases as (
    select
        case_id, seizure_date, seizure_month, formation_code, total_value_pkr, adjudication_outcome
    from {{ ref('fct_cases') }}
),

shares as (
    select
        cr.case_id,
        cr.officer_id,
        cr.roles,
        c.seizure_date,
        c.seizure_month,
        c.formation_code                                              as case_formation_code,
        c.total_value_pkr                                             as case_total_value_pkr,
        c.adjudication_outcome,
        count(*) over (partition by cr.case_id)                       as n_credited_officers,
        row_number() over (partition by cr.case_id order by cr.officer_id) as officer_rank,
        cast(c.total_value_pkr * 100 as hugeint)                      as case_paisa
    from credited as cr
    inner join cases as c
        on c.case_id = cr.case_id
),

split as (
    select
        *,
        -- ((P mod N) + N) mod N: the non-negative remainder (DuckDB's % keeps the sign of P)
        ((case_paisa % n_credited_officers) + n_credited_officers) % n_credited_officers as remainder_paisa
    from shares
),

postings as (
    select
        posting_id,
        officer_id,
        formation_code,
        posted_from,
        coalesce(posted_to, date '9999-12-31')                        as posted_until
    from {{ ref('stg_officer_postings') }}
    where posted_from is not null
      and officer_id is not null
),

covering_posting as (
    select
        s.case_id,
        s.officer_id,
        p.posting_id,
        p.formation_code
    from split as s
    inner join postings as p
        on p.officer_id = s.officer_id
    where s.seizure_date between p.posted_from and p.posted_until
    qualify row_number() over (
        partition by s.case_id, s.officer_id
        order by p.posted_from desc, p.posting_id desc) = 1
),

posted as (
    select
        s.*,
        cp.posting_id,
        cp.formation_code                                             as posting_formation_code
    from split as s
    left join covering_posting as cp
        on cp.case_id = s.case_id
       and cp.officer_id = s.officer_id
)

select
    case_id,
    officer_id,
    roles,
    seizure_date,
    seizure_month,
    case when posting_id is not null then posting_formation_code else case_formation_code end as formation_code,
    case when posting_id is not null then 'posting' else 'case' end  as formation_source,
    posting_id,
    case_formation_code,
    n_credited_officers,
    officer_rank,
    cast(
        cast((case_paisa - remainder_paisa) // n_credited_officers
             + case when officer_rank <= remainder_paisa then 1 else 0 end as decimal(38, 0))
        * 0.01 as decimal(38, 2))                                     as credited_value_pkr,
    case_total_value_pkr,
    adjudication_outcome,
    adjudication_outcome is not null                                  as is_adjudicated,
    coalesce(adjudication_outcome = 'CONFISCATED', false)             as is_confiscated
from posted
