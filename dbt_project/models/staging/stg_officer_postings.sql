select
    {{ parse_int('posting_id') }}                        as posting_id,
    trim(posting_id)                                     as posting_pk,
    {{ parse_int('officer_id') }}                        as officer_id,
    officer_id                                           as officer_id_raw,
    {{ clean_text('formation_code') }}                   as formation_code,
    {{ parse_date('posted_from') }}                      as posted_from,
    posted_from                                          as posted_from_raw,
    {{ parse_date('posted_to') }}                        as posted_to,
    posted_to                                            as posted_to_raw,
    {{ audit_columns(deletable=false) }}
from {{ source('raw', 'officer_postings') }}
