-- Batch of suite marts.dim_offenders: every row of the built mart.
select
    offender_key,
    cnic,
    n_cases,
    n_formations,
    first_seen_date,
    last_seen_date,
    is_repeat_offender,
    n_cases >= 2                                                        as has_several_cases
from marts.dim_offenders
