select
    {{ parse_int('posting_id') }}                        as posting_id,
    trim(posting_id)                                     as posting_pk,
    {{ parse_int('officer_id') }}                        as officer_id,
    {{ clean_text('formation_code') }}                   as formation_code,
    {{ parse_date('posted_from') }}                      as posted_from,
    {{ parse_date('posted_to') }}                        as posted_to,
    {{ parse_utc_timestamp('created_at') }}              as created_at_utc,
    {{ parse_utc_timestamp('updated_at') }}              as updated_at_utc
from {{ source('raw', 'officer_postings') }}
