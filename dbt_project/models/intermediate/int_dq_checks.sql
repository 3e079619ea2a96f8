-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_changed_dq_checks() }}") }}

-- Every data-quality issue found in the current raw layer: one row per source row and check.
--   quarantined: a live source row kept out of every mart (orphans, unknown officer,
--                incomplete key);
--   flagged:     a row kept in the marts but suspect; where a value could not be kept
--                (junk, an implausible date, a coordinate off the Earth) the column is
--                NULL and the detail quotes the text as typed.
-- Only rows that are live (or, for quarantine, would be live but for their parent) are
-- checked: a soft-deleted row is no issue. first_seen_at comes from int_dq_issue_first_seen.
--
-- case_id: the case the source row belongs to (as its own case_id says; NULL for officers,
-- postings and locations). A check of a case's rows depends on those rows and on tables no
-- case key reaches (macros/changed_cases.sql), so an incremental build checks the changed
-- cases again (the case_officers rows also of the cases of changed officers: they read
-- officers); duplicate_case_no (a case_no shared by several cases) and the checks of
-- officers, postings and locations are run again over every row (delete_changed_dq_checks).

with cases as (
    select
        c.*,
        f.formation_code is not null            as formation_exists,
        sl.location_id is not null              as seizure_location_exists,
        ol.location_id is not null              as origin_location_exists,
        dl.location_id is not null              as destination_location_exists
    from {{ ref('stg_cases') }} as c
    left join (select distinct formation_code from {{ ref('stg_formations') }}) as f
        on f.formation_code = c.formation_code
    left join (select distinct location_id from {{ ref('stg_locations') }}) as sl
        on sl.location_id = c.seizure_location_id
    left join (select distinct location_id from {{ ref('stg_locations') }}) as ol
        on ol.location_id = c.origin_location_id
    left join (select distinct location_id from {{ ref('stg_locations') }}) as dl
        on dl.location_id = c.destination_location_id
    where {{ is_live_case('c') }}
    {{ changed_cases_only('c.case_id') }}
),

case_numbers as (
    select
        case_pk, case_id, case_no, formation_code,
        count(*) over (partition by formation_code, case_no) as n_same_case_no
    from {{ ref('stg_cases') }} as c
    where {{ is_live_case('c') }}
),

items as (
    select * from {{ ref('int_seizure_items_hs') }} where not is_deleted {{ changed_cases_only('case_id') }}
),

vehicles as (
    select * from {{ ref('int_case_vehicles') }} where not is_deleted {{ changed_cases_only('case_id') }}
),

persons as (
    select * from {{ ref('int_case_persons_cnic') }} where not is_deleted {{ changed_cases_only('case_id') }}
),

case_officers as (
    select * from {{ ref('int_case_officers') }} where not is_deleted {{ changed_cases_only('case_id', through_officers=true) }}
),

officers as (
    select *, cast(null as bigint) as case_id from {{ ref('stg_officers') }} where not is_deleted
),

locations as (
    select *, cast(null as bigint) as case_id from {{ ref('stg_locations') }}
),

postings as (
    select
        p.*,
        cast(null as bigint)                    as case_id,
        o.officer_id is not null                as officer_exists,
        f.formation_code is not null            as formation_exists
    from {{ ref('stg_officer_postings') }} as p
    left join (select distinct officer_id from {{ ref('stg_officers') }}) as o
        on o.officer_id = p.officer_id
    left join (select distinct formation_code from {{ ref('stg_formations') }}) as f
        on f.formation_code = p.formation_code
),

