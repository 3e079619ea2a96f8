select
    {{ parse_int('location_id') }}                       as location_id,
    {{ clean_text('name') }}                             as location_name,
    {{ clean_code('kind') }}                             as location_kind,
    {{ clean_text('district') }}                         as district,
    {{ clean_text('province') }}                         as province,
    {{ clean_code('country') }}                          as country,
    {{ parse_double('latitude') }}                       as latitude,
    {{ parse_double('longitude') }}                      as longitude,
    {{ parse_utc_timestamp('created_at') }}              as created_at_utc,
    {{ parse_utc_timestamp('updated_at') }}              as updated_at_utc
from {{ source('raw', 'locations') }}
