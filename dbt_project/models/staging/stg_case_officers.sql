select
    {{ parse_int('case_id') }}                           as case_id,
    {{ parse_int('officer_id') }}                        as officer_id,
    {{ clean_code('role') }}                             as role,
    -- the composite primary key as the source holds it: `case_id|officer_id|role`
    concat_ws('|', trim(case_id), trim(officer_id), trim(role)) as case_officer_pk,
    case_id                                              as case_id_raw,
    officer_id                                           as officer_id_raw,
    {{ audit_columns() }}
from {{ source('raw', 'case_officers') }}
