select
    {{ parse_int('officer_id') }}                        as officer_id,
    {{ clean_text('service_no') }}                       as service_no,
    {{ clean_text('full_name') }}                        as full_name,
    {{ clean_text('designation') }}                      as designation,
    {{ parse_utc_timestamp('created_at') }}              as created_at_utc,
    {{ parse_utc_timestamp('updated_at') }}              as updated_at_utc,
    {{ parse_utc_timestamp('deleted_at') }}              as deleted_at_utc,
    {{ is_deleted('deleted_at') }}                       as is_deleted
from {{ source('raw', 'officers') }}
