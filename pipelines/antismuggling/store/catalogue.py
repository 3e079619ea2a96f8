"""Reference data the demo generator draws from: formations, places, commodities, vehicles, names.

Everything here is plain data about Pakistan customs enforcement, kept apart from the code that
samples it. Coordinates are real (approximate, WGS84); CNIC locality codes follow the real
scheme (first digit = province: 1 KP, 2 ex-FATA, 3 Punjab, 4 Sindh, 5 Balochistan,
6 Islamabad, 7 GB/AJK). HS codes are HS 2022 subheadings under the headings the warehouse's
compact nomenclature covers (tests check each one against the shared HS 2022 file).
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------

KP = "Khyber Pakhtunkhwa"
BAL = "Balochistan"
SINDH = "Sindh"
PUNJAB = "Punjab"
ICT = "Islamabad Capital Territory"
GB = "Gilgit-Baltistan"


@dataclass(frozen=True)
class Location:
    name: str
    kind: str
    district: str | None
    province: str | None
    country: str
    latitude: float | None
    longitude: float | None


def _places(kind: str, country: str, *rows: tuple) -> list[Location]:
    return [Location(name, kind, district, province, country, lat, lon) for name, district, province, lat, lon in rows]


LOCATIONS: list[Location] = [
    *_places(
        "BORDER_CROSSING", "PK",
        ("Torkham", "Khyber", KP, 34.1136, 71.0914),
        ("Chaman", "Chaman", BAL, 30.9065, 66.4220),
        ("Ghulam Khan", "North Waziristan", KP, 33.1589, 69.9839),
        ("Kharlachi", "Kurram", KP, 33.8472, 69.9439),
        ("Angoor Adda", "South Waziristan", KP, 32.3867, 69.3403),
        ("Taftan", "Chagai", BAL, 28.9647, 61.5967),
        ("Gabd", "Gwadar", BAL, 25.1833, 61.6167),
        ("Mand", "Kech", BAL, 26.0817, 62.0383),
        ("Wagah", "Lahore", PUNJAB, 31.6047, 74.5728),
        ("Khunjerab Pass", "Hunza", GB, 36.8500, 75.4278),
    ),
    *_places(
        "COASTAL", "PK",
        ("Jiwani", "Gwadar", BAL, 25.0486, 61.7453),
        ("Pasni", "Gwadar", BAL, 25.2631, 63.4700),
        ("Ormara", "Gwadar", BAL, 25.2089, 64.6358),
        ("Pishukan", "Gwadar", BAL, 25.1472, 62.5892),
        ("Sonmiani", "Lasbela", BAL, 25.4240, 66.5920),
        ("Gaddani", "Hub", BAL, 25.1178, 66.7297),
        ("Ibrahim Hyderi", "Karachi", SINDH, 24.7970, 67.1440),
        ("Keti Bandar", "Thatta", SINDH, 24.1447, 67.4497),
    ),
    *_places(
        "CHECKPOST", "PK",
        ("Kohat Tunnel check post", "Kohat", KP, 33.6290, 71.4650),
        ("Jamrud check post", "Khyber", KP, 33.9990, 71.3780),
        ("Takhtabeg check post", "Khyber", KP, 34.0016, 71.4229),
        ("Darra Adam Khel check post", "Kohat", KP, 33.6740, 71.4980),
        ("Dargai check post", "Malakand", KP, 34.5094, 71.9006),
        ("Chakdara check post", "Lower Dir", KP, 34.6530, 72.0260),
        ("Ramak check post", "Dera Ismail Khan", KP, 31.3010, 70.6490),
        ("Yarik check post", "Dera Ismail Khan", KP, 31.9625, 70.8825),
        ("Lak Pass check post", "Mastung", BAL, 29.9900, 66.9300),
        ("Surab check post", "Surab", BAL, 28.4910, 66.2600),
        ("Kuchlak check post", "Quetta", BAL, 30.4100, 66.9700),
        ("Nushki check post", "Nushki", BAL, 29.5530, 66.0210),
        ("Nokundi check post", "Chagai", BAL, 28.8230, 62.7530),
        ("Khuzdar check post", "Khuzdar", BAL, 27.8120, 66.6110),
        ("Bela check post", "Lasbela", BAL, 26.2270, 66.3110),
        ("Uthal check post", "Lasbela", BAL, 25.8070, 66.6220),
        ("Hub check post", "Hub", BAL, 25.0230, 66.9010),
        ("Kashmore check post", "Kashmore", SINDH, 28.4330, 69.5830),
        ("Sakhi Sarwar check post", "Dera Ghazi Khan", PUNJAB, 29.9840, 70.3120),
        ("Attock Khurd check post", "Attock", PUNJAB, 33.8930, 72.2380),
    ),
    # A highway location is a stretch; the long ones have no single point (null coordinates).
    *_places(
        "HIGHWAY", "PK",
        ("N-25 RCD Highway (Khuzdar section)", "Khuzdar", BAL, 27.6000, 66.5500),
        ("N-40 Quetta-Taftan Highway (Dalbandin)", "Chagai", BAL, 28.8900, 64.4000),
        ("N-65 Sibi-Quetta Road (Bolan Pass)", "Kachhi", BAL, 29.6800, 67.4800),
        ("N-10 Makran Coastal Highway", None, BAL, None, None),
        ("N-5 National Highway (Rahim Yar Khan)", "Rahim Yar Khan", PUNJAB, 28.3900, 70.2500),
        ("N-55 Indus Highway (Dera Ismail Khan)", "Dera Ismail Khan", KP, 31.7500, 70.8700),
        ("Indus Highway (Sehwan)", "Jamshoro", SINDH, 26.4200, 67.8600),
        ("M-1 Motorway (Peshawar-Islamabad)", "Nowshera", KP, 33.9900, 72.0000),
        ("M-4 Motorway (Faisalabad-Multan)", None, PUNJAB, None, None),
        ("M-9 Motorway (Karachi-Hyderabad)", "Jamshoro", SINDH, 25.2500, 67.9000),
    ),
    *_places(
        "CITY", "PK",
        ("Peshawar", "Peshawar", KP, 34.0151, 71.5249),
        ("Karkhano Market, Hayatabad", "Peshawar", KP, 33.9830, 71.4330),
        ("Bara", "Khyber", KP, 33.9167, 71.4667),
        ("Landi Kotal", "Khyber", KP, 34.0987, 71.1433),
        ("Batkhela", "Malakand", KP, 34.6167, 71.9667),
        ("Mingora", "Swat", KP, 34.7717, 72.3600),
        ("Timergara", "Lower Dir", KP, 34.8286, 71.8411),
        ("Khar", "Bajaur", KP, 34.7330, 71.5250),
        ("Miranshah", "North Waziristan", KP, 33.0000, 70.0700),
        ("Mir Ali", "North Waziristan", KP, 32.9700, 70.2800),
        ("Parachinar", "Kurram", KP, 33.8992, 70.1008),
        ("Wana", "South Waziristan", KP, 32.3000, 69.5700),
        ("Kohat", "Kohat", KP, 33.5869, 71.4414),
        ("Bannu", "Bannu", KP, 32.9889, 70.6056),
        ("Dera Ismail Khan", "Dera Ismail Khan", KP, 31.8314, 70.9019),
        ("Mardan", "Mardan", KP, 34.1986, 72.0404),
        ("Nowshera", "Nowshera", KP, 34.0153, 71.9747),
        ("Quetta", "Quetta", BAL, 30.1798, 66.9750),
        ("Dalbandin", "Chagai", BAL, 28.8885, 64.4062),
        ("Khuzdar", "Khuzdar", BAL, 27.8000, 66.6167),
        ("Turbat", "Kech", BAL, 26.0031, 63.0544),
        ("Panjgur", "Panjgur", BAL, 26.9644, 64.0903),
        ("Gwadar", "Gwadar", BAL, 25.1264, 62.3225),
        ("Hub", "Hub", BAL, 25.0610, 66.9050),
        ("Karachi", "Karachi", SINDH, 24.8607, 67.0011),
        ("Hyderabad", "Hyderabad", SINDH, 25.3960, 68.3578),
        ("Sukkur", "Sukkur", SINDH, 27.7052, 68.8574),
        ("Larkana", "Larkana", SINDH, 27.5570, 68.2264),
        ("Lahore", "Lahore", PUNJAB, 31.5497, 74.3436),
        ("Faisalabad", "Faisalabad", PUNJAB, 31.4504, 73.1350),
        ("Rawalpindi", "Rawalpindi", PUNJAB, 33.5651, 73.0169),
        ("Multan", "Multan", PUNJAB, 30.1575, 71.5249),
        ("Gujranwala", "Gujranwala", PUNJAB, 32.1877, 74.1945),
        ("Sialkot", "Sialkot", PUNJAB, 32.4945, 74.5229),
        ("Bahawalpur", "Bahawalpur", PUNJAB, 29.3956, 71.6836),
        ("Dera Ghazi Khan", "Dera Ghazi Khan", PUNJAB, 30.0561, 70.6348),
        ("Rahim Yar Khan", "Rahim Yar Khan", PUNJAB, 28.4202, 70.2952),
        ("Sargodha", "Sargodha", PUNJAB, 32.0836, 72.6711),
        ("Islamabad", "Islamabad", ICT, 33.6844, 73.0479),
        ("Gilgit", "Gilgit", GB, 35.9208, 74.3089),
    ),
    *_places(
        "SEAPORT", "PK",
        ("Karachi Port", "Karachi", SINDH, 24.8380, 66.9790),
        ("Port Muhammad Bin Qasim", "Karachi", SINDH, 24.7760, 67.3470),
        ("Gwadar Port", "Gwadar", BAL, 25.1100, 62.3300),
    ),
    *_places(
        "AIRPORT", "PK",
        ("Jinnah International Airport, Karachi", "Karachi", SINDH, 24.9065, 67.1608),
        ("Allama Iqbal International Airport, Lahore", "Lahore", PUNJAB, 31.5216, 74.4036),
        ("Islamabad International Airport", "Attock", PUNJAB, 33.5490, 72.8256),
        ("Bacha Khan International Airport, Peshawar", "Peshawar", KP, 33.9939, 71.5146),
        ("Multan International Airport", "Multan", PUNJAB, 30.2032, 71.4191),
        ("Quetta International Airport", "Quetta", BAL, 30.2514, 66.9378),
        ("Sialkot International Airport", "Sialkot", PUNJAB, 32.5356, 74.3639),
        ("Faisalabad International Airport", "Faisalabad", PUNJAB, 31.3650, 72.9948),
        ("Turbat International Airport", "Kech", BAL, 25.9864, 63.0302),
    ),
    *_places(
        "DRY_PORT", "PK",
        ("Peshawar Dry Port (Azakhel)", "Nowshera", KP, 34.0050, 71.9900),
        ("Lahore Dry Port (Mughalpura)", "Lahore", PUNJAB, 31.5670, 74.3700),
        ("Sialkot Dry Port (Sambrial)", "Sialkot", PUNJAB, 32.4750, 74.3520),
        ("Faisalabad Dry Port", "Faisalabad", PUNJAB, 31.4300, 73.0900),
        ("Multan Dry Port", "Multan", PUNJAB, 30.2000, 71.4700),
        ("Quetta Dry Port", "Quetta", BAL, 30.2100, 67.0200),
        ("Hyderabad Dry Port", "Hyderabad", SINDH, 25.4100, 68.3100),
        ("Rawalpindi Dry Port", "Rawalpindi", PUNJAB, 33.6000, 73.0700),
        ("Sost Dry Port", "Hunza", GB, 36.6950, 74.8190),
    ),
    *_places(
        "WAREHOUSE", "PK",
        ("State Warehouse, Peshawar", "Peshawar", KP, 34.0000, 71.5300),
        ("Private godown, Hayatabad", "Peshawar", KP, 33.9800, 71.4300),
        ("Customs godown, Chaman", "Chaman", BAL, 30.9200, 66.4500),
        ("State Warehouse, Quetta", "Quetta", BAL, 30.1900, 67.0000),
        ("State Warehouse, Karachi (West Wharf)", "Karachi", SINDH, 24.8400, 66.9800),
        ("Godown, Shershah, Karachi", "Karachi", SINDH, 24.8700, 66.9900),
        ("Warehouse, Bolton Market, Karachi", "Karachi", SINDH, 24.8500, 66.9980),
        ("Godown, Hub industrial area", "Hub", BAL, 25.0300, 66.9000),
        ("Godown, Turbat", "Kech", BAL, 26.0000, 63.0500),
        ("Godown, Landa Bazar, Lahore", "Lahore", PUNJAB, 31.5800, 74.3200),
    ),
    # Places abroad: where goods come from or go to.
    *_places(
        "CITY", "AF",
        ("Kabul", "Kabul", "Kabul", 34.5553, 69.2075),
        ("Jalalabad", "Jalalabad", "Nangarhar", 34.4265, 70.4515),
        ("Kandahar", "Kandahar", "Kandahar", 31.6289, 65.7372),
        ("Khost", "Khost", "Khost", 33.3395, 69.9204),
        ("Herat", "Herat", "Herat", 34.3529, 62.2040),
    ),
    *_places("BORDER_CROSSING", "AF", ("Spin Boldak", "Spin Boldak", "Kandahar", 31.0060, 66.3955)),
    *_places(
        "CITY", "IR",
        ("Zahedan", "Zahedan", "Sistan and Baluchestan", 29.4963, 60.8629),
        ("Saravan", "Saravan", "Sistan and Baluchestan", 27.3709, 62.3340),
        ("Pishin (Iran)", "Rask", "Sistan and Baluchestan", 26.0790, 61.7540),
    ),
    *_places("BORDER_CROSSING", "IR", ("Mirjaveh", "Mirjaveh", "Sistan and Baluchestan", 29.0190, 61.4500)),
    *_places(
        "SEAPORT", "IR",
        ("Chabahar", "Chabahar", "Sistan and Baluchestan", 25.2919, 60.6430),
        ("Bandar Abbas", "Bandar Abbas", "Hormozgan", 27.1832, 56.2666),
    ),
    Location("Dubai", "CITY", None, "Dubai", "AE", 25.2048, 55.2708),
    Location("Sharjah", "CITY", None, "Sharjah", "AE", 25.3463, 55.4209),
    Location("Muscat", "CITY", None, "Muscat", "OM", 23.5880, 58.3829),
    Location("Jeddah", "CITY", None, "Makkah", "SA", 21.4858, 39.1925),
    Location("Doha", "CITY", None, None, "QA", 25.2854, 51.5310),
    Location("Kashgar", "CITY", None, "Xinjiang", "CN", 39.4704, 75.9898),
    Location("Amritsar", "CITY", "Amritsar", "Punjab (India)", "IN", 31.6340, 74.8723),
    Location("Bangkok", "CITY", None, "Bangkok", "TH", 13.7563, 100.5018),
]

LOCATION_INDEX: dict[str, int] = {location.name: i for i, location in enumerate(LOCATIONS)}

# ---------------------------------------------------------------------------------------------
# Formations
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formation:
    code: str
    name: str
    kind: str
    region: str
    city: str
    parent_code: str | None
    case_share: float = 0.0  # relative share of all cases
    lateness: float = 1.0  # multiplies the upload lag: some formations are habitually late
    case_no_pattern: str = ""  # str.format with year, yy, seq
    area: str = ""  # key of AREAS: commodity emphasis and where the accused come from
    seizure_places: tuple[tuple[str, float], ...] = ()
    foreign_origins: tuple[str, ...] = ()
    domestic_origins: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    foreign_destinations: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()


_II = "Directorate of Customs Intelligence & Investigation, "
_CE = "Collectorate of Customs Enforcement, "
_AIR_ORIGINS = ("Dubai", "Sharjah", "Jeddah", "Doha", "Bangkok")

FORMATIONS: list[Formation] = [
    Formation("HQ", "Federal Board of Revenue (Customs Wing), Islamabad", "HQ", ICT, "Islamabad", None),
    Formation(
        "DG-II", "Directorate General of Intelligence & Investigation-Customs, Islamabad", "HQ", ICT, "Islamabad", "HQ"
    ),
    Formation(
        "II-PSH", _II + "Peshawar", "II_DIRECTORATE", KP, "Peshawar", "DG-II",
        case_share=9, lateness=1.0, case_no_pattern="PSH-{year}-{seq:06d}", area="KP",
        seizure_places=(
            ("Peshawar", 3), ("Karkhano Market, Hayatabad", 2), ("Torkham", 2), ("Jamrud check post", 1.5),
            ("Takhtabeg check post", 1.5), ("Kohat Tunnel check post", 1.5), ("M-1 Motorway (Peshawar-Islamabad)", 1),
            ("Bacha Khan International Airport, Peshawar", 1), ("Peshawar Dry Port (Azakhel)", 0.7),
            ("Private godown, Hayatabad", 1), ("Nowshera", 0.5), ("Mardan", 0.5), ("Bara", 0.5),
        ),
        foreign_origins=("Jalalabad", "Kabul", "Jalalabad", "Khost"),
        domestic_origins=("Bara", "Landi Kotal", "Karkhano Market, Hayatabad", "Batkhela", "Khar", "Torkham"),
        destinations=("Peshawar", "Rawalpindi", "Lahore", "Islamabad", "Faisalabad", "Karachi", "Mardan"),
        foreign_destinations=("Jalalabad", "Kabul"),
        routes=("via Kohat Tunnel", "Ring Road Peshawar", "M-1 via Nowshera", "GT Road via Jamrud",
                "Pak-Afghan Highway via Landi Kotal", "Charsadda Road"),
    ),
    Formation(
        "II-QTA", _II + "Quetta", "II_DIRECTORATE", BAL, "Quetta", "DG-II",
        case_share=8, lateness=1.2, case_no_pattern="QTA-{year}-{seq:06d}", area="BALOCHISTAN",
        seizure_places=(
            ("Quetta", 3), ("Chaman", 2), ("Lak Pass check post", 2), ("Kuchlak check post", 1.5),
            ("State Warehouse, Quetta", 0.5), ("Quetta Dry Port", 0.7), ("Quetta International Airport", 0.5),
            ("Customs godown, Chaman", 0.5), ("Surab check post", 0.7), ("N-65 Sibi-Quetta Road (Bolan Pass)", 0.7),
        ),
        foreign_origins=("Kandahar", "Spin Boldak", "Spin Boldak", "Zahedan", "Kabul"),
        domestic_origins=("Chaman", "Taftan", "Dalbandin"),
        destinations=("Quetta", "Karachi", "Lahore", "Hyderabad", "Sukkur", "Multan"),
        foreign_destinations=("Kandahar", "Spin Boldak"),
        routes=("N-25 via Lak Pass", "N-25 via Surab", "N-65 via Bolan Pass", "Chaman-Quetta road via Khojak",
                "N-40 via Nushki"),
    ),
    Formation(
        "II-KHI", _II + "Karachi", "II_DIRECTORATE", SINDH, "Karachi", "DG-II",
        case_share=8, lateness=0.9, case_no_pattern="KHI-{year}-{seq:06d}", area="KARACHI",
        seizure_places=(
            ("Karachi", 3), ("Karachi Port", 2), ("Port Muhammad Bin Qasim", 1.5),
            ("Jinnah International Airport, Karachi", 2), ("Godown, Shershah, Karachi", 1),
            ("Warehouse, Bolton Market, Karachi", 1), ("Ibrahim Hyderi", 0.5),
            ("M-9 Motorway (Karachi-Hyderabad)", 0.7), ("Hub check post", 1),
        ),
        foreign_origins=("Dubai", "Sharjah", "Chabahar", "Bandar Abbas", "Muscat", "Bangkok"),
        domestic_origins=("Hub", "Gwadar", "Turbat", "Quetta", "Chaman"),
        destinations=("Karachi", "Hyderabad", "Lahore", "Multan"),
        foreign_destinations=("Dubai", "Sharjah"),
        routes=("RCD Highway N-25 via Hub", "Lyari Expressway", "Super Highway M-9", "Northern Bypass",
                "Maripur Road"),
    ),
    Formation(
        "II-LHR", _II + "Lahore", "II_DIRECTORATE", PUNJAB, "Lahore", "DG-II",
        case_share=6, lateness=0.8, case_no_pattern="LHR-{year}-{seq:06d}", area="PUNJAB",
        seizure_places=(
            ("Lahore", 3), ("Allama Iqbal International Airport, Lahore", 2), ("Lahore Dry Port (Mughalpura)", 1),
            ("Wagah", 0.5), ("Godown, Landa Bazar, Lahore", 1), ("Gujranwala", 1), ("Sialkot", 0.7),
            ("Sialkot International Airport", 0.7), ("Sialkot Dry Port (Sambrial)", 0.5),
        ),
        foreign_origins=("Dubai", "Sharjah", "Jeddah", "Doha", "Bangkok", "Amritsar"),
        domestic_origins=("Peshawar", "Karkhano Market, Hayatabad", "Quetta", "Chaman", "Bara"),
        destinations=("Lahore", "Gujranwala", "Sialkot", "Faisalabad"),
        foreign_destinations=("Dubai", "Kabul"),
        routes=("M-2 Motorway", "GT Road via Gujranwala", "Ring Road Lahore", "M-3 via Pindi Bhattian"),
    ),
    Formation(
        "II-ISB", _II + "Islamabad", "II_DIRECTORATE", ICT, "Islamabad", "DG-II",
        case_share=5, lateness=0.8, case_no_pattern="ISB-{year}-{seq:06d}", area="ICT",
        seizure_places=(
            ("Islamabad", 2.5), ("Rawalpindi", 2), ("Islamabad International Airport", 2), ("Rawalpindi Dry Port", 0.7),
            ("Attock Khurd check post", 1), ("M-1 Motorway (Peshawar-Islamabad)", 1), ("Gilgit", 0.5),
            ("Sost Dry Port", 0.5), ("Khunjerab Pass", 0.3),
        ),
        foreign_origins=("Dubai", "Jeddah", "Doha", "Kashgar", "Kabul"),
        domestic_origins=("Peshawar", "Bara", "Karkhano Market, Hayatabad", "Landi Kotal", "Mingora"),
        destinations=("Islamabad", "Rawalpindi", "Lahore"),
        foreign_destinations=("Dubai", "Kabul"),
        routes=("M-1 via Attock", "GT Road via Attock", "Karakoram Highway N-35", "Kashmir Highway"),
    ),
    Formation(
        "II-MUL", _II + "Multan", "II_DIRECTORATE", PUNJAB, "Multan", "DG-II",
        case_share=4, lateness=2.5, case_no_pattern="MUL-{year}-{seq:06d}", area="PUNJAB",
        seizure_places=(
            ("Multan", 2.5), ("Multan International Airport", 1), ("Multan Dry Port", 0.7),
            ("Sakhi Sarwar check post", 1.5), ("Dera Ghazi Khan", 1.5), ("N-5 National Highway (Rahim Yar Khan)", 1.5),
            ("Rahim Yar Khan", 1), ("Bahawalpur", 1),
        ),
        foreign_origins=("Kandahar", "Zahedan", "Dubai"),
        domestic_origins=("Quetta", "Chaman", "Dera Ismail Khan", "Wana"),
        destinations=("Multan", "Lahore", "Faisalabad", "Bahawalpur"),
        foreign_destinations=("Kandahar",),
        routes=("N-70 via Sakhi Sarwar", "N-5 via Rahim Yar Khan", "M-5 Motorway", "Indus Highway via Rajanpur"),
    ),
    Formation(
        "II-FSD", _II + "Faisalabad", "II_DIRECTORATE", PUNJAB, "Faisalabad", "DG-II",
        case_share=3, lateness=1.0, case_no_pattern="FSD-{year}-{seq:06d}", area="PUNJAB",
        seizure_places=(
            ("Faisalabad", 3), ("Faisalabad Dry Port", 1), ("Faisalabad International Airport", 0.7),
            ("Sargodha", 1.5), ("M-4 Motorway (Faisalabad-Multan)", 1.2),
        ),
        foreign_origins=("Dubai", "Jeddah", "Kabul"),
        domestic_origins=("Peshawar", "Quetta", "Bara", "Karkhano Market, Hayatabad"),
        destinations=("Faisalabad", "Lahore", "Sargodha"),
        foreign_destinations=("Kabul",),
        routes=("M-4 Motorway", "M-3 via Pindi Bhattian", "Sargodha Road", "Jhang Road"),
    ),
    Formation(
        "II-GWD", _II + "Gwadar", "II_DIRECTORATE", BAL, "Gwadar", "DG-II",
        case_share=4, lateness=3.5, case_no_pattern="GWD-{year}-{seq:06d}", area="COAST",
        seizure_places=(
            ("Gwadar", 2), ("Gwadar Port", 1), ("Jiwani", 1.5), ("Pasni", 1.5), ("Ormara", 1), ("Gabd", 1.5),
            ("Pishukan", 1), ("Turbat", 1.5), ("Godown, Turbat", 0.5), ("Mand", 1), ("Panjgur", 1),
            ("N-10 Makran Coastal Highway", 1.5), ("Turbat International Airport", 0.3),
        ),
        foreign_origins=("Chabahar", "Chabahar", "Saravan", "Bandar Abbas", "Pishin (Iran)", "Dubai", "Muscat"),
        domestic_origins=("Turbat", "Panjgur", "Mand", "Gabd"),
        destinations=("Karachi", "Hub", "Quetta", "Turbat", "Gwadar"),
        foreign_destinations=("Chabahar", "Pishin (Iran)"),
        routes=("Makran Coastal Highway N-10", "M-8 via Hoshab", "N-85 Panjgur-Hoshab", "by sea via Jiwani",
                "unfrequented route via Buleda"),
    ),
    Formation(
        "II-HYD", _II + "Hyderabad", "II_DIRECTORATE", SINDH, "Hyderabad", "DG-II",
        case_share=3, lateness=1.1, case_no_pattern="HYD-{year}-{seq:06d}", area="SINDH",
        seizure_places=(
            ("Hyderabad", 2.5), ("Hyderabad Dry Port", 0.7), ("Sukkur", 1.5), ("Kashmore check post", 1.5),
            ("M-9 Motorway (Karachi-Hyderabad)", 1), ("Indus Highway (Sehwan)", 1), ("Larkana", 1),
        ),
        foreign_origins=("Zahedan", "Kandahar", "Dubai"),
        domestic_origins=("Quetta", "Chaman", "Hub", "Khuzdar"),
        destinations=("Hyderabad", "Karachi", "Sukkur", "Multan", "Lahore"),
        foreign_destinations=("Zahedan",),
        routes=("Indus Highway N-55 via Sehwan", "N-5 via Moro", "M-9 Motorway", "via Kashmore", "N-65 via Jacobabad"),
    ),
    Formation(
        "CE-PSH", _CE + "Peshawar", "ENFORCEMENT_COLLECTORATE", KP, "Peshawar", "HQ",
        case_share=12, lateness=1.0, case_no_pattern="CEP/{seq:05d}/{year}", area="KP",
        seizure_places=(
            ("Torkham", 3), ("Jamrud check post", 1), ("Kohat Tunnel check post", 2), ("Darra Adam Khel check post", 1),
            ("Dargai check post", 2), ("Chakdara check post", 1.5), ("Kharlachi", 1), ("Ghulam Khan", 1),
            ("Angoor Adda", 0.7), ("Bara", 1), ("Landi Kotal", 1), ("Mir Ali", 0.5), ("Miranshah", 0.5),
            ("Parachinar", 0.5), ("State Warehouse, Peshawar", 0.5), ("Kohat", 0.5), ("Bannu", 0.5),
        ),
        foreign_origins=("Jalalabad", "Jalalabad", "Kabul", "Khost"),
        domestic_origins=("Bara", "Landi Kotal", "Batkhela", "Mingora", "Timergara", "Miranshah", "Mir Ali",
                          "Parachinar", "Khar"),
        destinations=("Peshawar", "Kohat", "Rawalpindi", "Lahore", "Karachi", "Bannu", "Islamabad"),
        foreign_destinations=("Jalalabad", "Kabul", "Khost"),
        routes=("Indus Highway N-55 via Kohat", "via Dargai", "Malakand Pass", "Kohat Tunnel", "Bannu-Miranshah road",
                "Thall-Parachinar road"),
    ),
    Formation(
        "CE-DIK", _CE + "Dera Ismail Khan", "ENFORCEMENT_COLLECTORATE", KP, "Dera Ismail Khan", "HQ",
        case_share=3, lateness=1.4, case_no_pattern="DIK-{year}-{seq:05d}", area="KP",
        seizure_places=(
            ("Ramak check post", 2), ("Yarik check post", 2), ("N-55 Indus Highway (Dera Ismail Khan)", 2),
            ("Dera Ismail Khan", 2), ("Angoor Adda", 1), ("Wana", 1), ("Bannu", 1), ("Ghulam Khan", 0.5),
        ),
        foreign_origins=("Khost", "Kandahar"),
        domestic_origins=("Wana", "Miranshah", "Mir Ali", "Bannu", "Angoor Adda"),
        destinations=("Dera Ismail Khan", "Multan", "Lahore", "Karachi", "Faisalabad", "Dera Ghazi Khan"),
        foreign_destinations=("Khost",),
        routes=("Indus Highway N-55", "via Darya Khan bridge", "Zhob-DI Khan road N-50", "via Chashma"),
    ),
    Formation(
        "CE-QTA", _CE + "Quetta", "ENFORCEMENT_COLLECTORATE", BAL, "Quetta", "HQ",
        case_share=12, lateness=1.5, case_no_pattern="ENF-QTA-{year}-{seq:05d}", area="BALOCHISTAN",
        seizure_places=(
            ("Chaman", 3), ("Taftan", 2), ("Nokundi check post", 1), ("N-40 Quetta-Taftan Highway (Dalbandin)", 2),
            ("Dalbandin", 1), ("Lak Pass check post", 1.5), ("Nushki check post", 1), ("Khuzdar check post", 1.5),
            ("Surab check post", 1.5), ("N-25 RCD Highway (Khuzdar section)", 1.5), ("Bela check post", 1),
            ("Uthal check post", 0.7), ("Customs godown, Chaman", 0.5),
        ),
        foreign_origins=("Kandahar", "Spin Boldak", "Zahedan", "Zahedan", "Mirjaveh", "Mirjaveh", "Saravan"),
        domestic_origins=("Chaman", "Taftan", "Dalbandin", "Panjgur"),
        destinations=("Quetta", "Karachi", "Hub", "Hyderabad", "Sukkur", "Lahore"),
        foreign_destinations=("Kandahar", "Zahedan"),
        routes=("N-40 via Dalbandin", "N-25 via Surab", "N-25 via Khuzdar", "via Lak Pass",
                "unfrequented route via Mashkel", "N-85 via Panjgur"),
    ),
    Formation(
        "CE-KHI", _CE + "Karachi", "ENFORCEMENT_COLLECTORATE", SINDH, "Karachi", "HQ",
        case_share=8, lateness=0.9, case_no_pattern="SI-{seq:05d}/{year}", area="KARACHI",
        seizure_places=(
            ("Karachi", 2), ("Hub check post", 2), ("Gaddani", 1), ("Sonmiani", 1), ("Ibrahim Hyderi", 1),
            ("Keti Bandar", 0.5), ("M-9 Motorway (Karachi-Hyderabad)", 1), ("Karachi Port", 1),
            ("State Warehouse, Karachi (West Wharf)", 0.5), ("Godown, Hub industrial area", 0.7),
            ("Uthal check post", 0.5), ("Hub", 0.7),
        ),
        foreign_origins=("Chabahar", "Bandar Abbas", "Dubai", "Muscat"),
        domestic_origins=("Hub", "Turbat", "Gwadar", "Pasni", "Ormara", "Quetta"),
        destinations=("Karachi", "Hyderabad", "Sukkur", "Lahore"),
        foreign_destinations=("Dubai", "Chabahar"),
        routes=("RCD Highway N-25 via Hub", "Makran Coastal Highway N-10", "Super Highway", "by sea"),
    ),
    Formation(
        "CE-GWD", _CE + "Gwadar", "ENFORCEMENT_COLLECTORATE", BAL, "Gwadar", "HQ",
        case_share=5, lateness=3.0, case_no_pattern="GWD/ENF/{year}/{seq}", area="COAST",
        seizure_places=(
            ("Jiwani", 2), ("Gabd", 2), ("Pasni", 1.5), ("Ormara", 1.5), ("Pishukan", 1), ("Mand", 1.5),
            ("Turbat", 1), ("N-10 Makran Coastal Highway", 2), ("Gwadar", 1), ("Gwadar Port", 0.5),
        ),
        foreign_origins=("Chabahar", "Saravan", "Pishin (Iran)", "Pishin (Iran)", "Bandar Abbas", "Muscat"),
        domestic_origins=("Turbat", "Mand", "Gabd", "Panjgur"),
        destinations=("Karachi", "Hub", "Turbat", "Gwadar", "Quetta"),
        foreign_destinations=("Chabahar", "Pishin (Iran)"),
        routes=("Makran Coastal Highway N-10", "M-8 via Hoshab", "by sea", "unfrequented route via Mand",
                "Jiwani-Gwadar road"),
    ),
    Formation(
        "CE-LHR", _CE + "Lahore", "ENFORCEMENT_COLLECTORATE", PUNJAB, "Lahore", "HQ",
        case_share=4, lateness=0.9, case_no_pattern="CEL-{year}-{seq:05d}", area="PUNJAB",
        seizure_places=(
            ("Lahore", 3), ("Gujranwala", 1.5), ("Sialkot", 1), ("Godown, Landa Bazar, Lahore", 1.5),
            ("Lahore Dry Port (Mughalpura)", 0.7), ("Wagah", 0.5), ("Sargodha", 0.5),
        ),
        foreign_origins=("Dubai", "Kabul", "Amritsar"),
        domestic_origins=("Peshawar", "Karkhano Market, Hayatabad", "Bara", "Quetta"),
        destinations=("Lahore", "Gujranwala", "Sialkot", "Faisalabad"),
        foreign_destinations=("Kabul",),
        routes=("GT Road via Gujranwala", "M-2 Motorway", "Ring Road Lahore", "Ferozepur Road"),
    ),
    Formation(
        "CE-ISB", _CE + "Islamabad", "ENFORCEMENT_COLLECTORATE", ICT, "Islamabad", "HQ",
        case_share=3, lateness=1.0, case_no_pattern="CEI/{year}/{seq:04d}", area="ICT",
        seizure_places=(
            ("Islamabad", 2), ("Rawalpindi", 2), ("Attock Khurd check post", 2), ("M-1 Motorway (Peshawar-Islamabad)", 1.5),
            ("Gilgit", 0.7), ("Sost Dry Port", 0.5), ("Khunjerab Pass", 0.3),
        ),
        foreign_origins=("Kabul", "Kashgar", "Dubai"),
        domestic_origins=("Peshawar", "Bara", "Landi Kotal", "Mingora", "Batkhela"),
        destinations=("Islamabad", "Rawalpindi", "Lahore"),
        foreign_destinations=("Kabul",),
        routes=("M-1 via Attock", "GT Road via Attock", "Karakoram Highway N-35", "Murree Road"),
    ),
    Formation(
        "CE-MUL", _CE + "Multan", "ENFORCEMENT_COLLECTORATE", PUNJAB, "Multan", "HQ",
        case_share=3, lateness=1.3, case_no_pattern="MUL-E-{year}-{seq:05d}", area="PUNJAB",
        seizure_places=(
            ("Multan", 2), ("Sakhi Sarwar check post", 2), ("Dera Ghazi Khan", 1.5),
            ("N-5 National Highway (Rahim Yar Khan)", 1.5), ("Rahim Yar Khan", 1), ("Bahawalpur", 1),
            ("M-4 Motorway (Faisalabad-Multan)", 0.7),
        ),
        foreign_origins=("Kandahar", "Zahedan"),
        domestic_origins=("Quetta", "Chaman", "Dera Ismail Khan", "Wana"),
        destinations=("Multan", "Lahore", "Faisalabad", "Bahawalpur", "Rahim Yar Khan"),
        foreign_destinations=("Kandahar",),
        routes=("N-70 via Sakhi Sarwar", "N-5 via Rahim Yar Khan", "Indus Highway via Rajanpur", "M-5 Motorway"),
    ),
    Formation(
        "CE-HYD", _CE + "Hyderabad", "ENFORCEMENT_COLLECTORATE", SINDH, "Hyderabad", "HQ",
        case_share=3, lateness=2.2, case_no_pattern="HYD/CE/{seq}/{year}", area="SINDH",
        seizure_places=(
            ("Hyderabad", 2), ("Kashmore check post", 2), ("Sukkur", 1.5), ("Indus Highway (Sehwan)", 1.5),
            ("M-9 Motorway (Karachi-Hyderabad)", 1), ("Keti Bandar", 0.7), ("Larkana", 1),
        ),
        foreign_origins=("Zahedan", "Chabahar", "Kandahar"),
        domestic_origins=("Quetta", "Hub", "Khuzdar", "Chaman"),
        destinations=("Hyderabad", "Karachi", "Sukkur", "Multan"),
        foreign_destinations=("Zahedan",),
        routes=("Indus Highway via Sehwan", "N-5 via Moro", "via Kashmore", "N-65 via Jacobabad"),
    ),
]

FORMATION_INDEX: dict[str, int] = {formation.code: i for i, formation in enumerate(FORMATIONS)}

AIR_ORIGINS: tuple[str, ...] = _AIR_ORIGINS

# ---------------------------------------------------------------------------------------------
# People: districts with CNIC locality codes, names and their spellings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    name: str
    province: str
    cnic_prefixes: tuple[str, ...]  # 5-digit locality codes; the first digit is the province
    names: str  # key of NAME_GROUPS


DISTRICTS: list[District] = [
    # Khyber Pakhtunkhwa (1)
    District("Peshawar", KP, ("17301", "17302"), "pashtun"),
    District("Nowshera", KP, ("17201",), "pashtun"),
    District("Charsadda", KP, ("17101",), "pashtun"),
    District("Mardan", KP, ("16101", "16102"), "pashtun"),
    District("Swabi", KP, ("16202",), "pashtun"),
    District("Kohat", KP, ("14301",), "pashtun"),
    District("Karak", KP, ("14202",), "pashtun"),
    District("Bannu", KP, ("11101",), "pashtun"),
    District("Lakki Marwat", KP, ("11201",), "pashtun"),
    District("Dera Ismail Khan", KP, ("12101", "12103"), "pashtun"),
    District("Swat", KP, ("15602",), "pashtun"),
    District("Malakand", KP, ("15501",), "pashtun"),
    District("Lower Dir", KP, ("15302",), "pashtun"),
    District("Abbottabad", KP, ("13101",), "punjabi"),
    District("Mansehra", KP, ("13503",), "pashtun"),
    # Ex-FATA (2)
    District("Khyber", KP, ("21101", "21102", "21103"), "pashtun"),
    District("Mohmand", KP, ("21201",), "pashtun"),
    District("Bajaur", KP, ("21301",), "pashtun"),
    District("Kurram", KP, ("21401",), "pashtun"),
    District("Orakzai", KP, ("21501",), "pashtun"),
    District("North Waziristan", KP, ("21601",), "pashtun"),
    District("South Waziristan", KP, ("21701",), "pashtun"),
    # Punjab (3)
    District("Lahore", PUNJAB, ("35201", "35202"), "punjabi"),
    District("Faisalabad", PUNJAB, ("33100", "33102"), "punjabi"),
    District("Rawalpindi", PUNJAB, ("37405", "37406"), "punjabi"),
    District("Multan", PUNJAB, ("36302", "36303"), "punjabi"),
    District("Gujranwala", PUNJAB, ("34101",), "punjabi"),
    District("Sialkot", PUNJAB, ("34603",), "punjabi"),
    District("Bahawalpur", PUNJAB, ("31202",), "punjabi"),
    District("Dera Ghazi Khan", PUNJAB, ("32102",), "baloch"),
    District("Rajanpur", PUNJAB, ("32304",), "baloch"),
    District("Rahim Yar Khan", PUNJAB, ("31303",), "punjabi"),
    District("Sargodha", PUNJAB, ("38403",), "punjabi"),
    District("Mianwali", PUNJAB, ("38302",), "pashtun"),
    District("Attock", PUNJAB, ("37101",), "punjabi"),
    # Sindh (4)
    District("Karachi Central", SINDH, ("42101",), "urdu"),
    District("Karachi East", SINDH, ("42201",), "urdu"),
    District("Karachi South", SINDH, ("42301",), "urdu"),
    District("Karachi West", SINDH, ("42401",), "pashtun"),
    District("Malir", SINDH, ("42501",), "baloch"),
    District("Hyderabad", SINDH, ("41303",), "sindhi"),
    District("Thatta", SINDH, ("41106",), "sindhi"),
    District("Sukkur", SINDH, ("45504",), "sindhi"),
    District("Larkana", SINDH, ("43203",), "sindhi"),
    District("Jacobabad", SINDH, ("44101",), "sindhi"),
    # Balochistan (5)
    District("Quetta", BAL, ("54400", "54401"), "pashtun"),
    District("Pishin", BAL, ("54201",), "pashtun"),
    District("Killa Abdullah", BAL, ("54301",), "pashtun"),
    District("Chaman", BAL, ("54302",), "pashtun"),
    District("Zhob", BAL, ("55201",), "pashtun"),
    District("Chagai", BAL, ("54101",), "baloch"),
    District("Nushki", BAL, ("54103",), "baloch"),
    District("Mastung", BAL, ("56101",), "baloch"),
    District("Kalat", BAL, ("56102",), "baloch"),
    District("Khuzdar", BAL, ("53401",), "baloch"),
    District("Lasbela", BAL, ("53301",), "baloch"),
    District("Hub", BAL, ("53302",), "baloch"),
    District("Kech", BAL, ("52203",), "baloch"),
    District("Gwadar", BAL, ("52201",), "baloch"),
    District("Panjgur", BAL, ("52102",), "baloch"),
    # Islamabad (6)
    District("Islamabad", ICT, ("61101",), "punjabi"),
    # Gilgit-Baltistan / AJK (7)
    District("Gilgit", GB, ("71501",), "punjabi"),
    District("Skardu", GB, ("71101",), "punjabi"),
    District("Muzaffarabad", "Azad Jammu & Kashmir", ("72101",), "punjabi"),
]

DISTRICT_INDEX: dict[str, int] = {district.name: i for i, district in enumerate(DISTRICTS)}

# Where the accused in an area's cases are from (district, weight); the rest come from anywhere.
AREA_HOME_DISTRICTS: dict[str, tuple[tuple[str, float], ...]] = {
    "KP": (("Peshawar", 4), ("Khyber", 4), ("Nowshera", 1.5), ("Charsadda", 1.5), ("Mardan", 1.5), ("Kohat", 1),
           ("Bannu", 1), ("Mohmand", 1), ("Bajaur", 1), ("Swat", 1), ("Malakand", 1), ("Lower Dir", 1),
           ("Kurram", 1), ("Orakzai", 0.5), ("North Waziristan", 1), ("South Waziristan", 1),
           ("Dera Ismail Khan", 1.5), ("Lakki Marwat", 0.5), ("Karak", 0.5)),
    "BALOCHISTAN": (("Quetta", 4), ("Killa Abdullah", 3), ("Chaman", 3), ("Pishin", 2), ("Chagai", 2),
                    ("Nushki", 1), ("Mastung", 1), ("Kalat", 1), ("Khuzdar", 1.5), ("Zhob", 1), ("Panjgur", 0.5),
                    ("Lasbela", 0.5)),
    "COAST": (("Kech", 4), ("Gwadar", 4), ("Panjgur", 2), ("Lasbela", 1), ("Hub", 1), ("Malir", 1), ("Karachi West", 0.5)),
    "KARACHI": (("Karachi Central", 2), ("Karachi East", 2), ("Karachi South", 1.5), ("Karachi West", 2.5), ("Malir", 1.5),
                ("Hub", 1), ("Lasbela", 0.5), ("Thatta", 0.5), ("Peshawar", 0.5), ("Quetta", 0.5)),
    "SINDH": (("Hyderabad", 3), ("Sukkur", 2), ("Larkana", 1.5), ("Jacobabad", 1.5), ("Thatta", 1),
              ("Karachi West", 0.5), ("Quetta", 0.5), ("Khuzdar", 0.5)),
    "PUNJAB": (("Lahore", 3), ("Faisalabad", 2), ("Multan", 2), ("Gujranwala", 1.5), ("Sialkot", 1),
               ("Bahawalpur", 1), ("Dera Ghazi Khan", 1.5), ("Rajanpur", 1), ("Rahim Yar Khan", 1), ("Sargodha", 1),
               ("Peshawar", 0.5), ("Khyber", 0.5)),
    "ICT": (("Islamabad", 2), ("Rawalpindi", 3), ("Attock", 1.5), ("Peshawar", 1), ("Khyber", 1), ("Gilgit", 0.5),
            ("Mansehra", 0.5), ("Abbottabad", 0.5), ("Muzaffarabad", 0.5), ("Skardu", 0.3)),
}

# Share of the accused who are Afghan nationals (passport or nothing, no CNIC), by area.
AREA_AFGHAN_SHARE: dict[str, float] = {
    "KP": 0.13, "BALOCHISTAN": 0.14, "COAST": 0.04, "KARACHI": 0.04, "SINDH": 0.02, "PUNJAB": 0.02, "ICT": 0.04,
}

# Given names are two parts (some one); surnames/tribes by group. Each token may have several
# spellings (first = usual): the same person is typed differently from case to case.
FIRST_PARTS: tuple[str, ...] = (
    "Muhammad", "Muhammad", "Muhammad", "Abdul", "Gul", "Noor", "Sher", "Said", "Hazrat", "Zar", "Fazal",
    "Syed", "Haji", "Malik", "Ghulam", "Shah", "Mir", "Jan", "Khan", "Sardar", "Allah", "Dost", "Ali",
)
SECOND_PARTS: tuple[str, ...] = (
    "Ilyas", "Zaman", "Rehman", "Ali", "Akbar", "Wali", "Khan", "Hussain", "Ahmed", "Yousaf", "Zahir", "Qadir",
    "Haq", "Rahim", "Nawaz", "Aslam", "Iqbal", "Jamil", "Saleem", "Tariq", "Imran", "Bilal", "Usman", "Hamid",
    "Rashid", "Ayub", "Ismail", "Younas", "Farooq", "Nabi", "Ghani", "Karim", "Sadiq", "Din", "Bakhsh", "Ullah",
    "Amin", "Naeem", "Shafiq", "Waheed",
)
SINGLE_NAMES: tuple[str, ...] = (
    "Inayatullah", "Naqibullah", "Hekmatullah", "Asadullah", "Zabihullah", "Shafiullah", "Rahmatullah",
    "Hayatullah", "Saifullah", "Kaleemullah", "Samiullah", "Ehsanullah",
)
SURNAMES: dict[str, tuple[str, ...]] = {
    "pashtun": ("Khan", "Afridi", "Shinwari", "Mohmand", "Wazir", "Mehsud", "Achakzai", "Noorzai", "Kakar", "Tareen",
                "Khattak", "Yousafzai", "Bangash", "Orakzai", "Durrani", "Safi", "Momand", "Dawar", "Marwat",
                "Kasi", "Mandokhel"),
    "baloch": ("Baloch", "Rind", "Marri", "Bugti", "Mengal", "Jamali", "Zehri", "Notezai", "Raisani", "Lehri",
               "Bizenjo", "Hoth", "Dashti", "Sanjrani", "Gichki", "Langove"),
    "punjabi": ("Butt", "Chaudhry", "Malik", "Awan", "Gujjar", "Qureshi", "Rajput", "Arain", "Jatt", "Sheikh",
                "Mughal", "Bhatti", "Abbasi", "Satti", "Janjua", "Khokhar"),
    "sindhi": ("Soomro", "Jatoi", "Bhutto", "Shaikh", "Memon", "Mahar", "Chandio", "Magsi", "Abro", "Lashari",
               "Jamali", "Pathan", "Brohi", "Unar"),
    "urdu": ("Siddiqui", "Qureshi", "Ansari", "Hashmi", "Rizvi", "Zaidi", "Farooqui", "Usmani", "Khan", "Jafri",
             "Naqvi", "Memon"),
    "afghan": ("Noorzai", "Achakzai", "Popalzai", "Alokozai", "Barakzai", "Shinwari", "Safi", "Ahmadzai", "Hotak",
               "Zadran", "Mangal", "Tajik", "Hazara", "Ishaqzai"),
}
SPELLINGS: dict[str, tuple[str, ...]] = {
    "Muhammad": ("Muhammad", "Mohammad", "Muhammed", "Mohammed", "M.", "Mohd."),
    "Abdul": ("Abdul", "Abdal", "Abd-ul"),
    "Rehman": ("Rehman", "Rahman", "Rehmaan"),
    "Hussain": ("Hussain", "Hussein", "Husain"),
    "Ahmed": ("Ahmed", "Ahmad"),
    "Yousaf": ("Yousaf", "Yusuf", "Yousuf"),
    "Zahir": ("Zahir", "Zaheer"),
    "Qadir": ("Qadir", "Qadeer", "Kadir"),
    "Gul": ("Gul", "Gull"),
    "Noor": ("Noor", "Nur"),
    "Sher": ("Sher", "Shair"),
    "Said": ("Said", "Saeed", "Saeid"),
    "Syed": ("Syed", "Sayed", "S."),
    "Zaman": ("Zaman", "Zamaan"),
    "Akbar": ("Akbar", "Akber"),
    "Ilyas": ("Ilyas", "Elyas", "Ilyaas"),
    "Younas": ("Younas", "Younis", "Yunus"),
    "Ghulam": ("Ghulam", "Gh."),
    "Ullah": ("Ullah", "ullah", "Ulla"),
    "Haq": ("Haq", "Huq"),
    "Bakhsh": ("Bakhsh", "Bux", "Baksh"),
    "Din": ("Din", "Deen", "Uddin"),
    "Rahim": ("Rahim", "Raheem"),
    "Saleem": ("Saleem", "Salim"),
    "Inayatullah": ("Inayatullah", "Inayat Ullah", "Inayat-ullah"),
    "Naqibullah": ("Naqibullah", "Naqib Ullah", "Naqeebullah"),
    "Hekmatullah": ("Hekmatullah", "Hikmat Ullah", "Hikmatullah"),
    "Asadullah": ("Asadullah", "Asad Ullah"),
    "Zabihullah": ("Zabihullah", "Zabeehullah", "Zabih Ullah"),
    "Rahmatullah": ("Rahmatullah", "Rehmatullah", "Rahmat Ullah"),
    "Saifullah": ("Saifullah", "Saif Ullah"),
    "Samiullah": ("Samiullah", "Sami Ullah"),
    "Baloch": ("Baloch", "Baluch", "Bloch"),
    "Shinwari": ("Shinwari", "Shinwary"),
    "Achakzai": ("Achakzai", "Achakzay", "Achekzai"),
    "Noorzai": ("Noorzai", "Nurzai"),
    "Qureshi": ("Qureshi", "Qureishi", "Quraishi"),
    "Chaudhry": ("Chaudhry", "Ch.", "Chaudhary"),
    "Mehsud": ("Mehsud", "Mahsud", "Masood"),
    "Momand": ("Momand", "Mohmand"),
    "Siddiqui": ("Siddiqui", "Siddiqi"),
}
FEMALE_NAMES: tuple[str, ...] = (
    "Bibi", "Shazia", "Nasreen", "Rukhsana", "Parveen", "Samina", "Gul Bibi", "Zainab", "Fatima", "Saima",
    "Nazia", "Kausar", "Shabana", "Razia", "Farzana", "Naseem Akhtar",
)

# ---------------------------------------------------------------------------------------------
# Officers
# ---------------------------------------------------------------------------------------------

# (designation, share of the cadre, seniority tier 0 = sepoy .. 4 = head of formation)
II_DESIGNATIONS: tuple[tuple[str, float, int], ...] = (
    ("Sepoy", 0.30, 0), ("Inspector", 0.24, 1), ("Intelligence Officer", 0.20, 1), ("Superintendent", 0.12, 2),
    ("Assistant Director", 0.07, 3), ("Deputy Director", 0.04, 3), ("Additional Director", 0.02, 4),
    ("Director", 0.01, 4),
)
CE_DESIGNATIONS: tuple[tuple[str, float, int], ...] = (
    ("Sepoy", 0.34, 0), ("Inspector", 0.30, 1), ("Superintendent", 0.18, 2), ("Assistant Collector", 0.09, 3),
    ("Deputy Collector", 0.05, 3), ("Additional Collector", 0.03, 4), ("Collector", 0.01, 4),
)
# Officer tiers that fill each case role.
ROLE_TIERS: dict[str, tuple[int, ...]] = {
    "SEIZING_OFFICER": (1, 2),
    "TEAM_LEAD": (2, 3),
    "TEAM_MEMBER": (0, 1),
    "INVESTIGATING_OFFICER": (1, 2),
    "INFORMER_HANDLER": (1, 2, 3),
}

# ---------------------------------------------------------------------------------------------
# Commodities and how they are typed
# ---------------------------------------------------------------------------------------------

# Unit spellings, the usual one first.
KG = ("KG", "kg", "Kg", "kgs", "KGS", "Kg.", "Kgs.", "kilogram")
LTR = ("LTR", "Ltr", "ltr", "litres", "Litres", "Liters", "LTRS", "L")
PCS = ("PCS", "Pcs", "pcs", "Nos", "NOS", "nos", "No.", "Units", "pieces")
CTN = ("CTN", "Ctn", "CTNS", "cartons", "Cartons", "ctns")
STICKS = ("STICKS", "Sticks", "sticks")
BAGS = ("BAGS", "Bags", "bags", "Bori", "sacks")
MTR = ("MTR", "Mtr", "MTRS", "meters", "Metres", "M")
GMS = ("GMS", "Grams", "gm", "g", "GRM")
TOLA = ("Tola", "TOLA", "tolas")
BTL = ("BTL", "Bottles", "bottles", "Btls")
PKT = ("PKT", "Packets", "pkts", "Packs")
THAN = ("THAN", "Thans", "than", "Rolls")
PAIRS = ("PAIRS", "Pairs", "prs")
BALES = ("BALES", "Bales", "bales")
DRUMS = ("Drums", "DRUMS", "drums")
CANS = ("Cans", "Jerry cans", "CANS")
CYL = ("Cylinders", "CYL", "cyl")
DOZEN = ("Dozen", "DOZ", "Dz")
USD = ("USD", "US$", "$", "Dollars")
SAR = ("SAR", "Riyal", "Saudi Riyal")
AED = ("AED", "Dirham", "Dhs")
EUR = ("EUR", "Euro")
GBP = ("GBP", "Pounds")
AFN = ("AFN", "Afghani")


@dataclass(frozen=True)
class Packing:
    """One way a line is counted: the unit as typed, the usual quantity and its price."""

    units: tuple[str, ...]
    median: float  # median quantity in a seizure
    spread: float  # sigma of the log quantity
    unit_price: float  # PKR per unit at 2024 prices
    decimals: int = 0


@dataclass(frozen=True)
class Line:
    """One tariff line of a commodity."""

    hs6: str
    descriptions: tuple[str, ...]
    packings: tuple[Packing, ...]
    national: str = "00"  # the two digits of the 8-digit Pakistan Customs Tariff line
    weight: float = 1.0


@dataclass(frozen=True)
class Commodity:
    key: str
    offence: str  # default offence_nature
    flow: str  # "inward" (smuggled in) or "outward" (smuggled out to Afghanistan/Iran)
    share: float  # share of cases whose main goods are this
    load: str  # "fuel", "bulk" or "light": what carries it
    lines: tuple[Line, ...]
    origins: tuple[tuple[str, float], ...]  # origin_country of the goods
    concealments: tuple[str, ...] = ()
    typed_names: tuple[str, ...] = ()  # what officers type in the HS code box instead of a code
    extra_lines: float = 0.4  # mean number of further lines in a case
    banned: bool = False  # confiscated outright, never redeemed


COMMODITIES: list[Commodity] = [
    Commodity(
        "vehicles", "NCP_VEHICLE", "inward", 13, "vehicle",
        lines=(),  # the vehicle itself goes into case_vehicles; its item line comes from the model
        origins=(("JP", 6), ("AF", 2), ("AE", 1), ("US", 0.5)),
        typed_names=("vehicle", "NCP vehicle", "Motor car"),
        extra_lines=0.0,
    ),
    Commodity(
        "betel_nuts", "SMUGGLING", "inward", 6, "bulk",
        lines=(
            Line("080280", ("Betel nuts (supari), Indonesian origin", "Supari (betel nuts) whole", "Areca nuts in PP bags",
                            "Betel nuts, Thai origin", "Chali (betel nuts) broken"),
                 (Packing(KG, 2500, 1.0, 1800), Packing(BAGS, 45, 0.9, 90000)), national="10"),
        ),
        origins=(("ID", 5), ("TH", 2), ("MM", 1), ("LK", 1), ("AE", 1)),
        concealments=("concealed under onion bags", "in secret cavity of truck", "mixed with dates cartons",
                      "in hold of fishing launch", "beneath tarpaulin under vegetables"),
        typed_names=("betel nuts", "supari", "Betel Nut"),
        extra_lines=0.2,
    ),
    Commodity(
        "fabric", "SMUGGLING", "inward", 8, "bulk",
        lines=(
            Line("540752", ("Polyester fabric, dyed, Chinese origin", "Synthetic cloth (dyed)", "Foreign fabric in thans"),
                 (Packing(MTR, 3000, 1.0, 350), Packing(KG, 800, 1.0, 1200, 1), Packing(THAN, 120, 0.9, 8000))),
            Line("551513", ("Suiting fabric, polyester/wool blend", "Gents suiting (Chinese)", "Wash and wear cloth"),
                 (Packing(MTR, 1500, 0.9, 900), Packing(THAN, 80, 0.8, 15000))),
            Line("520832", ("Cotton lawn, dyed", "Ladies lawn (Indian print)", "Cotton cloth, dyed"),
                 (Packing(MTR, 2000, 1.0, 500), Packing(PCS, 600, 0.9, 2500)), weight=0.8),
            Line("540761", ("Chiffon fabric", "Georgette cloth"), (Packing(MTR, 1800, 0.9, 450),), weight=0.5),
            Line("620442", ("Ladies stitched suits (Indian)", "Ladies dresses, cotton"), (Packing(PCS, 300, 1.0, 5000),),
                 weight=0.4),
        ),
        origins=(("CN", 6), ("IN", 1.5), ("AE", 1), ("TH", 0.5), ("JP", 0.5)),
        concealments=("in false roof of truck", "packed as local cloth", "in passenger luggage",
                      "under bales of cotton"),
        typed_names=("cloth", "fabric", "Foreign cloth"),
        extra_lines=0.6,
    ),
    Commodity(
        "petroleum", "SMUGGLING", "inward", 11, "fuel",
        lines=(
            Line("271019", ("High speed diesel (HSD), Iranian origin", "Iranian diesel", "Non-duty paid diesel in jerry cans",
                            "HSD oil loaded in secret tanks"),
                 (Packing(LTR, 2200, 1.1, 280), Packing(DRUMS, 15, 0.8, 56000), Packing(CANS, 60, 0.8, 9000)),
                 national="31", weight=3),
            Line("271012", ("Petrol (motor spirit), Iranian origin", "Iranian petrol", "Smuggled petrol in cans"),
                 (Packing(LTR, 1500, 1.0, 270), Packing(CANS, 45, 0.8, 8500)), national="10"),
            Line("271112", ("LPG (propane), Iranian", "LPG in cylinders"), (Packing(KG, 2000, 1.0, 250), Packing(CYL, 60, 0.8, 3000)),
                 weight=0.4),
        ),
        origins=(("IR", 9), ("AF", 0.5)),
        concealments=("in secret tanks fitted in pickup", "in oil tanker with false compartments",
                      "jerry cans loaded on Zamyad pickup", "in boat hold"),
        typed_names=("diesel", "HSD", "POL", "petrol"),
        extra_lines=0.1,
    ),
    Commodity(
        "cigarettes", "SMUGGLING", "inward", 9, "light",
        lines=(
            Line("240220", ("Foreign cigarettes (Pine), without tax stamps", "Cigarettes brand Gold Street",
                            "Smuggled cigarettes (Esse, Marlboro)", "Non-duty paid cigarettes", "Cigarettes (Dunhill), foreign origin"),
                 (Packing(CTN, 60, 1.2, 4500), Packing(STICKS, 120000, 1.2, 22), Packing(PKT, 600, 1.0, 450))),
            Line("240210", ("Cigars (Cuban brand)",), (Packing(PCS, 200, 1.0, 2500),), weight=0.05),
        ),
        origins=(("AE", 4), ("AF", 3), ("CN", 1), ("KR", 0.5), ("GB", 0.5)),
        concealments=("in secret cavities of bus", "inside cartons of biscuits", "in dashboard and doors",
                      "under seats of passenger coach"),
        typed_names=("cigarettes", "Cigarette", "cig"),
        extra_lines=0.3,
    ),
    Commodity(
        "tyres", "SMUGGLING", "inward", 4, "bulk",
        lines=(
            Line("401110", ("Car tyres (new), Chinese", "Tyres for motor cars"), (Packing(PCS, 80, 1.0, 18000),)),
            Line("401120", ("Truck and bus tyres", "Heavy vehicle tyres"), (Packing(PCS, 40, 0.9, 48000),)),
            Line("401190", ("Light truck tyres",), (Packing(PCS, 50, 0.9, 26000),), weight=0.5),
            Line("401140", ("Motorcycle tyres",), (Packing(PCS, 150, 1.0, 4500),), weight=0.5),
        ),
        origins=(("CN", 6), ("TH", 1), ("IR", 1.5), ("AE", 1)),
        concealments=("under cover of used tyres", "in closed body truck"),
        typed_names=("tyres", "Tyre", "tires"),
        extra_lines=0.5,
    ),
    Commodity(
        "auto_parts", "SMUGGLING", "inward", 5, "light",
        lines=(
            Line("870899", ("Auto parts (assorted), used", "Old and used auto parts", "Auto parts of Japanese vehicles"),
                 (Packing(PCS, 150, 1.1, 4000), Packing(KG, 600, 1.0, 1500), Packing(CTN, 30, 0.8, 40000))),
            Line("870830", ("Brake pads and shoes",), (Packing(PCS, 400, 1.0, 1500),), weight=0.4),
            Line("870880", ("Shock absorbers",), (Packing(PCS, 120, 0.9, 6000),), weight=0.4),
            Line("870840", ("Gear boxes (used)",), (Packing(PCS, 15, 0.8, 60000),), weight=0.3),
            Line("870870", ("Alloy rims",), (Packing(PCS, 40, 0.8, 18000),), weight=0.3),
            Line("870810", ("Bumpers and body parts",), (Packing(PCS, 30, 0.8, 12000),), weight=0.3),
        ),
        origins=(("JP", 4), ("CN", 3), ("AE", 2), ("TH", 1)),
        concealments=("in cut-and-shut vehicle bodies", "declared as scrap"),
        typed_names=("auto parts", "Spare parts"),
        extra_lines=0.8,
    ),
    Commodity(
        "electronics", "SMUGGLING", "inward", 5, "light",
        lines=(
            Line("852872", ("LED TVs (Samsung, 43 inch)", "LED televisions, Chinese"), (Packing(PCS, 40, 1.0, 65000),)),
            Line("847130", ("Laptops (used)", "Laptops HP/Dell, refurbished"), (Packing(PCS, 25, 1.0, 85000),)),
            Line("841510", ("Split air conditioners", "Inverter ACs (Gree)"), (Packing(PCS, 20, 0.9, 120000),), weight=0.6),
            Line("841821", ("Refrigerators (household)",), (Packing(PCS, 12, 0.8, 90000),), weight=0.3),
            Line("851650", ("Microwave ovens",), (Packing(PCS, 30, 0.8, 25000),), weight=0.3),
            Line("850760", ("Lithium batteries (solar)", "Lithium-ion batteries"), (Packing(PCS, 30, 1.0, 55000),),
                 weight=0.5),
            Line("851629", ("Electric heaters", "Gas/electric heaters"), (Packing(PCS, 60, 0.9, 9000),), weight=0.3),
            Line("854340", ("E-cigarettes / vapes", "Vape devices and pods"), (Packing(PCS, 400, 1.0, 4000),), weight=0.4),
        ),
        origins=(("CN", 5), ("AE", 3), ("KR", 0.5), ("JP", 0.5)),
        concealments=("in secret cavity of car", "declared as household goods"),
        typed_names=("electronics", "Electronic items", "LED"),
        extra_lines=1.0,
    ),
    Commodity(
        "mobile_phones", "SMUGGLING", "inward", 6, "light",
        lines=(
            Line("851713", ("Mobile phones (iPhone), used", "Smart phones Samsung", "Mobile phones (non-PTA)",
                            "Smartphones, assorted brands"),
                 (Packing(PCS, 30, 1.2, 90000),), weight=3),
            Line("851714", ("Keypad mobile phones", "Feature phones (Nokia)"), (Packing(PCS, 150, 1.0, 3500),)),
            Line("851779", ("Mobile phone parts (LCD panels)", "Mobile accessories and parts"), (Packing(PCS, 500, 1.1, 2500),),
                 weight=0.6),
        ),
        origins=(("AE", 5), ("CN", 3), ("HK", 1), ("US", 0.5)),
        concealments=("in body jacket", "in false bottom of bag", "inside speaker boxes", "hidden in passenger luggage"),
        typed_names=("mobile phones", "Mobiles", "cell phones"),
        extra_lines=0.5,
    ),
    Commodity(
        "tea", "SMUGGLING", "inward", 3, "bulk",
        lines=(
            Line("090240", ("Black tea (bulk), Kenyan origin", "Black tea in chests"),
                 (Packing(KG, 1500, 1.0, 1300), Packing(BAGS, 40, 0.8, 70000))),
            Line("090230", ("Black tea in packets", "Tea (Lipton), packed"), (Packing(KG, 600, 1.0, 1600), Packing(CTN, 50, 0.9, 30000))),
            Line("090220", ("Green tea (sabz chai)",), (Packing(KG, 800, 1.0, 1400),), weight=0.5),
        ),
        origins=(("KE", 5), ("AF", 2), ("CN", 2), ("AE", 1)),
        concealments=("under fruit crates",),
        typed_names=("tea", "Chai"),
        extra_lines=0.2,
    ),
    Commodity(
        "gold", "SMUGGLING", "inward", 1.5, "light",
        lines=(
            Line("710812", ("Gold bars (unwrought)", "Gold biscuits (999)", "Gold bars 10 tola"),
                 (Packing(GMS, 500, 1.0, 22000, 1), Packing(TOLA, 30, 1.0, 255000, 2), Packing(KG, 1.5, 0.9, 22000000, 3)),
                 weight=2),
            Line("711319", ("Gold jewellery", "Gold ornaments"), (Packing(GMS, 300, 1.0, 24000, 1), Packing(TOLA, 20, 1.0, 270000, 2))),
        ),
        origins=(("AE", 8), ("AF", 1), ("SA", 1)),
        concealments=("concealed in body cavity", "in shoe soles", "in false bottom of hand carry bag",
                      "in car dashboard", "inside electric appliances"),
        typed_names=("gold",),
        extra_lines=0.1,
    ),
    Commodity(
        "narcotics", "NARCOTICS", "inward", 4, "light",
        lines=(
            Line("130219", ("Charas (hashish)", "Hashish in slabs", "Charas garda"),
                 (Packing(KG, 20, 1.3, 150000, 3),), weight=4),
            Line("130211", ("Opium", "Afeem (opium)"), (Packing(KG, 10, 1.2, 300000, 3),), weight=2),
            Line("293911", ("Heroin (brown powder)", "Heroin"), (Packing(KG, 3, 1.2, 3000000, 3), Packing(GMS, 900, 1.0, 3000, 1)),
                 weight=1.5),
            Line("293945", ("Methamphetamine (ice)", "Crystal meth (ice)"),
                 (Packing(KG, 2, 1.2, 2500000, 3), Packing(GMS, 500, 1.0, 2500, 1)), weight=1.2),
            Line("293972", ("Cocaine",), (Packing(GMS, 300, 1.0, 20000, 1),), weight=0.2),
        ),
        origins=(("AF", 9), ("IR", 0.5)),
        concealments=("in secret cavity of fuel tank", "swallowed capsules", "in false floor of truck",
                      "in spare tyre", "in bags of rice"),
        typed_names=("narcotics", "charas", "N/A"),
        extra_lines=0.2,
        banned=True,
    ),
    Commodity(
        "sugar", "SMUGGLING", "outward", 3, "bulk",
        lines=(
            Line("170199", ("Refined sugar (local), for smuggling to Afghanistan", "Sugar in 50kg bags", "White sugar"),
                 (Packing(BAGS, 100, 1.0, 7500), Packing(KG, 5000, 1.0, 150))),
        ),
        origins=(("PK", 9),),
        concealments=("under wheat straw", "hidden in truck of vegetables"),
        typed_names=("sugar", "Cheeni"),
        extra_lines=0.1,
    ),
    Commodity(
        "flour", "SMUGGLING", "outward", 2, "bulk",
        lines=(
            Line("110100", ("Wheat flour (atta)", "Atta in 20kg bags", "Wheat flour, local"),
                 (Packing(BAGS, 150, 1.0, 2800), Packing(KG, 8000, 1.0, 130))),
        ),
        origins=(("PK", 9),),
        typed_names=("flour", "atta"),
        extra_lines=0.1,
    ),
    Commodity(
        "urea", "SMUGGLING", "outward", 2, "bulk",
        lines=(
            Line("310210", ("Urea fertilizer (Sona urea)", "Urea in 50kg bags", "Fertilizer urea (Engro)"),
                 (Packing(BAGS, 200, 1.0, 4500), Packing(KG, 10000, 1.0, 90))),
        ),
        origins=(("PK", 9),),
        concealments=("under cover of chaff",),
        typed_names=("urea", "fertilizer"),
        extra_lines=0.1,
    ),
    Commodity(
        "rice", "SMUGGLING", "outward", 0.8, "bulk",
        lines=(Line("100630", ("Rice (basmati)", "Rice, milled"), (Packing(BAGS, 120, 1.0, 12000), Packing(KG, 6000, 1.0, 240))),),
        origins=(("PK", 9),),
        typed_names=("rice",),
        extra_lines=0.1,
    ),
    Commodity(
        "cosmetics", "SMUGGLING", "inward", 3, "light",
        lines=(
            Line("330499", ("Cosmetics (skin creams), Chinese", "Whitening creams (unregistered)", "Cosmetics, assorted"),
                 (Packing(PCS, 600, 1.1, 900), Packing(CTN, 25, 0.9, 30000), Packing(DOZEN, 60, 1.0, 9000)), weight=2),
            Line("330420", ("Eye make-up (kajal, mascara)",), (Packing(PCS, 800, 1.0, 600),), weight=0.5),
            Line("330410", ("Lipsticks",), (Packing(PCS, 1000, 1.0, 500),), weight=0.5),
            Line("330300", ("Perfumes (imported)", "Body spray and perfumes"), (Packing(PCS, 300, 1.0, 3500), Packing(BTL, 300, 1.0, 3500))),
            Line("340111", ("Toilet soap (foreign)", "Beauty soap"), (Packing(PCS, 1500, 1.0, 250), Packing(CTN, 40, 0.9, 18000)),
                 weight=0.6),
        ),
        origins=(("CN", 3), ("AE", 3), ("IN", 2), ("TH", 1), ("IR", 1)),
        concealments=("in ladies luggage", "mixed with local goods"),
        typed_names=("cosmetics", "Cosmetic items"),
        extra_lines=1.0,
    ),
    Commodity(
        "medicines", "SMUGGLING", "inward", 2.5, "light",
        lines=(
            Line("300490", ("Medicines (Indian origin), unregistered", "Unregistered medicines", "Pharmaceutical products (foreign)"),
                 (Packing(PKT, 1000, 1.1, 600), Packing(PCS, 2000, 1.1, 300), Packing(CTN, 20, 0.9, 60000)), weight=2),
            Line("300420", ("Antibiotics (capsules)",), (Packing(PKT, 800, 1.0, 900),), weight=0.6),
            Line("300439", ("Hormone injections (steroids)", "Anabolic steroids"), (Packing(PCS, 500, 1.0, 1500),), weight=0.5),
            Line("300450", ("Vitamins and supplements",), (Packing(PCS, 600, 1.0, 1200),), weight=0.5),
        ),
        origins=(("IN", 4), ("AF", 1.5), ("IR", 2), ("CN", 1)),
        concealments=("in medical store godown", "in parcels"),
        typed_names=("medicines", "Medicine"),
        extra_lines=0.7,
    ),
    Commodity(
        "liquor", "BANNED_GOODS", "inward", 2, "light",
        lines=(
            Line("220830", ("Whisky (foreign brands)", "Scotch whisky bottles"), (Packing(BTL, 120, 1.1, 7000), Packing(CTN, 10, 0.9, 80000)),
                 weight=2),
            Line("220860", ("Vodka",), (Packing(BTL, 100, 1.0, 5000),)),
            Line("220890", ("Liquor (assorted)", "Foreign liquor"), (Packing(BTL, 150, 1.0, 6000),)),
        ),
        origins=(("GB", 3), ("AE", 4), ("RU", 1), ("IN", 1)),
        concealments=("in boat hold", "in secret cavity of car"),
        typed_names=("liquor", "wine", "sharab"),
        extra_lines=0.4,
        banned=True,
    ),
    Commodity(
        "currency", "CURRENCY", "outward", 2, "light",
        lines=(
            Line("490700", ("Foreign currency (US Dollars)", "US Dollar notes"), (Packing(USD, 20000, 1.3, 280, 0),), weight=3),
            Line("490700", ("Saudi Riyals",), (Packing(SAR, 40000, 1.2, 75, 0),)),
            Line("490700", ("UAE Dirhams",), (Packing(AED, 40000, 1.2, 76, 0),)),
            Line("490700", ("Euro notes",), (Packing(EUR, 10000, 1.2, 300, 0),), weight=0.3),
            Line("490700", ("Pound sterling",), (Packing(GBP, 8000, 1.2, 355, 0),), weight=0.2),
            Line("490700", ("Afghani notes",), (Packing(AFN, 500000, 1.2, 4, 0),), weight=0.5),
        ),
        origins=(("US", 3), ("SA", 1), ("AE", 1), ("AF", 0.5)),
        concealments=("in body jacket", "in false bottom of suitcase", "in shoes", "in car door panels"),
        typed_names=("currency", "Foreign currency", "FCY"),
        extra_lines=0.3,
    ),
    Commodity(
        "clothing_footwear", "SMUGGLING", "inward", 2, "bulk",
        lines=(
            Line("630900", ("Old clothing (lunda)", "Used clothes in bales"), (Packing(BALES, 40, 1.0, 35000), Packing(KG, 3000, 1.0, 300))),
            Line("640299", ("Footwear (Chinese joggers)", "Shoes, rubber/plastic"), (Packing(PAIRS, 600, 1.0, 2500),)),
            Line("640219", ("Sports shoes",), (Packing(PAIRS, 300, 1.0, 4500),), weight=0.5),
        ),
        origins=(("CN", 3), ("AE", 1), ("US", 0.5), ("GB", 0.5)),
        typed_names=("lunda", "shoes"),
        extra_lines=0.4,
    ),
    Commodity(
        "dry_fruit", "SMUGGLING", "inward", 1.2, "bulk",
        lines=(
            Line("080212", ("Almonds, shelled (Afghan)", "Almond kernels"), (Packing(KG, 1000, 1.0, 3000),)),
            Line("080292", ("Pine nuts (chilgoza)",), (Packing(KG, 300, 1.0, 9000),), weight=0.6),
            Line("080232", ("Walnuts, shelled",), (Packing(KG, 600, 1.0, 2500),), weight=0.5),
        ),
        origins=(("AF", 6), ("US", 1), ("IR", 1)),
        typed_names=("dry fruit",),
        extra_lines=0.4,
    ),
    Commodity(
        "edible_oil", "SMUGGLING", "inward", 1.5, "bulk",
        lines=(Line("151790", ("Cooking oil/ghee (Iranian)", "Banaspati ghee in tins"),
                    (Packing(LTR, 1200, 1.0, 500), Packing(KG, 1000, 1.0, 520), Packing(CTN, 80, 0.9, 9000))),),
        origins=(("IR", 6), ("AF", 1), ("MY", 1)),
        typed_names=("ghee", "cooking oil"),
        extra_lines=0.2,
    ),
    Commodity(
        "tobacco_gutka", "BANNED_GOODS", "inward", 1.5, "light",
        lines=(
            Line("210690", ("Gutka / mainpuri (Indian)", "Gutka sachets", "Mawa and gutka"), (Packing(PKT, 20000, 1.2, 20), Packing(KG, 250, 1.0, 3000)),
                 weight=2),
            Line("240120", ("Tobacco leaf (stemmed)",), (Packing(KG, 2000, 1.0, 1500),)),
        ),
        origins=(("IN", 5), ("AF", 1), ("AE", 1)),
        typed_names=("gutka", "tobacco"),
        extra_lines=0.3,
        banned=True,
    ),
    Commodity(
        "arms", "BANNED_GOODS", "inward", 0.4, "light",
        lines=(
            Line("930200", ("Pistols (30 bore)", "Pistols, foreign made"), (Packing(PCS, 3, 0.9, 80000),)),
            Line("930630", ("Cartridges", "Rounds of ammunition"), (Packing(PCS, 500, 1.1, 150),)),
        ),
        origins=(("AF", 5), ("TR", 1), ("CN", 1)),
        concealments=("in secret cavity of vehicle",),
        typed_names=("arms", "weapons"),
        extra_lines=0.6,
        banned=True,
    ),
    Commodity(
        "misc_goods", "SMUGGLING", "inward", 2.5, "light",
        lines=(
            Line("910211", ("Wrist watches (Casio)", "Wrist watches, assorted"), (Packing(PCS, 200, 1.0, 6000),)),
            Line("950300", ("Toys (Chinese)", "Children toys"), (Packing(CTN, 40, 1.0, 15000), Packing(PCS, 600, 1.0, 800))),
            Line("711311", ("Silver jewellery",), (Packing(GMS, 3000, 1.0, 300, 1),), weight=0.3),
            Line("851610", ("Electric water heaters (geysers)",), (Packing(PCS, 30, 0.8, 28000),), weight=0.4),
            Line("871120", ("Motorcycles (new, CKD kits)",), (Packing(PCS, 8, 0.8, 180000),), weight=0.3),
        ),
        origins=(("CN", 5), ("AE", 2), ("JP", 0.5), ("TH", 0.5)),
        typed_names=("misc", "Miscellaneous goods", "foreign goods"),
        extra_lines=1.0,
    ),
]

COMMODITY_INDEX: dict[str, int] = {commodity.key: i for i, commodity in enumerate(COMMODITIES)}

# Multipliers on a commodity's share by the kind of place of seizure (missing = 1).
PLACE_EMPHASIS: dict[str, dict[str, float]] = {
    "AIRPORT": {"gold": 30, "currency": 30, "mobile_phones": 4, "cosmetics": 2, "narcotics": 2, "medicines": 2,
                "liquor": 1.5, "misc_goods": 2, "vehicles": 0, "petroleum": 0, "sugar": 0, "flour": 0, "urea": 0,
                "rice": 0, "fabric": 0.3, "tyres": 0, "betel_nuts": 0, "tea": 0.1, "edible_oil": 0,
                "clothing_footwear": 0.3, "auto_parts": 0.2, "cigarettes": 0.5, "dry_fruit": 0.2, "arms": 0.1},
    "SEAPORT": {"fabric": 3, "electronics": 2, "tyres": 2, "auto_parts": 2, "betel_nuts": 3, "cosmetics": 1.5,
                "tea": 2, "vehicles": 0.3, "petroleum": 0.2, "sugar": 0.1, "flour": 0, "urea": 0, "rice": 0.3,
                "narcotics": 0.6, "currency": 0.2, "gold": 0.3, "clothing_footwear": 2, "edible_oil": 1.5},
    "DRY_PORT": {"fabric": 3, "electronics": 2, "tyres": 2, "auto_parts": 2, "cosmetics": 1.5, "tea": 2,
                 "vehicles": 0.3, "petroleum": 0.1, "sugar": 0, "flour": 0, "urea": 0, "rice": 0, "narcotics": 0.4,
                 "currency": 0.1, "gold": 0.2, "clothing_footwear": 2},
    "COASTAL": {"petroleum": 3, "betel_nuts": 2, "liquor": 2, "narcotics": 2, "edible_oil": 2, "tea": 1.5,
                "vehicles": 0.2, "fabric": 0.5, "sugar": 0.7, "flour": 0.7, "urea": 0.5, "tyres": 0.5,
                "gold": 0.3, "auto_parts": 0.3},
    "BORDER_CROSSING": {"sugar": 2, "flour": 2, "urea": 2, "rice": 1.5, "currency": 1.5, "dry_fruit": 2},
    "CHECKPOST": {"vehicles": 1.3, "petroleum": 1.3},
    "HIGHWAY": {"vehicles": 1.3, "petroleum": 1.5, "currency": 0.5},
    "CITY": {"fabric": 1.3, "cigarettes": 1.3, "mobile_phones": 1.5, "cosmetics": 1.5, "medicines": 1.5,
             "petroleum": 0.5, "sugar": 0.6},
    "WAREHOUSE": {"fabric": 2, "cigarettes": 2, "electronics": 1.5, "tyres": 1.5, "mobile_phones": 1.5,
                  "cosmetics": 2, "medicines": 2, "auto_parts": 2, "vehicles": 0.3, "petroleum": 0.5,
                  "sugar": 1.5, "urea": 1.5, "narcotics": 0.3, "currency": 0.1, "gold": 0.2},
}

# Multipliers on a commodity's share by the formation's area (missing = 1).
AREA_EMPHASIS: dict[str, dict[str, float]] = {
    "KP": {"vehicles": 2.0, "cigarettes": 1.3, "tyres": 1.5, "auto_parts": 1.3, "sugar": 1.8, "flour": 1.8,
           "urea": 1.8, "tea": 1.3, "narcotics": 1.2, "petroleum": 0.4, "betel_nuts": 0.3, "dry_fruit": 1.5,
           "arms": 2, "edible_oil": 0.5},
    "BALOCHISTAN": {"petroleum": 1.5, "vehicles": 1.5, "electronics": 1.2, "urea": 1.5, "sugar": 1.5,
                    "flour": 1.5, "betel_nuts": 0.6, "narcotics": 1.5, "tyres": 1.3, "edible_oil": 1.5},
    "COAST": {"petroleum": 3.5, "betel_nuts": 1.2, "vehicles": 0.8, "edible_oil": 2, "narcotics": 1.3,
              "liquor": 1.3, "fabric": 0.5, "mobile_phones": 0.6},
    "KARACHI": {"betel_nuts": 2.5, "cigarettes": 1.2, "fabric": 1.5, "electronics": 1.5, "mobile_phones": 1.5,
                "cosmetics": 1.5, "medicines": 1.5, "tobacco_gutka": 3, "petroleum": 0.8, "vehicles": 0.3,
                "sugar": 0.3, "flour": 0.2, "urea": 0.2},
    "SINDH": {"petroleum": 1.5, "betel_nuts": 1.3, "tobacco_gutka": 2, "vehicles": 0.8, "sugar": 0.5,
              "flour": 0.5},
    "PUNJAB": {"fabric": 1.5, "mobile_phones": 1.5, "cosmetics": 1.3, "vehicles": 0.8, "petroleum": 0.3,
               "liquor": 1.3, "sugar": 0.6, "flour": 0.5, "urea": 0.8, "betel_nuts": 0.7},
    "ICT": {"mobile_phones": 1.5, "electronics": 1.3, "cosmetics": 1.3, "vehicles": 1.0, "petroleum": 0.3,
            "liquor": 1.5, "sugar": 0.5, "flour": 0.3},
}

# Detection method by kind of place: (method, weight).
DETECTION_BY_PLACE: dict[str, tuple[tuple[str, float], ...]] = {
    "AIRPORT": (("RISK_PROFILING", 45), ("SCANNER", 25), ("INTELLIGENCE", 25), ("OTHER", 5)),
    "SEAPORT": (("SCANNER", 35), ("RISK_PROFILING", 30), ("INTELLIGENCE", 30), ("OTHER", 5)),
    "DRY_PORT": (("SCANNER", 35), ("RISK_PROFILING", 30), ("INTELLIGENCE", 30), ("OTHER", 5)),
    "BORDER_CROSSING": (("CHECKPOST", 35), ("SCANNER", 20), ("INTELLIGENCE", 30), ("MOBILE_PATROL", 10), ("OTHER", 5)),
    "CHECKPOST": (("CHECKPOST", 60), ("INTELLIGENCE", 25), ("MOBILE_PATROL", 10), ("OTHER", 5)),
    "HIGHWAY": (("MOBILE_PATROL", 55), ("INTELLIGENCE", 30), ("CHECKPOST", 10), ("OTHER", 5)),
    "CITY": (("INTELLIGENCE", 40), ("RAID", 30), ("MOBILE_PATROL", 25), ("OTHER", 5)),
    "WAREHOUSE": (("RAID", 60), ("INTELLIGENCE", 35), ("OTHER", 5)),
    "COASTAL": (("MOBILE_PATROL", 45), ("INTELLIGENCE", 40), ("RAID", 10), ("OTHER", 5)),
}

# Chance that a case has a conveyance, by kind of place.
CONVEYANCE_BY_PLACE: dict[str, float] = {
    "AIRPORT": 0.02, "SEAPORT": 0.3, "DRY_PORT": 0.4, "BORDER_CROSSING": 0.75, "CHECKPOST": 0.9,
    "HIGHWAY": 0.95, "CITY": 0.5, "WAREHOUSE": 0.3, "COASTAL": 0.85,
}

# Conveyance types by what is carried: (vehicle_type, weight).
CONVEYANCE_TYPES: dict[str, tuple[tuple[str, float], ...]] = {
    "fuel": (("PICKUP", 50), ("TANKER", 25), ("TRUCK", 10), ("CAR", 5), ("MOTORCYCLE", 5), ("OTHER", 5)),
    "bulk": (("TRUCK", 50), ("TRAILER", 15), ("PICKUP", 25), ("BUS", 5), ("CAR", 5)),
    "light": (("CAR", 40), ("JEEP", 10), ("PICKUP", 15), ("BUS", 15), ("MOTORCYCLE", 10), ("TRUCK", 10)),
    "vehicle": (("CAR", 50), ("JEEP", 30), ("PICKUP", 20)),
}

# Legal sections typed per offence (then re-typed with varied separators).
LEGAL_SECTIONS: dict[str, tuple[str, ...]] = {
    "SMUGGLING": ("2(s), 16, 157, 156(1)(8), 156(1)(89)", "2(s), 16, 156(1)(8)(89), 157", "2(s), 16, 156(1)(89)"),
    "NCP_VEHICLE": ("2(s), 16, 156(1)(89), 157", "2(s), 16, 156(1)(8)(89)", "2(s), 16, 156(1)(89)"),
    "BANNED_GOODS": ("2(s), 15, 16, 156(1)(8)(89)", "2(s), 15, 16, 157, 156(1)(8)"),
    "NARCOTICS": ("2(s), 15, 16, 156(1)(8)(89) r/w 9(c) CNSA 1997", "2(s), 15, 16, 156(1)(8), 157"),
    "CURRENCY": ("2(s), 16, 139, 156(1)(8)(89) r/w 8 FERA 1947", "2(s), 139, 156(1)(8)"),
    "MISDECLARATION": ("32(1), 32(2), 156(1)(14), 79", "32(1)(a), 156(1)(14)", "32, 79, 156(1)(14)"),
    "TRANSIT_PILFERAGE": ("2(s), 16, 121, 129, 156(1)(89)", "121, 129, 156(1)(8)(89)"),
    "OTHER": ("2(s), 156(1)(90)", "16, 156(1)(8)"),
}

REMARKS: tuple[str, ...] = (
    "Goods shifted to State Warehouse", "Accused fled on seeing the patrol", "Case referred to ANF",
    "Vehicle handed over to Collectorate for adjudication", "Seizure report submitted late due to operational reasons",
    "Goods found abandoned", "Corrected quantity after physical count", "Sample sent for chemical analysis",
    "Accused produced before Special Judge Customs", "Information received through informer",
    "Joint operation with FC", "Joint operation with Pakistan Coast Guards", "Goods auctioned",
    "Case transferred from another formation", "Redemption fine deposited",
)

# Placeholders officers type when an identifier is unknown.
PLACEHOLDERS: tuple[str, ...] = ("N/A", "NIL", "-", "0", "n/a", "Nil", "UNKNOWN")

# HS codes typed that are not valid HS 2022 codes (kept apart so tests can tell them from typos of valid ones).
INVALID_HS_CODES: tuple[str, ...] = ("9999.99", "0000.00", "8517.99", "2710.30", "8703.99", "1234.56", "99.99")

# ---------------------------------------------------------------------------------------------
# Vehicles
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleModel:
    make: str | None
    model: str
    vehicle_type: str
    frames: tuple[str, ...]  # chassis (frame) number prefixes; () = no chassis number (boats)
    engines: tuple[str, ...]  # engine number prefixes
    years: tuple[int, int]
    value_lakh: tuple[float, float]  # market value in lakh PKR (100,000) at 2024 prices
    hs6: str | None = None  # tariff subheading when seized as goods (non-customs-paid)
    ncp_weight: float = 0.0  # how often it is the non-customs-paid vehicle seized
    conveyance_weight: float = 0.0  # how often it carries contraband


VEHICLE_MODELS: list[VehicleModel] = [
    VehicleModel("Toyota", "Corolla", "CAR", ("NZE121", "NZE141", "ZRE142", "ZZE121"), ("1NZ", "2ZR", "1ZZ"),
                 (2001, 2019), (20, 55), "870323", 8, 4),
    VehicleModel("Toyota", "Vitz", "CAR", ("NCP91", "KSP130", "SCP10"), ("1KR", "2SZ", "1NZ"), (2005, 2018), (15, 30),
                 "870322", 5, 2),
    VehicleModel("Toyota", "Aqua", "CAR", ("NHP10",), ("1NZ",), (2012, 2020), (30, 50), "870340", 3, 1),
    VehicleModel("Toyota", "Prius", "CAR", ("ZVW30", "NHW20"), ("2ZR", "1NZ"), (2004, 2016), (25, 45), "870340", 2, 1),
    VehicleModel("Honda", "Civic", "CAR", ("FD1", "FB2", "ES1"), ("R18A", "D17A", "R16A"), (2001, 2018), (25, 60),
                 "870323", 3, 2),
    VehicleModel("Honda", "Vezel", "CAR", ("RU3", "RU1"), ("LEB", "L15B"), (2014, 2020), (40, 70), "870340", 2, 0.5),
    VehicleModel("Toyota", "Land Cruiser", "JEEP", ("UZJ200", "URJ202", "HDJ100", "FZJ80"), ("2UZ", "1UR", "1HD", "1FZ"),
                 (1995, 2018), (60, 300), "870324", 6, 1),
    VehicleModel("Toyota", "Prado", "JEEP", ("KZJ95", "GRJ120", "TRJ150", "KDJ120"), ("1KZ", "1GR", "2TR", "1KD"),
                 (1998, 2018), (40, 150), "870324", 6, 1.5),
    VehicleModel("Toyota", "Surf", "JEEP", ("KZN185", "RZN185"), ("1KZ", "3RZ"), (1996, 2002), (25, 50), "870333", 4, 2),
    VehicleModel("Lexus", "LX570", "JEEP", ("URJ201",), ("3UR",), (2008, 2020), (200, 600), "870324", 1.5, 0.2),
    VehicleModel("Nissan", "Patrol", "JEEP", ("Y61", "Y62"), ("TB48", "ZD30"), (1998, 2016), (40, 120), "870324", 1, 0.3),
    VehicleModel("Toyota", "Hilux", "PICKUP", ("LN106", "KUN25", "GUN125"), ("2L", "2KD", "1GD"), (1990, 2018),
                 (20, 90), "870421", 5, 6),
    VehicleModel("Zamyad", "Z24", "PICKUP", ("NAZ24",), ("Z24",), (2005, 2018), (15, 30), "870431", 2, 6),
    VehicleModel("Datsun", "1200 pickup", "PICKUP", ("B120",), ("A12",), (1980, 1995), (4, 9), None, 0, 3),
    VehicleModel("Suzuki", "Ravi pickup", "PICKUP", ("SK410",), ("F10A",), (2000, 2022), (9, 16), None, 0, 3),
    VehicleModel("Suzuki", "Bolan", "OTHER", ("SK410V",), ("F10A",), (1995, 2022), (8, 16), None, 0, 2),
    VehicleModel("Suzuki", "Mehran", "CAR", ("SS80",), ("F8B",), (1995, 2019), (6, 12), None, 0, 2),
    VehicleModel("Toyota", "Hiace", "BUS", ("KDH200", "LH125"), ("2KD", "3L"), (1995, 2015), (30, 70), None, 0, 4),
    VehicleModel("Daewoo", "Coach BH116", "BUS", ("KL5T",), ("DE12",), (2004, 2018), (150, 300), None, 0, 2),
    VehicleModel("Mazda", "T3500", "TRUCK", ("WGSAT", "T3500"), ("XA", "ZB"), (1985, 2010), (20, 50), None, 0, 3),
    VehicleModel("Hino", "500 Ranger", "TRUCK", ("FG8J", "FM8J"), ("J08C", "J08E"), (1995, 2018), (50, 150), None, 0, 4),
    VehicleModel("Isuzu", "NKR", "TRUCK", ("NKR66", "NKR77"), ("4HF1", "4JJ1"), (2000, 2020), (30, 70), None, 0, 2),
    VehicleModel("Bedford", "Rocket", "TRUCK", ("J6", "TK"), ("330", "466"), (1975, 1995), (15, 40), None, 0, 3),
    VehicleModel("Hino", "Prime Mover", "TRAILER", ("SH1E", "FM2P"), ("E13C", "P11C"), (1995, 2018), (80, 200), None, 0, 3),
    VehicleModel("Hino", "Oil Tanker", "TANKER", ("FM8J", "FN2P"), ("J08C", "P11C"), (1990, 2015), (60, 150), None, 0, 3),
    VehicleModel("Honda", "CD 70", "MOTORCYCLE", ("APL", "ACF"), ("JA", "LF"), (2005, 2024), (0.8, 1.6), None, 0, 3),
    VehicleModel("Yamaha", "YBR 125", "MOTORCYCLE", ("LBP", "YBR"), ("E3X", "5VL"), (2008, 2024), (2, 4), "871120", 0.5, 1),
    VehicleModel(None, "Fishing launch", "BOAT", (), ("6HA", "S6R"), (1990, 2020), (20, 120), None, 0, 3),
    VehicleModel(None, "Speed boat", "BOAT", (), ("F250", "DF300"), (2005, 2022), (30, 150), None, 0, 1),
]

COLOURS: tuple[str, ...] = (
    "White", "White", "Black", "Silver", "Grey", "Maroon", "Blue", "Red", "Green", "Golden", "Pearl White",
    "Off-white", "white", "BLACK", "silver",
)

# Registration plate series by province: (letters, digits) patterns as issued.
PLATE_SERIES: dict[str, tuple[tuple[str, int], ...]] = {
    PUNJAB: (("LEA", 4), ("LEB", 4), ("LED", 3), ("LEC", 4), ("RIA", 4), ("RIK", 3), ("FDA", 4), ("FSD", 3),
             ("MNA", 4), ("GAA", 3), ("SKA", 4), ("BWP", 3)),
    SINDH: (("AKF", 3), ("BBA", 3), ("ABC", 3), ("AAA", 3), ("BKZ", 4), ("KGB", 4), ("HYD", 3), ("SKR", 3)),
    KP: (("KP", 4), ("PR", 4), ("MN", 4), ("A", 4), ("B", 4)),
    BAL: (("BA", 4), ("QAA", 3), ("QA", 4), ("TBA", 3), ("GDR", 3)),
    ICT: (("IDA", 4), ("ICT", 3), ("AAK", 3)),
    GB: (("GLT", 3),),
}
REGISTRATION_PLACEHOLDERS: tuple[str, ...] = ("UNREGISTERED", "Unregistered", "N/A", "NIL", "-", "0", "Applied for",
                                              "Without number")
