-- depends_on: {{ ref('int_touched_offenders') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "offenders"}) }}

-- One row per resolved person: the live case persons of live cases with a VALID CNIC
-- (int_case_persons_cnic), merged on the formatted CNIC. A person without a valid CNIC is
-- never merged with anyone and is not a resolved person, so is not here.
--
-- offender_key      md5 of the formatted CNIC: an opaque, stable key (not a privacy measure).
-- n_cases           distinct live cases the CNIC appears in (several rows of one case count once).
-- total_value_pkr   sum of fct_cases.total_value_pkr over those distinct cases.
-- n_co_offenders    distinct other resolved people (other valid CNICs) in those cases.
-- n_vehicles        distinct vehicle_keys (mart_vehicle_recidivism) in those cases.
-- roles / names_seen distinct roles / full names typed, sorted.
--
-- A row depends only on the person's cases (and their vehicles): an incremental build
-- rebuilds the touched people (int_touched_offenders, macros/changed_cases.sql).
with everyone as (
    select case_person_id, case_id, cnic, full_name, role, custody_status
    from {{ ref('int_case_persons_cnic') }}
    where is_live and cnic is not null
),

persons as (
    select * from everyone
    {% if is_incremental() %}
    where {{ in_touched_offenders(offender_key('cnic')) }}
    {% endif %}
),

person_cases as (
    select distinct cnic, case_id from persons
),

everyone_cases as (
    select distinct cnic, case_id from everyone
),

case_facts as (
    select
        pc.cnic,
        count(*)                                     as n_cases,
        count(distinct c.formation_code)             as n_formations,
        min(c.seizure_date)                          as first_seen_date,
        max(c.seizure_date)                          as last_seen_date,
        sum(c.total_value_pkr)                       as total_value_pkr
    from person_cases as pc
    inner join {{ ref('fct_cases') }} as c
        on c.case_id = pc.case_id
    group by pc.cnic
),

typed as (
    select
        cnic,
        count(*) over per_person                     as n_appearances,
        {{ sorted_distinct('role', 'per_person') }}  as roles,
        {{ sorted_distinct('full_name', 'per_person') }} as names_seen,
        count(*) filter (where custody_status = 'ARRESTED') over per_person as n_times_arrested
    from persons
    window per_person as (partition by cnic)
    qualify row_number() over per_person = 1
),

co_offenders as (
    select a.cnic, count(distinct b.cnic) as n_co_offenders
    from person_cases as a
    inner join everyone_cases as b
        on b.case_id = a.case_id
       and b.cnic <> a.cnic
    group by a.cnic
),

vehicles as (
    select pc.cnic, count(distinct v.vehicle_key) as n_vehicles
    from person_cases as pc
    inner join {{ ref('mart_vehicle_recidivism') }} as v
        on v.case_id = pc.case_id
    group by pc.cnic
)

select
    {{ offender_key("f.cnic") }}                     as offender_key,
    f.cnic,
    f.n_cases,
    f.n_formations,
    t.roles,
    t.names_seen,
    f.first_seen_date,
    f.last_seen_date,
    f.total_value_pkr,
    coalesce(co.n_co_offenders, 0)                   as n_co_offenders,
    coalesce(v.n_vehicles, 0)                        as n_vehicles,
    f.n_cases >= 2                                   as is_repeat_offender,
    t.n_appearances,
    t.n_times_arrested
from case_facts as f
inner join typed as t on t.cnic = f.cnic
left join co_offenders as co on co.cnic = f.cnic
left join vehicles as v on v.cnic = f.cnic
