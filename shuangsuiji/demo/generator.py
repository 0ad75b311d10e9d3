"""Deterministic synthetic populations for the demo and the benchmarks (pure Python, no Django).

``generate(scale, seed=..., today=...)`` returns a ``Population`` of plain rows (NamedTuples) that the
Django shell (``seed_demo``) stores and the engine benchmarks feed to the engine directly. The same
scale, seed and ``today`` always give the same population, row for row, on every machine.

Scales (``SCALES``)::

    tiny      demo Baoding's real tree, 800 targets, 150 inspectors (tests)
    baoding   demo Baoding: 22 real county-level jurisdictions, ~12,000 targets, ~400 inspectors
    hebei     Hebei's 11 cities (+ 雄安, 定州, 辛集) and ~190 counties, 150,000 targets, 5,000 inspectors
    national  31 provinces, ~3,000 jurisdictions, 1,000,000 targets, 50,000 inspectors

Below the province, the national scale's names and codes are synthetic except Hebei's; all codes are
6-digit and every code in positions 3–8 of a credit code is the target's own county. See
``shuangsuiji/demo/data/divisions.py`` for what was verified about Baoding's divisions and why 雄安's
three counties and 定州 are not part of demo Baoding.

The API (all rows are NamedTuples of str/int/bool/date/float/tuple)::

    population = generate("baoding", seed=2021, today=date(2021, 12, 20))
    population.jurisdictions   list[JurisdictionRow]  code, name, level, parent_code, bureau_name (parents first)
    population.departments     list[DepartmentRow]    code, jurisdiction_code, name, has_enforcement_duty
    population.specialties     tuple[Specialty]       code, name
    population.check_items     list[CheckItemRow]     code, name, legal_basis, content, jurisdiction_code,
                                                      list_level, responsible_department, cooperating_departments,
                                                      categories, specialty, check_method, industries
                                                      (departments by code)
    population.inspectors      list[InspectorRow]     certificate_number, name, jurisdiction_code, department_code,
                                                      specialties, certificate_expiry, status, is_double_random,
                                                      is_external, external_kind, organisation, qualifications, phone
    population.recusals        list[RecusalRow]       certificate_number, credit_code, reason
    population.targets         TargetStream           re-iterable, len(); yields TargetRow one county after the
                                                      other without holding them all: credit_code, name,
                                                      jurisdiction_code, address, industry_code, industry_name,
                                                      longitude, latitude, legal_representative, contact_name,
                                                      contact_phone, permit_number, category, category_reason,
                                                      positive_list, status, defunct_date, defunct_reason,
                                                      registered_on, outlets (tuple[OutletRow]: code, name, kind,
                                                      online_monitored)
    population.targets.counts  dict[county code, number of targets]

Proportions (per county, so every county has each kind): about 9% key units (trades with heavy
emissions far more often), 3% special-supervision units (the reason one of the seed's three criteria),
2% on the positive list, 4% defunct with a date in the last two years; key and special units have
outlets (DA… air, DW… water, codes as in 排污许可) with online monitoring. About 3% of inspectors are
outside experts, a few officers' certificates have expired or expire within 60 days of ``today``, a few
are on leave or have left, and 1.5% of officers have a recusal.

Everything random comes from ``random.Random`` seeded by strings (hashed with SHA-512, so independent
of PYTHONHASHSEED); a target's credit code depends only on (seed, county, serial), so recusals can name
targets without generating them.
"""

import hashlib
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from shuangsuiji.demo.data import catalog, divisions
from shuangsuiji.engine.creditcode import CHARSET, VALUE, WEIGHTS

# ----------------------------------------------------------------------------------------------- rows


class JurisdictionRow(NamedTuple):
    code: str
    name: str
    level: str  # province / city / county
    parent_code: str | None
    bureau_name: str


class DepartmentRow(NamedTuple):
    code: str
    jurisdiction_code: str
    name: str
    has_enforcement_duty: bool


class CheckItemRow(NamedTuple):
    code: str
    name: str
    legal_basis: str
    content: str
    jurisdiction_code: str
    list_level: str
    responsible_department: str
    cooperating_departments: tuple[str, ...]
    categories: tuple[str, ...]
    specialty: str | None
    check_method: str
    industries: str


class OutletRow(NamedTuple):
    code: str
    name: str
    kind: str  # air / water
    online_monitored: bool


