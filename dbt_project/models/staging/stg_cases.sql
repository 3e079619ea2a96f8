-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

with parsed as (
    select
        {{ parse_int('case_id') }}                       as case_id,
        trim(case_id)                                    as case_pk,
        {{ clean_text('case_no') }}                      as case_no,
        {{ clean_text('formation_code') }}               as formation_code,
        {{ parse_utc_timestamp('seizure_at') }}          as seizure_at_utc,
        seizure_at                                       as seizure_at_raw,
        {{ parse_int('seizure_location_id') }}           as seizure_location_id,
        seizure_location_id                              as seizure_location_id_raw,
        {{ parse_int('origin_location_id') }}            as origin_location_id,
        origin_location_id                               as origin_location_id_raw,
        {{ parse_int('destination_location_id') }}       as destination_location_id,
        destination_location_id                          as destination_location_id_raw,
        {{ clean_text('route_via') }}                    as route_via,
        {{ clean_code('detection_method') }}             as detection_method,
        {{ clean_code('offence_nature') }}               as offence_nature,
        {{ clean_text('legal_sections') }}               as legal_sections,
        {{ clean_code('status') }}                       as status,
        {{ clean_code('adjudication_outcome') }}         as adjudication_outcome,
        {{ parse_date('adjudicated_on') }}               as adjudicated_on,
        adjudicated_on                                   as adjudicated_on_raw,
        {{ parse_money('redemption_fine_pkr') }}         as redemption_fine_pkr,
        redemption_fine_pkr                              as redemption_fine_pkr_raw,
        {{ parse_money('personal_penalty_pkr') }}        as personal_penalty_pkr,
        personal_penalty_pkr                             as personal_penalty_pkr_raw,
        {{ clean_text('fir_no') }}                       as fir_no,
        {{ clean_text('remarks') }}                      as remarks,
        {{ audit_columns() }}
    from {{ source('raw', 'cases') }}
    {% if is_incremental() %}
    where {{ raw_in_changed_cases('case_id') }}
    {% endif %}
)

select
    *,
    {{ pkt_date('seizure_at_utc') }}                     as seizure_date,
    {{ pkt_date('created_at_utc') }}                     as created_date
from parsed
