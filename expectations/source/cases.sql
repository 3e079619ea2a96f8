-- Batch of suite source.cases: the live rows (deleted_at is null) of raw.cases, read straight
-- from the raw text (independently of dbt): codes trimmed and upper-cased, timestamps parsed
-- as UTC, the seizure's local date in Pakistan Standard Time (UTC+05:00).
-- When the DuckDB variable batch_since ('YYYY-MM-DD') is set, only the rows an incremental
-- load read (updated_at on or after it) are in the batch; unset, the whole table is.
with live as (
    select
        trim(case_id)                                                   as case_id,
        nullif(trim(case_no), '')                                       as case_no,
        nullif(trim(formation_code), '')                                as formation_code,
        nullif(upper(trim(status)), '')                                 as status,
        nullif(upper(trim(adjudication_outcome)), '')                   as adjudication_outcome,
        nullif(upper(trim(detection_method)), '')                       as detection_method,
        nullif(upper(trim(offence_nature)), '')                         as offence_nature,
        case when substr(trim(seizure_at), 1, 1) between '0' and '9'
             then cast(try_cast(trim(seizure_at) as timestamptz) as timestamp) end as seizure_at_utc,
        case when substr(trim(created_at), 1, 1) between '0' and '9'
             then cast(try_cast(trim(created_at) as timestamptz) as timestamp) end as created_at_utc,
        try_cast(trim(redemption_fine_pkr) as double)                   as redemption_fine_pkr,
        try_cast(trim(personal_penalty_pkr) as double)                  as personal_penalty_pkr,
        case when nullif(trim(redemption_fine_pkr), '') is not null
              and try_cast(trim(redemption_fine_pkr) as decimal(18, 2)) is null
             then redemption_fine_pkr end                               as redemption_fine_pkr_unparsed,
        case when nullif(trim(personal_penalty_pkr), '') is not null
              and try_cast(trim(personal_penalty_pkr) as decimal(18, 2)) is null
             then personal_penalty_pkr end                              as personal_penalty_pkr_unparsed
    from raw.cases
    where deleted_at is null
      and (getvariable('batch_since') is null or updated_at >= getvariable('batch_since'))
)

select
    *,
    cast(seizure_at_utc + interval 5 hour as date)                      as seizure_date_pkt,
    -- status/outcome pair, only where both codes are contract codes (bad codes are counted
    -- by the enumeration expectations, not twice)
    case
        when status in ('SEIZED', 'SCN_ISSUED', 'ADJUDICATED', 'APPEAL', 'CLOSED')
         and (adjudication_outcome is null
              or adjudication_outcome in ('CONFISCATED', 'REDEEMED', 'RELEASED', 'ACQUITTED'))
        then status || '/' || coalesce(adjudication_outcome, 'NULL')
    end                                                                 as status_outcome
from live
