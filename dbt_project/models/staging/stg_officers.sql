select
    {{ parse_int('officer_id') }}                        as officer_id,
    trim(officer_id)                                     as officer_pk,
    {{ clean_text('service_no') }}                       as service_no,
    {{ clean_text('full_name') }}                        as full_name,
    {{ clean_text('designation') }}                      as designation,
    {{ audit_columns() }}
from {{ source('raw', 'officers') }}