class TargetRow(NamedTuple):
    credit_code: str
    name: str
    jurisdiction_code: str
    address: str
    industry_code: str
    industry_name: str
    longitude: float
    latitude: float
    legal_representative: str
    contact_name: str
    contact_phone: str
    permit_number: str
    category: str  # general / key / special
    category_reason: str
    positive_list: bool
    status: str  # active / defunct
    defunct_date: date | None
    defunct_reason: str
    registered_on: date
    outlets: tuple[OutletRow, ...]


class InspectorRow(NamedTuple):
    certificate_number: str
    name: str
    jurisdiction_code: str
    department_code: str
    specialties: tuple[str, ...]
    certificate_expiry: date | None
    status: str  # active / on_leave / left
    is_double_random: bool
    is_external: bool
    external_kind: str
    organisation: str
    qualifications: str
    phone: str


class RecusalRow(NamedTuple):
    certificate_number: str
    credit_code: str
    reason: str


class Scale(NamedTuple):
    name: str
    tree: str  # baoding / hebei / national
    targets: int
    inspectors: int


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", "baoding", 800, 150),
    "baoding": Scale("baoding", "baoding", 12_000, 400),
    "hebei": Scale("hebei", "hebei", 150_000, 5_000),
    "national": Scale("national", "national", 1_000_000, 50_000),
}

DEFAULT_SEED = 2021
KEY_SHARE = 0.09
SPECIAL_SHARE = 0.03
POSITIVE_SHARE = 0.02
DEFUNCT_SHARE = 0.04
EXTERNAL_SHARE = 0.03
RECUSAL_SHARE = 0.015
MIN_COUNTY_INSPECTORS = 6
MIN_CITY_INSPECTORS = 8

# ------------------------------------------------------------------------------------ credit codes

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_NEW_SPACE = 31**6  # "MA" + six characters: the 主体标识码 form issued since 2015
_OLD_SPACE = 10**8  # eight digits: the older 组织机构代码
_NEW_MULTIPLIER = 387_420_489  # 3**18, coprime with 31: serial → body is a bijection
_OLD_MULTIPLIER = 54_435_761  # odd, not a multiple of 5: coprime with 10**8


def _mix(value: int) -> int:
    """A cheap 32-bit integer hash (decisions that must follow from a serial alone)."""
    value &= 0xFFFFFFFF
    value ^= value >> 16
    value = (value * 0x45D9F3B) & 0xFFFFFFFF
    value ^= value >> 16
    value = (value * 0x45D9F3B) & 0xFFFFFFFF
    return value ^ (value >> 16)


def _org_check(body8: str) -> str:
    """GB 11714 check character of an 8-character 组织机构代码 body (A=10 … Z=35)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _gb32100_check(partial: int, tail: str) -> str:
    """Check character given the weighted sum of positions 1–8 and the 9 characters of positions 9–17."""
    total = partial
    for char, weight in zip(tail, WEIGHTS[8:], strict=True):
        total += VALUE[char] * weight
    return CHARSET[(31 - total % 31) % 31]


def _prefix_sum(prefix8: str) -> int:
    return sum(VALUE[c] * w for c, w in zip(prefix8, WEIGHTS[:8], strict=True))


# ------------------------------------------------------------------------------------ the trees


@dataclass
class _County:
    """What target generation needs to know about one county-level jurisdiction."""

    code: str
    name: str
    city_name: str
    province_name: str
    longitude: float
    latitude: float
    radius: float
    weight: float
    industry_factors: dict[str, float]
    salt: int = 0
    count: int = 0
    prefixes: tuple[str, ...] = ()
    address_prefix: str = ""
    pools: dict[str, tuple[list[catalog.Industry], list[float]]] = field(default_factory=dict)
    partials: dict[str, int] = field(default_factory=dict)
    registration_cut: tuple[float, float] = (0.0, 0.0)
    key_factor: float = 1.0


@dataclass
class _Tree:
    jurisdictions: list[JurisdictionRow]
    counties: list[_County]
    cities: dict[str, list[str]]  # city-level code → its county codes ([] when it supervises itself)
    item_owners: list[str]  # jurisdictions whose 随机抽查事项清单 the population carries


def _short(name: str) -> str:
    """清苑区 → 清苑, 青龙满族自治县 → 青龙, 易县 stays 易县 (one-character names keep their suffix)."""
    for marker in ("满族", "回族", "蒙古族", "壮族", "维吾尔", "自治"):
        if marker in name:
            return name[: name.index(marker)]
    if len(name) > 2 and name[-1] in "区县市省":
        return name[:-1]
    return name


def _province_short(name: str) -> str:
    """河北省 → 河北, 内蒙古自治区 → 内蒙古, 广西壮族自治区 → 广西, 北京市 → 北京."""
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _local_name(name: str, city_name: str) -> str:
    """A zone's name without the province and city it repeats: 保定白沟新城 → 白沟新城."""
    for prefix in ("河北", city_name, _short(city_name)):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix):]
    return name


