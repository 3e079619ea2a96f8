-- dim_offenders holds exactly the valid CNICs of live case persons of live cases: each a
-- VALID CNIC of int_case_persons_cnic, none missing; invalid CNICs never make an offender.
with valid as (
    select distinct cnic
    from {{ ref('int_case_persons_cnic') }}
    where is_live and cnic_status = 'VALID'
)

select 'not a valid live CNIC' as problem, d.cnic
from {{ ref('dim_offenders') }} as d
where d.cnic is null or d.cnic not in (select cnic from valid where cnic is not null)
union all
select 'valid live CNIC missing from dim_offenders', v.cnic
from valid as v
where v.cnic not in (select cnic from {{ ref('dim_offenders') }} where cnic is not null)
