"""Write a large synthetic raw layer straight into a DuckDB warehouse, for timing `dbt build`.

    uv run python dbt_project/scripts/synthetic_raw.py OUT.duckdb [--cases 1000000]
    export ANTISMUGGLING_WAREHOUSE_PATH=OUT.duckdb ANTISMUGGLING_NEXT_SNAPSHOT_PATH=OUT-next-snapshot.duckdb
    uv run dbt build --project-dir dbt_project --profiles-dir dbt_project

The rows follow the operational-store contract as the load pipeline mirrors it (schema
`raw`, every column VARCHAR) and carry the contract's mess at realistic rates: timestamps
in several formats, soft-deleted duplicate cases, HS codes typed every way (dots, lost
leading zeros, headings only, unknown codes, words), vehicles seized again and again with
their numbers typed differently (and placeholders like `UNREGISTERED`, `N/A`, `0`), repeat
offenders with CNIC variants, officers transferred between formations, orphans and
unknown officers. Everything is derived from `hash()` of the row number, so a given
`--cases` always writes the same rows.

Per case (defaults): ~2.5 items, ~0.8 vehicles, ~1.5 persons, ~2 case_officers rows.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from antismuggling import changes

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def build(path: Path, n_cases: int) -> dict[str, int]:
    con = duckdb.connect(str(path))
    con.execute("set preserve_insertion_order = false")
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists reference")
    con.execute(
        "create or replace table reference.hs_nomenclature "
        "(section varchar, hscode varchar, description varchar, parent varchar, level varchar)"
    )
    # r(i, salt): a deterministic pseudo-random integer in [0, 1e9) for row i.
    con.execute("create or replace macro r(i, salt) as (hash(i, salt) % 1000000000)::bigint")
    con.execute(f"set variable n_cases = {n_cases}")

    sql = f"""
    create or replace table raw.formations as
    select code as formation_code, 'Formation ' || code as name,
           case when code like 'II-%' then 'II_DIRECTORATE' else 'ENFORCEMENT_COLLECTORATE' end as kind,
           'Region ' || (i % 5) as region, 'City ' || i as city, null::varchar as parent_code,
           '2015-01-01 00:00:00' as created_at, '2015-01-01 00:00:00' as updated_at
    from (select i, (case when i % 2 = 0 then 'II-' else 'CE-' end) || chr((65 + i // 26 % 26)::int) || chr((65 + i % 26)::int) || chr((65 + (i * 7) % 26)::int) as code
          from range(30) t(i));

    create or replace table raw.locations as
    select i::varchar as location_id, 'Place ' || i as name,
           (['BORDER_CROSSING','CHECKPOST','HIGHWAY','CITY','SEAPORT','AIRPORT','DRY_PORT','WAREHOUSE','COASTAL'])[1 + i % 9] as kind,
           'District ' || (i % 40) as district, 'Province ' || (i % 6) as province,
           (['PK','PK','PK','AF','IR','CN'])[1 + i % 6] as country,
           (24 + (i % 130) / 10.0)::varchar as latitude, (61 + (i % 150) / 10.0)::varchar as longitude,
           '2015-01-01 00:00:00' as created_at, '2015-01-01 00:00:00' as updated_at
    from range(1, 301) t(i);

    create or replace table raw.officers as
    select i::varchar as officer_id, 'S-' || i as service_no, 'Officer ' || i as full_name,
           (['Sepoy','Inspector','Intelligence Officer','Superintendent','Assistant Director'])[1 + i % 5] as designation,
           '2015-01-01 00:00:00' as created_at, '2015-01-01 00:00:00' as updated_at,
           case when i % 97 = 0 then '2023-01-01 00:00:00' end as deleted_at
    from range(1, 8001) t(i);

    -- two or three postings each; a transfer on a pseudo-random day
    create or replace table formation_list as
    select formation_code, row_number() over (order by formation_code) - 1 as k from raw.formations;

    create or replace table raw.officer_postings as
    with o as (select i, (date '2019-01-01' + (r(i, 1) % 2000)::int) as transfer1,
                      (date '2019-01-01' + (r(i, 1) % 2000)::int + 200 + (r(i, 2) % 600)::int) as transfer2
               from range(1, 8001) t(i)),
    p as (
        select i, 1 as k, date '2015-01-01' as f, transfer1 - 1 as t from o
        union all select i, 2, transfer1, case when i % 3 = 0 then transfer2 - 1 end from o
        union all select i, 3, transfer2, null from o where i % 3 = 0
    )
    select (p.i * 3 + p.k)::varchar as posting_id, p.i::varchar as officer_id,
           fl.formation_code,
           f::varchar as posted_from, t::varchar as posted_to,
           '2015-01-01 00:00:00' as created_at, '2015-01-01 00:00:00' as updated_at
    from p join formation_list fl on fl.k = r(p.i, 10 + p.k) % 30;

    create or replace table raw.cases as
    with base as (
        select i,
               timestamp '2019-01-01 00:00:00' + to_seconds((r(i, 3) % (7 * 365 * 86400))::bigint) as seizure_ts,
               r(i, 4) as x
        from range(1, getvariable('n_cases') + 1) t(i)
    )
    select
        i::varchar as case_id,
        'C-' || i as case_no,
        fl.formation_code,
        case i % 4
            when 0 then strftime(seizure_ts, '%Y-%m-%d %H:%M:%S')
            when 1 then strftime(seizure_ts, '%Y-%m-%dT%H:%M:%SZ')
            when 2 then strftime(seizure_ts, '%Y-%m-%d %H:%M:%S') || '+00'
            else strftime(seizure_ts, '%Y-%m-%dT%H:%M:%S')
        end as seizure_at,
        (1 + r(i, 5) % 300)::varchar as seizure_location_id,
        case when i % 10 <> 0 then (1 + r(i, 6) % 300)::varchar end as origin_location_id,
        case when i % 7 <> 0 then (1 + r(i, 7) % 300)::varchar end as destination_location_id,
        'N-25 via Surab' as route_via,
        (['INTELLIGENCE','MOBILE_PATROL','CHECKPOST','SCANNER','RAID','RISK_PROFILING','OTHER'])[1 + (x // 7) % 7] as detection_method,
        (['SMUGGLING','NCP_VEHICLE','BANNED_GOODS','NARCOTICS','CURRENCY','MISDECLARATION','TRANSIT_PILFERAGE','OTHER'])[1 + (x // 11) % 8] as offence_nature,
        '2(s), 16, 157' as legal_sections,
        (['SEIZED','SCN_ISSUED','ADJUDICATED','APPEAL','CLOSED'])[1 + (x // 13) % 5] as status,
        case when (x // 13) % 5 >= 2 then (['CONFISCATED','CONFISCATED','REDEEMED','RELEASED','ACQUITTED'])[1 + (x // 17) % 5] end as adjudication_outcome,
        case when (x // 13) % 5 >= 2 then (seizure_ts::date + 100)::varchar end as adjudicated_on,
        null::varchar as redemption_fine_pkr, null::varchar as personal_penalty_pkr, null::varchar as fir_no, null::varchar as remarks,
        strftime(seizure_ts + to_days(case when x % 20 = 0 then 30 + (x // 19) % 200 else (x // 19) % 9 end::int), '%Y-%m-%d %H:%M:%S') as created_at,
        strftime(seizure_ts + to_days(250), '%Y-%m-%d %H:%M:%S') as updated_at,
        -- 1 % are the soft-deleted copy of a duplicate
        case when i % 100 = 37 then strftime(seizure_ts + to_days(260), '%Y-%m-%d %H:%M:%S') end as deleted_at
    from base join formation_list fl on fl.k = base.x % 30;

    create or replace table hs_pool as
    select hscode, row_number() over (order by hscode) - 1 as k
    from read_csv('{SEEDS / "hs_compact_nomenclature.csv"}', all_varchar = true)
    where level = '6';

    create or replace table raw.seizure_items as
    with base as (
        select i, 1 + (i * 2 // 5)::bigint as case_id0, r(i, 8) as x
        from range(1, (getvariable('n_cases') * 5 // 2) + 1) t(i)
    ),
    coded as (
        select base.*, h.hscode as code from base join hs_pool h on h.k = base.x % (select count(*) from hs_pool)
    )
    select
        i::varchar as item_id,
        case when i % 5000 = 0 then (getvariable('n_cases') + 10 + i)::varchar else least(case_id0, getvariable('n_cases'))::varchar end as case_id,
        case (x // 100) % 20
            when 0 then left(code, 4) || '.' || substr(code, 5, 2)
            when 1 then left(code, 4) || '.' || substr(code, 5, 2) || '00'
            when 2 then ltrim(code, '0')                                  -- lost leading zero
            when 3 then left(code, 4)                                     -- heading only
            when 4 then left(code, 4) || '99'                             -- unknown subheading
            when 5 then 'cigarettes'
            when 6 then null
            else left(code, 4) || '.' || substr(code, 5, 2) || '.00'
        end as hs_code,
        'goods' as description,
        ((x // 1000) % 500)::varchar as quantity,
        (['KG','kgs','Kg.','LTR','PCS','Nos','CTN'])[1 + (x // 7) % 7] as unit,
        case when x % 50 = 0 then null else (((x // 3) % 5000000) / 100.0)::decimal(18, 2)::varchar end as value_pkr,
        'AF' as origin_country, null::varchar as concealment,
        '2024-01-01 00:00:00' as created_at, '2024-01-01 00:00:00' as updated_at,
        case when i % 200 = 3 then '2024-02-01 00:00:00' end as deleted_at
    from coded;

    -- ~0.8 vehicles per case drawn from a pool of 0.5 vehicles per case, skewed so some
    -- vehicles come back many times; numbers typed a different way each time.
    create or replace table raw.case_vehicles as
    with base as (
        select i, 1 + (i * 5 // 4)::bigint as case_id0, r(i, 9) as x,
               -- skewed pick from the pool: small ids are picked much more often
               (1 + floor(pow((r(i, 10) % 1000000) / 1000000.0, 2.5) * getvariable('n_cases') / 2))::bigint as v
        from range(1, (getvariable('n_cases') * 4 // 5) + 1) t(i)
    ),
    typed as (
        select base.*,
               'LE' || chr((65 + v % 26)::int) || lpad((v % 100000)::varchar, 5, '0') as reg,
               'CH' || lpad(v::varchar, 10, '0') as chassis,
               'EN' || lpad((v * 7)::varchar, 9, '0') as engine
        from base
    )
    select
        i::varchar as case_vehicle_id,
        least(case_id0, getvariable('n_cases'))::varchar as case_id,
        case x % 9
            when 0 then 'UNREGISTERED' when 1 then 'N/A' when 2 then lower(left(reg, 3) || ' ' || substr(reg, 4))
            when 3 then left(reg, 3) || '-' || substr(reg, 4) when 4 then '0'
            -- a registration typed for another vehicle now and then links two chains
            when 5 then case when x % 1000 = 5 then 'LEZ' || lpad(((x // 9) % 100000)::varchar, 5, '0') else reg end
            else reg
        end as registration_no,
        case (x // 9) % 5
            when 0 then null when 1 then left(chassis, 4) || '-' || substr(chassis, 5) when 2 then lower(chassis)
            else chassis
        end as chassis_no,
        case (x // 45) % 4 when 0 then null when 1 then 'NIL' else engine end as engine_no,
        'Toyota' as make, 'Hilux' as model, 'White' as colour, '2015' as model_year,
        'PICKUP' as vehicle_type, 'CONVEYANCE' as involvement, '0' as confiscated_u_s_157,
        case when x % 3 = 0 then ((x % 3000000) + 500000)::varchar end as value_pkr,
        '2024-01-01 00:00:00' as created_at, '2024-01-01 00:00:00' as updated_at,
        case when i % 300 = 7 then '2024-02-01 00:00:00' end as deleted_at
    from typed;

    create or replace table raw.case_persons as
    with base as (
        select i, 1 + (i * 2 // 3)::bigint as case_id0, r(i, 11) as x,
               (1 + floor(pow((r(i, 12) % 1000000) / 1000000.0, 2) * getvariable('n_cases')))::bigint as p
        from range(1, (getvariable('n_cases') * 3 // 2) + 1) t(i)
    ),
    typed as (select base.*, (3 + p % 4)::varchar || lpad(((p * 7919) % 1000000000000)::varchar, 12, '0') as d from base)
    select
        i::varchar as case_person_id,
        least(case_id0, getvariable('n_cases'))::varchar as case_id,
        case x % 10
            when 0 then left(d, 5) || '-' || substr(d, 6, 7) || '-' || right(d, 1)
            when 1 then left(d, 5) || ' ' || substr(d, 6, 7) || ' ' || right(d, 1)
            when 2 then 'N/A'
            when 3 then null
            when 4 then left(d, 12)
            else d
        end as cnic,
        null::varchar as passport_no, 'Person ' || p || case when x % 3 = 0 then ' Khan' else '' end as full_name,
        null::varchar as father_name, 'M' as gender, null::varchar as date_of_birth, 'PK' as nationality,
        null::varchar as home_district,
        (['DRIVER','CLEANER','OWNER_OF_GOODS','OWNER_OF_VEHICLE','FINANCIER','CARRIER','RECEIVER','PASSENGER','OTHER'])[1 + (x // 10) % 9] as role,
        'ARRESTED' as custody_status,
        '2024-01-01 00:00:00' as created_at, '2024-01-01 00:00:00' as updated_at,
        case when i % 250 = 9 then '2024-02-01 00:00:00' end as deleted_at
    from typed;

    -- two rows per case: mostly two officers, sometimes one officer in two roles;
    -- 0.1 % of officer ids do not exist
    create or replace table raw.case_officers as
    with base as (
        select c, k, r(c * 2 + k, 13) as x
        from range(1, getvariable('n_cases') + 1) t(c), range(2) u(k)
    )
    select
        c::varchar as case_id,
        case when x % 1000 = 0 then 99999
             when k = 1 and x % 5 = 0 then 1 + (r(c * 2, 13) % 8000)
             else 1 + (x % 8000) end::varchar as officer_id,
        (['SEIZING_OFFICER','TEAM_MEMBER'])[1 + k] as role,
        '2024-01-01 00:00:00' as created_at, '2024-01-01 00:00:00' as updated_at,
        case when (c * 2 + k) % 400 = 1 then '2024-02-01 00:00:00' end as deleted_at
    from base;

    drop table formation_list;
    drop table hs_pool;
    """
    con.execute(sql)
    counts = {
        t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
        for t in ("formations", "locations", "officers", "officer_postings", "cases", "seizure_items",
                  "case_vehicles", "case_persons", "case_officers")
    }
    # the raw layer is new: the next build rebuilds every case (antismuggling.changes)
    changes.ensure_tables(con)
    changes.record_all(con, "synthetic_raw")
    con.execute("checkpoint")
    con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.exists():
        args.out.unlink()
    started = time.perf_counter()
    counts = build(args.out, args.cases)
    for table, n in counts.items():
        print(f"raw.{table}: {n:,}")
    print(f"written in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