checks as (
    -- cases: every live case is in fct_cases, so case issues are all flagged ---------------
    {{ dq_date_checks('cases', 'cases', 'case_pk', 'seizure_at', required=true) }}
    union all
    {{ dq_audit_checks('cases', 'cases', 'case_pk') }}
    union all
    {{ dq_date_checks('cases', 'cases', 'case_pk', 'adjudicated_on', type='date') }}
    union all
    -- within the plausible range, but after today: a day's tolerance for clocks, kept
    {{ dq_check('cases', 'cases', 'case_pk', 'seizure_date_in_future', 'flagged',
                'seizure_date > ' ~ refresh_date_pkt(),
                "'seizure date ' || seizure_date || ' is after the refresh date ' || " ~ refresh_date_pkt()) }}
    union all
    {{ dq_check('cases', 'cases', 'case_pk', 'seizure_after_entry', 'flagged',
                'created_at_utc < seizure_at_utc',
                "'entered at ' || created_at_utc || ' UTC, before the seizure at ' || seizure_at_utc || ' UTC'") }}
    union all
    {{ dq_check('cases', 'cases', 'case_pk', 'unknown_formation_code', 'flagged',
                'not formation_exists',
                "'formation_code ' || " ~ dq_quote('formation_code') ~ " || ' is not a known formation'") }}
    union all
    {% for loc in ['seizure', 'origin', 'destination'] %}
    {{ dq_check('cases', 'cases', 'case_pk', 'unknown_' ~ loc ~ '_location_id', 'flagged',
                clean_text(loc ~ '_location_id_raw') ~ ' is not null and not ' ~ loc ~ '_location_exists',
                "'" ~ loc ~ "_location_id ' || " ~ dq_quote(loc ~ '_location_id_raw') ~ " || ' is not a known location'") }}
    union all
    {% endfor %}
    {{ dq_check('cases', 'cases', 'case_pk', 'status_outcome_inconsistent', 'flagged',
                '(adjudication_outcome is not null and status in ' ~ sql_list(pre_adjudication_statuses()) ~ ')'
                ~ ' or (adjudication_outcome is null and status in ' ~ sql_list(outcome_required_statuses()) ~ ')',
                "'status ' || status || ' with adjudication_outcome ' || coalesce(adjudication_outcome, 'NULL')") }}
    union all
    {{ dq_check('cases', 'cases', 'case_pk', 'invalid_status', 'flagged',
                'status is null or status not in ' ~ sql_list(case_statuses()),
                "'status ' || " ~ dq_quote('status') ~ " || ' is not a contract status'") }}
    union all
    {{ dq_check('cases', 'cases', 'case_pk', 'invalid_adjudication_outcome', 'flagged',
                'adjudication_outcome not in ' ~ sql_list(adjudication_outcomes()),
                "'adjudication_outcome ' || " ~ dq_quote('adjudication_outcome') ~ " || ' is not a contract outcome'") }}
    union all
    {{ dq_check('cases', 'cases', 'case_pk', 'invalid_detection_method', 'flagged',
                'detection_method is null or detection_method not in ' ~ sql_list(detection_methods()),
                "'detection_method ' || " ~ dq_quote('detection_method') ~ " || ' is not a contract method'") }}
    union all
    {{ dq_check('cases', 'cases', 'case_pk', 'invalid_offence_nature', 'flagged',
                'offence_nature is null or offence_nature not in ' ~ sql_list(offence_natures()),
                "'offence_nature ' || " ~ dq_quote('offence_nature') ~ " || ' is not a contract offence'") }}
    union all
    {{ dq_bad_number('cases', 'cases', 'case_pk', 'redemption_fine_pkr') }}
    union all
    {{ dq_bad_number('cases', 'cases', 'case_pk', 'personal_penalty_pkr') }}
    union all
    {{ dq_check('cases', 'case_numbers', 'case_pk', 'duplicate_case_no', 'flagged',
                'case_no is not null and n_same_case_no > 1',
                "'case_no ' || case_no || ' of ' || coalesce(formation_code, 'NULL') || ' is on ' || n_same_case_no || ' live cases'") }}

    -- seizure_items ----------------------------------------------------------------------
    union all
    {{ dq_orphan('seizure_items', 'items', 'item_pk') }}
    union all
    {{ dq_check('seizure_items', 'items', 'item_pk', 'missing_hs_code', 'flagged',
                'is_live and ' ~ clean_text('hs_code_raw') ~ ' is null', "'hs_code is missing'") }}
    union all
    {{ dq_check('seizure_items', 'items', 'item_pk', 'unparseable_hs_code', 'flagged',
                "is_live and hs_code_status = 'UNPARSEABLE' and " ~ clean_text('hs_code_raw') ~ ' is not null',
                "'hs_code ' || " ~ dq_quote('hs_code_raw') ~ " || ' has fewer than 4 digits'") }}
    union all
    {{ dq_check('seizure_items', 'items', 'item_pk', 'unknown_hs_code', 'flagged',
                "is_live and hs_code_status = 'UNKNOWN_CODE'",
                "'hs_code ' || " ~ dq_quote('hs_code_raw') ~ " || ' (' || hs_digits || ') is not in the HS nomenclature'") }}
    union all
    {{ dq_bad_number('seizure_items', 'items', 'item_pk', 'quantity', 'is_live', scale=quantity_scale()) }}
    union all
    {{ dq_bad_number('seizure_items', 'items', 'item_pk', 'value_pkr', 'is_live') }}
    union all
    {{ dq_audit_checks('seizure_items', 'items', 'item_pk', 'is_live') }}

    -- case_vehicles ----------------------------------------------------------------------
    union all
    {{ dq_orphan('case_vehicles', 'vehicles', 'case_vehicle_pk') }}
    union all
    {{ dq_bad_number('case_vehicles', 'vehicles', 'case_vehicle_pk', 'value_pkr', 'is_live') }}
    union all
    {{ dq_non_integer('case_vehicles', 'vehicles', 'case_vehicle_pk', 'model_year', 'is_live') }}
    union all
    {{ dq_audit_checks('case_vehicles', 'vehicles', 'case_vehicle_pk', 'is_live') }}

    -- case_persons -----------------------------------------------------------------------
    union all
    {{ dq_orphan('case_persons', 'persons', 'case_person_pk') }}
    union all
    {{ dq_check('case_persons', 'persons', 'case_person_pk', 'invalid_cnic', 'flagged',
                "is_live and cnic_status = 'INVALID'",
                "'cnic ' || " ~ dq_quote('cnic_raw') ~ " || ' is not a valid CNIC'") }}
    union all
    {{ dq_date_checks('case_persons', 'persons', 'case_person_pk', 'date_of_birth', type='date', kind='birth',
                      condition='is_live') }}
    union all
    {{ dq_audit_checks('case_persons', 'persons', 'case_person_pk', 'is_live') }}

    -- case_officers ----------------------------------------------------------------------
    union all
    {{ dq_check('case_officers', 'case_officers', 'case_officer_pk', 'incomplete_key', 'quarantined',
                'is_key_incomplete',
                "'key (case_id, officer_id, role) is incomplete: ' || " ~ dq_quote('case_id_raw') ~ " || ', ' || "
                ~ dq_quote('officer_id_raw') ~ " || ', ' || " ~ dq_quote('role') ) }}
    union all
    {{ dq_orphan('case_officers', 'case_officers', 'case_officer_pk') }}
    union all
    {{ dq_check('case_officers', 'case_officers', 'case_officer_pk', 'unknown_officer', 'quarantined',
                'is_officer_missing',
                "'officer ' || " ~ dq_quote('officer_id_raw') ~ " || ' does not exist'") }}
    union all
    {{ dq_check('case_officers', 'case_officers', 'case_officer_pk', 'officer_deleted', 'flagged',
                "is_in_marts and officer_state = 'deleted'",
                "'officer ' || officer_id || ' is deleted'") }}
    union all
    {{ dq_audit_checks('case_officers', 'case_officers', 'case_officer_pk', 'is_in_marts') }}

    -- officers and locations (reference data, never quarantined) -------------------------
    union all
    {{ dq_audit_checks('officers', 'officers', 'officer_pk') }}
    union all
    {{ dq_bad_coordinate('locations', 'locations', 'location_pk', 'latitude') }}
    union all
    {{ dq_bad_coordinate('locations', 'locations', 'location_pk', 'longitude') }}
    union all
    {{ dq_audit_checks('locations', 'locations', 'location_pk', deletable=false) }}

    -- officer_postings (never deleted): flagged only; a posting that cannot cover a
    -- seizure date simply never matches, and the case's formation is used instead -------
    union all
    {{ dq_check('officer_postings', 'postings', 'posting_pk', 'unknown_officer', 'flagged',
                'not officer_exists', "'officer ' || " ~ dq_quote('officer_id_raw') ~ " || ' does not exist'") }}
    union all
    {{ dq_check('officer_postings', 'postings', 'posting_pk', 'unknown_formation_code', 'flagged',
                'not formation_exists',
                "'formation_code ' || " ~ dq_quote('formation_code') ~ " || ' is not a known formation'") }}
    union all
    {{ dq_date_checks('officer_postings', 'postings', 'posting_pk', 'posted_from', type='date') }}
    union all
    {{ dq_date_checks('officer_postings', 'postings', 'posting_pk', 'posted_to', type='date') }}
    union all
    {{ dq_check('officer_postings', 'postings', 'posting_pk', 'invalid_posting_period', 'flagged',
                'posted_from is null or posted_to < posted_from',
                "'posted_from ' || coalesce(cast(posted_from as varchar), 'NULL') || ', posted_to ' || coalesce(cast(posted_to as varchar), 'NULL')") }}
    union all
    {{ dq_audit_checks('officer_postings', 'postings', 'posting_pk', deletable=false) }}
)

-- Rows that share a key (SQLite lets a composite key with a NULL repeat) are one issue.
select
    source_table,
    source_pk,
    check_name,
    any_value(severity)                         as severity,
    min(detail) || case when count(*) > 1 then ' (' || count(*) || ' source rows with this key)' else '' end as detail,
    -- rows sharing a key share its case: the case_id text is part of every composite key
    min(case_id)                                as case_id
from checks
group by source_table, source_pk, check_name