def _county_bureau(city_bureau: str, name: str, code: str) -> str:
    return city_bureau + divisions.BRANCH_NAMES.get(code, f"{name}分局")


def _baoding_tree(province_code: str = divisions.PROVINCE_CODE) -> tuple[list[JurisdictionRow], list[_County]]:
    city_bureau = f"{divisions.BAODING_NAME}生态环境局"
    rows = [JurisdictionRow(divisions.BAODING_CODE, divisions.BAODING_NAME, "city", province_code, city_bureau)]
    counties = list(divisions.BAODING_COUNTIES)
    if divisions.BAODING_INCLUDES_DINGZHOU:
        counties.append(divisions.DINGZHOU)
    out = []
    for c in sorted(counties, key=lambda c: c.code):
        rows.append(JurisdictionRow(c.code, c.name, "county", divisions.BAODING_CODE,
                                    _county_bureau(city_bureau, c.name, c.code)))
        out.append(_County(c.code, c.name, divisions.BAODING_NAME, divisions.PROVINCE_NAME, c.longitude,
                           c.latitude, c.radius, c.weight, dict(c.industries)))
    return rows, out


def _tree_baoding() -> _Tree:
    province = JurisdictionRow(divisions.PROVINCE_CODE, divisions.PROVINCE_NAME, "province", None, "河北省生态环境厅")
    rows, counties = _baoding_tree()
    return _Tree([province, *rows], counties, {divisions.BAODING_CODE: [c.code for c in counties]},
                 [divisions.BAODING_CODE])


def _hebei_rows(rng: random.Random) -> tuple[list[JurisdictionRow], list[_County], dict[str, list[str]]]:
    """Hebei below the province: Baoding as in demo Baoding, the other ten cities with their real counties,
    雄安新区 with its three counties, and the two 省直管 cities supervising themselves."""
    province_code, province_name = divisions.PROVINCE_CODE, divisions.PROVINCE_NAME
    rows: list[JurisdictionRow] = []
    counties: list[_County] = []
    cities: dict[str, list[str]] = {}
    for city_code, city_name, lon, lat, members in divisions.HEBEI_CITIES[:5]:
        _add_city(rows, counties, cities, rng, province_code, province_name, city_code, city_name, lon, lat, members)
    baoding_rows, baoding_counties = _baoding_tree(province_code)
    rows += baoding_rows
    counties += baoding_counties
    cities[divisions.BAODING_CODE] = [c.code for c in baoding_counties]
    for city_code, city_name, lon, lat, members in divisions.HEBEI_CITIES[5:]:
        _add_city(rows, counties, cities, rng, province_code, province_name, city_code, city_name, lon, lat, members)
    xiongan_bureau = f"{divisions.XIONGAN_NAME}生态环境局"
    rows.append(JurisdictionRow(divisions.XIONGAN_CODE, divisions.XIONGAN_NAME, "city", province_code, xiongan_bureau))
    cities[divisions.XIONGAN_CODE] = []
    for c in divisions.XIONGAN_COUNTIES:
        rows.append(JurisdictionRow(c.code, c.name, "county", divisions.XIONGAN_CODE,
                                    _county_bureau(xiongan_bureau, c.name, c.code)))
        counties.append(_County(c.code, c.name, "雄安新区", province_name, c.longitude, c.latitude, c.radius,
                                c.weight, dict(c.industries)))
        cities[divisions.XIONGAN_CODE].append(c.code)
    for c in (divisions.XINJI, divisions.DINGZHOU):
        if c is divisions.DINGZHOU and divisions.BAODING_INCLUDES_DINGZHOU:
            continue
        # A 省直管 city supervises its own area: it is both the city-level bureau and the county it inspects.
        rows.append(JurisdictionRow(c.code, c.name, "city", province_code, f"{c.name}生态环境局"))
        counties.append(_County(c.code, c.name, c.name, province_name, c.longitude, c.latitude, c.radius,
                                c.weight, dict(c.industries)))
        cities[c.code] = []
    return rows, counties, cities


