-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', database=target.database, schema='intermediate',
          pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Per live case: its people as counts and code lists only, the one way the non-nominal
-- feeds (cen, psw) may show persons. A table in the build database's intermediate schema,
-- which publication leaves out (as feed__item_facts). Codes are sorted and `;`-joined; a
-- case without persons has n_offenders 0 and NULL lists.
--   nationality  ISO 3166-1 alpha-2 as recorded when it is two letters, else `unknown`
--   gender       M / F, else `unknown`
--   age band     completed years at the seizure date: <18, 18-24, 25-34, 35-44, 45-54, 55+;
--                `unknown` without a date of birth or seizure date, or an age outside 0-120
with persons as (
    select
        p.case_id,
        case
            when regexp_full_match(upper(trim(p.nationality)), '[A-Z]{2}') then upper(trim(p.nationality))
            else 'unknown'
        end                                                     as nationality_code,
        case when upper(trim(p.gender)) in ('M', 'F') then upper(trim(p.gender)) else 'unknown' end
                                                                as gender_code,
        case
            when p.date_of_birth is null or p.seizure_date is null then null
            else date_sub('year', p.date_of_birth, p.seizure_date)
        end                                                     as age_years
    from {{ ref('fct_case_persons') }} as p
    {% if is_incremental() %}
    where {{ in_changed_cases('p.case_id') }}
    {% endif %}
),

banded as (
    select
        case_id,
        nationality_code,
        gender_code,
        case
            when age_years is null or age_years < 0 or age_years > 120 then 'unknown'
            when age_years < 18 then '<18'
            when age_years < 25 then '18-24'
            when age_years < 35 then '25-34'
            when age_years < 45 then '35-44'
            when age_years < 55 then '45-54'
            else '55+'
        end                                                     as age_band
    from persons
)

select
    case_id,
    count(*) over per_case                                      as n_offenders,
    {{ joined_distinct('nationality_code', 'per_case') }}       as offender_nationalities,
    {{ joined_distinct('gender_code', 'per_case') }}            as offender_genders,
    {{ joined_distinct('age_band', 'per_case') }}               as offender_age_bands
from banded
window per_case as (partition by case_id)
qualify row_number() over per_case = 1