def _add_city(rows: list[JurisdictionRow], counties: list[_County], cities: dict[str, list[str]],
              rng: random.Random, province_code: str, province_name: str, city_code: str, city_name: str,
              lon: float, lat: float, members: Sequence[tuple[str, str]], spread: tuple[float, float] = (0.5, 0.4),
              radius: float = 0.08) -> None:
    bureau = f"{city_name}生态环境局"
    rows.append(JurisdictionRow(city_code, city_name, "city", province_code, bureau))
    cities[city_code] = []
    for code, name in members:
        urban = name.endswith("区") and len(name) <= 4
        rows.append(JurisdictionRow(code, name, "county", city_code, _county_bureau(bureau, name, code)))
        counties.append(_County(
            code, name, city_name, province_name, round(lon + rng.uniform(-spread[0], spread[0]), 4),
            round(lat + rng.uniform(-spread[1], spread[1]), 4), radius,
            rng.uniform(3.0, 7.0) if urban else rng.uniform(2.0, 6.0), {},
        ))
        cities[city_code].append(code)


def _tree_hebei(rng: random.Random) -> _Tree:
    province = JurisdictionRow(divisions.PROVINCE_CODE, divisions.PROVINCE_NAME, "province", None, "河北省生态环境厅")
    rows, counties, cities = _hebei_rows(rng)
    return _Tree([province, *rows], counties, cities, [divisions.PROVINCE_CODE])


NATIONAL_JURISDICTIONS = 3_000
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def _place_name(rng: random.Random, taken: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(divisions.PLACE_NAME_FIRST) + rng.choice(divisions.PLACE_NAME_SECOND) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _tree_national(rng: random.Random) -> _Tree:
    """Real provinces; real Hebei; elsewhere synthetic cities and counties up to ~3,000 jurisdictions."""
    hebei_province = JurisdictionRow(divisions.PROVINCE_CODE, divisions.PROVINCE_NAME, "province", None,
                                     "河北省生态环境厅")
    hebei_rows, counties, cities = _hebei_rows(rng)
    rows = [hebei_province, *hebei_rows]
    others = divisions.PROVINCES
    budget = NATIONAL_JURISDICTIONS - len(rows) - len(others)
    ordinary = [p for p in others if p[0] not in MUNICIPALITIES]
    municipal_counties = 16
    per_province = (budget - len(MUNICIPALITIES) * (1 + municipal_counties)) // len(ordinary)
    city_count = 11
    for province_code, province_name, lon, lat in others:
        bureau = f"{province_name}生态环境{'局' if province_code in MUNICIPALITIES else '厅'}"
        rows.append(JurisdictionRow(province_code, province_name, "province", None, bureau))
        taken: set[str] = set()
        if province_code in MUNICIPALITIES:
            layout = [municipal_counties]  # its districts sit under one city-level bureau
        else:
            county_total = per_province - city_count
            base, extra = divmod(county_total, city_count)
            layout = [base + (1 if i < extra else 0) for i in range(city_count)]
        for index, county_count in enumerate(layout, start=1):
            city_code = f"{province_code[:2]}{index:02d}00"
            city_name = province_name if province_code in MUNICIPALITIES else _place_name(rng, taken, "市")
            city_lon = lon + rng.uniform(-2.0, 2.0) if len(layout) > 1 else lon
            city_lat = lat + rng.uniform(-1.5, 1.5) if len(layout) > 1 else lat
            members = []
            for number in range(1, county_count + 1):
                suffix = "区" if province_code in MUNICIPALITIES or number <= 2 else rng.choice("县县县市区")
                members.append((f"{city_code[:4]}{number:02d}", _place_name(rng, taken, suffix)))
            _add_city(rows, counties, cities, rng, province_code, province_name, city_code, city_name, city_lon,
                      city_lat, members, spread=(0.6, 0.5), radius=0.1)
    return _Tree(rows, counties, cities, [r.code for r in rows if r.level == "province"])


# ------------------------------------------------------------------------------------ apportioning


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each ≥ ``minimum``."""
    if not weights:
        return []
    if minimum * len(weights) > total:
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} each out of {total}")
    spare = total - minimum * len(weights)
    weight_sum = sum(weights)
    exact = [spare * w / weight_sum for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


# ------------------------------------------------------------------------------------ targets


def _prepare_county(county: _County, seed: int) -> None:
    """Per-county tables that keep the per-target loop cheap."""
    digest = hashlib.sha256(f"{seed}:{county.code}".encode()).digest()
    county.salt = int.from_bytes(digest[:4], "big")
    city_short = _short(county.city_name)
    province_short = _province_short(county.province_name)
    # Zones and 省直管 cities lend no county name to enterprise names; the city's name stands in.
    own_name = county.name != county.city_name and county.code[4] != "7"
    county_full = county.name if own_name else county.city_name
    county.prefixes = (
        county.city_name, county.city_name, county.city_name, province_short, province_short, county_full,
        county.city_name + county.name if own_name else city_short, _short(county.name) if own_name else city_short,
    )
    province_part = "" if county.province_name == county.city_name else county.province_name
    local = "" if county.name == county.city_name else _local_name(county.name, county.city_name)
    county.address_prefix = province_part + county.city_name + local
    county.partials = {registration: _prefix_sum(registration + county.code) for registration in ("91", "92", "12")}
    by_registration: dict[str, list[tuple[catalog.Industry, float]]] = {}
    for industry in catalog.INDUSTRIES:
        weight = industry.weight * county.industry_factors.get(industry.code, 1.0)
        by_registration.setdefault(industry.registration, []).append((industry, weight))
    total = sum(w for entries in by_registration.values() for _, w in entries)
    for registration, entries in by_registration.items():
        cumulative, running = [], 0.0
        for _, weight in entries:
            running += weight
            cumulative.append(running)
        county.pools[registration] = ([industry for industry, _ in entries], cumulative)
    share92 = by_registration["92"] and sum(w for _, w in by_registration["92"]) / total
    share12 = by_registration["12"] and sum(w for _, w in by_registration["12"]) / total
    county.registration_cut = (share92, share92 + share12)
    expected_key = sum(min(1.0, i.key_share) * w for entries in by_registration.values() for i, w in entries) / total
    county.key_factor = KEY_SHARE / expected_key


def _registration(county: _County, serial: int) -> str:
    u = _mix(serial * 0x9E3779B1 + county.salt) / 2**32
    return "92" if u < county.registration_cut[0] else "12" if u < county.registration_cut[1] else "91"


def _credit_code(county: _County, serial: int, registration: str | None = None) -> str:
    """The credit code of the ``serial``-th target of ``county``: valid, and unique within the population.

    Six in ten carry a post-2015 主体标识码 ("MA…"), the others an older 8-digit 组织机构代码; both with the
    GB 11714 check character real codes have in position 17. Serial → body is a bijection per form.
    """
    registration = registration or _registration(county, serial)
    if _mix(serial * 0x85EBCA6B + county.salt) % 10 < 6:
        value = (serial * _NEW_MULTIPLIER + county.salt) % _NEW_SPACE
        chars = []
        for _ in range(6):
            value, digit = divmod(value, 31)
            chars.append(CHARSET[digit])
        body8 = "MA" + "".join(chars)
    else:
        body8 = f"{(serial * _OLD_MULTIPLIER + county.salt) % _OLD_SPACE:08d}"
    tail = body8 + _org_check(body8)
    return registration + county.code + tail + _gb32100_check(county.partials[registration], tail)


def _person(rng: random.Random) -> str:
    given = rng.choice(catalog.GIVEN_NAME_CHARACTERS)
    if rng.random() < 0.7:
        given += rng.choice(catalog.GIVEN_NAME_CHARACTERS)
    return rng.choice(catalog.SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(catalog.MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"


def _outlets(rng: random.Random, kinds: str, count: int, monitored_first: bool) -> tuple[OutletRow, ...]:
    outlets = []
    air = water = 0
    for index in range(count):
        kind = kinds if kinds in ("air", "water") else ("air" if index % 2 == 0 else "water")
        if kind == "air":
            air += 1
            code, name = f"DA{air:03d}", rng.choice(catalog.AIR_OUTLET_NAMES)
        else:
            water += 1
            code, name = f"DW{water:03d}", rng.choice(catalog.WATER_OUTLET_NAMES)
        monitored = monitored_first and (index == 0 or rng.random() < 0.5)
        outlets.append(OutletRow(code, f"{index + 1}号{name}" if count > 1 else name, kind, monitored))
    return tuple(outlets)


def _targets_of(county: _County, seed: int, today: date, city_key_reason: str) -> Iterator[TargetRow]:
    rng = random.Random(f"{seed}:{county.code}:targets")
    rand, choice, randrange = rng.random, rng.choice, rng.randrange
    names: set[str] = set()
    brands = catalog.BRAND_CHARACTERS
    pools = county.pools
    key_factor = county.key_factor
    today_ordinal = today.toordinal()
    for serial in range(county.count):
        registration = _registration(county, serial)
        pool, cumulative = pools[registration]
        industry = pool[bisect(cumulative, rand() * cumulative[-1])] if len(pool) > 1 else pool[0]
        word = choice(industry.words)
        brand = choice(brands) + choice(brands)
        while True:
            if registration == "92":
                name = f"{county.prefixes[5]}{brand}{word}{choice(catalog.SOLE_TRADER_SUFFIXES)}"
            elif registration == "12":
                name = f"{county.prefixes[5]}{brand}{word}"
            else:
                name = f"{county.prefixes[randrange(8)]}{brand}{word}{choice(catalog.ENTERPRISE_SUFFIXES)}"
            if name not in names:
                break
            brand += choice(brands)
        names.add(name)
        if rand() < 0.75:
            address = f"{county.address_prefix}{choice(catalog.ROADS)}{randrange(1, 400)}号"
        else:
            address = f"{county.address_prefix}{choice(catalog.PARKS)}{brand[:2]}路{randrange(1, 60)}号"
        roll = rand()
        outlet_kinds = industry.outlets
        if roll < SPECIAL_SHARE:
            category = "special"
            category_reason = choice(catalog.SPECIAL_REASONS)
        elif rand() < industry.key_share * key_factor:
            category, category_reason = "key", city_key_reason
        else:
            category, category_reason = "general", ""
        exceedance = category == "special" and category_reason.endswith("超标5次以上")
        if category == "key" or exceedance:
            outlets = _outlets(rng, outlet_kinds or "air", 1 + randrange(3) + (outlet_kinds == "both"), True)
        elif outlet_kinds and rand() < 0.15:
            outlets = _outlets(rng, outlet_kinds, 1, False)
        else:
            outlets = ()
        code = _credit_code(county, serial, registration)
        permit = ""
        if category != "general" or outlets:
            permit = f"{code}001{'P' if category != 'general' else 'W'}"
        registered = today_ordinal - randrange(30, 8 * 365)
        if rand() < DEFUNCT_SHARE:
            status = "defunct"
            defunct_ordinal = max(registered + 1, today_ordinal - randrange(1, 720))
            defunct_date = date.fromordinal(min(defunct_ordinal, today_ordinal))
            defunct_reason = choice(catalog.DEFUNCT_REASONS)
        else:
            status, defunct_date, defunct_reason = "active", None, ""
        positive = status == "active" and category != "special" and rand() < POSITIVE_SHARE
        radius = county.radius
        yield TargetRow(
            code, name, county.code, address, industry.code, industry.name,
            round(county.longitude + (rand() * 2 - 1) * radius, 6),
            round(county.latitude + (rand() * 2 - 1) * radius, 6),
            _person(rng), _person(rng), _phone(rng), permit, category, category_reason, positive, status,
            defunct_date, defunct_reason, date.fromordinal(registered), outlets,
        )


class TargetStream:
    """The targets of a population, generated county by county each time it is iterated."""

    def __init__(self, counties: list[_County], seed: int, today: date, key_reasons: dict[str, str]) -> None:
        self._counties = counties
        self._seed = seed
        self._today = today
        self._key_reasons = key_reasons
        self.counts: dict[str, int] = {c.code: c.count for c in counties}

    def __len__(self) -> int:
        return sum(self.counts.values())

    def __iter__(self) -> Iterator[TargetRow]:
        for county in self._counties:
            yield from _targets_of(county, self._seed, self._today, self._key_reasons[county.code])

    def of(self, county_code: str) -> Iterator[TargetRow]:
        """The targets of one county only."""
        county = next(c for c in self._counties if c.code == county_code)
        return _targets_of(county, self._seed, self._today, self._key_reasons[county.code])


# ------------------------------------------------------------------------------------ the rest


def _department_specs(level: str) -> tuple[catalog.DepartmentSpec, ...]:
    return {"province": catalog.PROVINCE_DEPARTMENTS, "city": catalog.CITY_DEPARTMENTS}.get(
        level, catalog.COUNTY_DEPARTMENTS)


def _enforcement_unit(specs: Sequence[catalog.DepartmentSpec]) -> catalog.DepartmentSpec:
    return next(spec for spec in specs if spec.code == catalog.ENFORCEMENT_CODE)


def _departments(tree: _Tree) -> tuple[list[DepartmentRow], dict[str, dict[str, DepartmentRow]]]:
    rows: list[DepartmentRow] = []
    by_jurisdiction: dict[str, dict[str, DepartmentRow]] = {}
    for j in tree.jurisdictions:
        own = {}
        for spec in _department_specs(j.level):
            row = DepartmentRow(f"{j.code}-{spec.code}", j.code, spec.name, spec.enforcement)
            rows.append(row)
            own[spec.name] = row
        by_jurisdiction[j.code] = own
    return rows, by_jurisdiction


def _check_items(tree: _Tree, departments: dict[str, dict[str, DepartmentRow]]) -> list[CheckItemRow]:
    levels = {j.code: j.level for j in tree.jurisdictions}
    rows = []
    for owner in tree.item_owners:
        own = departments[owner]
        enforcement = _enforcement_unit(_department_specs(levels[owner])).name

        def department(name: str, own: dict[str, DepartmentRow] = own, enforcement: str = enforcement) -> str:
            return own[enforcement if name == catalog.CITY_ENFORCEMENT_UNIT else name].code

        for spec in catalog.CHECK_ITEMS:
            rows.append(CheckItemRow(
                f"{owner}-{spec.number:02d}", spec.name, spec.legal_basis, spec.content, owner, levels[owner],
                department(spec.responsible), tuple(department(n) for n in spec.cooperating), spec.categories,
                spec.specialty, spec.method, spec.industries,
            ))
    return rows


def _inspectors(tree: _Tree, scale: Scale, departments: dict[str, dict[str, DepartmentRow]], seed: int,
                today: date) -> list[InspectorRow]:
    rng = random.Random(f"{seed}:inspectors")
    targets_by_county = {c.code: c.count for c in tree.counties}
    names = {j.code: j.name for j in tree.jurisdictions}
    units: list[tuple[JurisdictionRow, float, int]] = []
    for j in tree.jurisdictions:
        if j.level == "province":
            continue
        if j.level == "county":
            units.append((j, targets_by_county[j.code], MIN_COUNTY_INSPECTORS))
        else:
            members = tree.cities.get(j.code, [])
            area = sum(targets_by_county[c] for c in members) if members else targets_by_county.get(j.code, 0)
            units.append((j, area * (0.11 if members else 1.0), MIN_CITY_INSPECTORS))
    minimum = min(m for _, _, m in units)
    counts = apportion(scale.inspectors - sum(m - minimum for _, _, m in units), [w for _, w, _ in units], minimum)
    counts = [n + m - minimum for n, (_, _, m) in zip(counts, units, strict=True)]
    specialty_codes = [s.code for s in catalog.SPECIALTIES]
    rows: list[InspectorRow] = []
    for (j, _, _), count in zip(units, counts, strict=True):
        specs = [s for s in _department_specs(j.level) if s.share > 0]
        per_department = apportion(count, [s.share for s in specs])
        # The enforcement unit needs two officers for one team even in the smallest branch.
        unit = _enforcement_unit(specs)
        main = specs.index(unit)
        while per_department[main] < 2:
            donor = max((i for i in range(len(specs)) if i != main), key=lambda i: per_department[i])
            per_department[donor] -= 1
            per_department[main] += 1
        city = j.name if j.level == "city" else names[j.parent_code]
        serial = 0
        for spec, n in zip(specs, per_department, strict=True):
            department = departments[j.code][spec.name]
            for _ in range(n):
                serial += 1
                own = list(spec.specialties[:1])
                for extra in rng.sample(spec.specialties[1:], k=min(len(spec.specialties) - 1, rng.randrange(3))):
                    own.append(extra)
                if rng.random() < 0.15:
                    other = rng.choice(specialty_codes)
                    if other not in own and (other != "radiation" or rng.random() < 0.3):
                        own.append(other)
                status = "on_leave" if rng.random() < 0.04 else "left" if rng.random() < 0.02 else "active"
                # Outside experts join through the enforcement unit, which organises the inspections.
                if spec is unit and rng.random() < EXTERNAL_SHARE:
                    kind = rng.choice(("testing_institute", "research_institute", "expert"))
                    organisation = rng.choice(catalog.EXTERNAL_ORGANISATIONS[kind]).format(
                        city=city, brand=rng.choice(catalog.BRAND_CHARACTERS) + rng.choice(catalog.BRAND_CHARACTERS))
                    rows.append(InspectorRow(
                        f"ZJ{j.code}{serial:04d}", _person(rng), j.code, department.code, tuple(own), None, status,
                        False, True, kind, organisation, rng.choice(catalog.EXPERT_QUALIFICATIONS), _phone(rng),
                    ))
                    continue
                roll = rng.random()
                if roll < 0.03:
                    expiry = today - timedelta(days=rng.randrange(1, 300))
                elif roll < 0.08:
                    expiry = today + timedelta(days=rng.randrange(0, 60))
                else:
                    expiry = today + timedelta(days=rng.randrange(60, 5 * 365))
                rows.append(InspectorRow(
                    f"{j.code}{serial:05d}", _person(rng), j.code, department.code, tuple(own), expiry, status,
                    spec.specialties[0] != "monitoring", False, "", "", rng.choice(catalog.OFFICER_QUALIFICATIONS),
                    _phone(rng),
                ))
    return rows


def _recusals(tree: _Tree, inspectors: list[InspectorRow], seed: int) -> list[RecusalRow]:
    rng = random.Random(f"{seed}:recusals")
    counties = {c.code: c for c in tree.counties}
    rows = []
    for inspector in inspectors:
        if inspector.is_external or rng.random() >= RECUSAL_SHARE:
            continue
        area = tree.cities.get(inspector.jurisdiction_code) or [inspector.jurisdiction_code]
        county = counties.get(rng.choice(area))
        if county is None or county.count == 0:
            continue
        rows.append(RecusalRow(inspector.certificate_number, _credit_code(county, rng.randrange(county.count)),
                               rng.choice(catalog.RECUSAL_REASONS)))
    return rows


@dataclass(frozen=True)
class Population:
    scale: str
    seed: int
    today: date
    jurisdictions: list[JurisdictionRow]
    departments: list[DepartmentRow]
    specialties: tuple[catalog.Specialty, ...]
    check_items: list[CheckItemRow]
    inspectors: list[InspectorRow]
    recusals: list[RecusalRow]
    targets: TargetStream


def generate(scale: str | Scale, seed: int = DEFAULT_SEED, today: date | None = None) -> Population:
    """The population of ``scale`` (a name in SCALES or a Scale); the same arguments give the same rows.

    ``today`` anchors every date (certificate expiry, defunct dates); it defaults to the current date, so
    pass it explicitly wherever the rows must not change from one day to the next.
    """
    spec = SCALES[scale] if isinstance(scale, str) else scale
    today = today or date.today()
    rng = random.Random(f"{seed}:tree:{spec.tree}")
    tree = {"baoding": _tree_baoding, "hebei": lambda: _tree_hebei(rng),
            "national": lambda: _tree_national(rng)}[spec.tree]()
    weights_rng = random.Random(f"{seed}:weights")
    weights = [c.weight * (weights_rng.lognormvariate(0, 0.35) if spec.tree == "national" else 1.0)
               for c in tree.counties]
    for county, count in zip(tree.counties, apportion(spec.targets, weights, minimum=5), strict=True):
        county.count = count
        _prepare_county(county, seed)
    city_of = {}
    for city, members in tree.cities.items():
        for member in members or [city]:
            city_of[member] = city
    names = {j.code: j.name for j in tree.jurisdictions}
    key_reasons = {c.code: catalog.KEY_REASON.format(city=names[city_of[c.code]]) for c in tree.counties}
    department_rows, departments = _departments(tree)
    inspectors = _inspectors(tree, spec, departments, seed, today)
    return Population(
        scale=spec.name, seed=seed, today=today, jurisdictions=tree.jurisdictions, departments=department_rows,
        specialties=catalog.SPECIALTIES, check_items=_check_items(tree, departments), inspectors=inspectors,
        recusals=_recusals(tree, inspectors, seed),
        targets=TargetStream(tree.counties, seed, today, key_reasons),
    )
