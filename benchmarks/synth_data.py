"""Reference data for synth.py: posts, TAGS, names (small constants, no file reads).

Posts and routing indicators follow `route2name.csv` (Allied Routing Indicator Book, via
heuer/cablemap) with the spelling used in cable reference IDs (QUITO, COLOMBO, MEXICO ...); the
weights roughly follow how many cables each post has in the 2010-2011 release (State and a few
big embassies dominate). Country codes are FIPS 10-4, as in cable TAGS. Person names are generic
common surnames and given names, not real officials.
"""

from __future__ import annotations

from typing import NamedTuple


class Post(NamedTuple):
    code: str  # as in reference IDs: TASHKENT, LAPAZ, STATE, USNATO
    origin: str  # as WikiLeaks names it: Embassy Tashkent, Secretary of State
    ri: str  # routing indicator: RUEHNT
    station: str  # as in FM/TO/INFO lines: AMEMBASSY TASHKENT
    ref_name: str  # as written in REF lines: TASHKENT, LA PAZ, STATE
    country: str  # FIPS 10-4 country tag ("" for multilateral missions without one)
    weight: int  # relative number of cables
    region: str  # AF EAP EUR NEA SCA WHA IO DC


# kind|city (station spelling)|RI|FIPS|weight|region; kind E=embassy C=consulate.
# An optional 7th field overrides the reference-ID code when it is not the city without spaces.
_POSTS = """
E|ABIDJAN|RUEHAB|IV|900|AF
E|ABU DHABI|RUEHAD|AE|2200|NEA
E|ABUJA|RUEHUJA|NI|1900|AF
E|ACCRA|RUEHAR|GH|800|AF
E|ADDIS ABABA|RUEHDS|ET|1900|AF
E|ALGIERS|RUEHAS|AG|1100|NEA
E|AMMAN|RUEHAM|JO|3700|NEA
E|ANKARA|RUEHAK|TU|7900|EUR
E|ANTANANARIVO|RUEHAN|MA|700|AF
E|APIA|RUEHAP|WS|100|EAP
E|ASHGABAT|RUEHAH|TX|1200|SCA
E|ASMARA|RUEHAE|ER|900|AF
E|ASTANA|RUEHTA|KZ|1700|SCA
E|ASUNCION|RUEHAC|PA|1300|WHA
E|ATHENS|RUEHTH|GR|2000|EUR
E|BAGHDAD|RUEHGB|IZ|6700|NEA
E|BAKU|RUEHKB|AJ|1900|EUR
E|BAMAKO|RUEHBP|ML|800|AF
E|BANDAR SERI BEGAWAN|RUEHBD|BX|300|EAP
E|BANGKOK|RUEHBK|TH|3400|EAP
E|BANGUI|RUEHGI|CT|150|AF
E|BANJUL|RUEHJL|GA|300|AF
E|BEIJING|RUEHBJ|CH|4700|EAP
E|BEIRUT|RUEHLB|LE|2800|NEA
E|BELGRADE|RUEHBW|RI|1800|EUR
E|BELMOPAN|RUEHBE|BH|300|WHA
E|BERLIN|RUEHRL|GM|3000|EUR
E|BERN|RUEHSW|SZ|900|EUR
E|BISHKEK|RUEHEK|KG|1500|SCA
E|BOGOTA|RUEHBO|CO|3800|WHA
E|BRASILIA|RUEHBR|BR|3000|WHA
E|BRATISLAVA|RUEHSL|LO|700|EUR
E|BRAZZAVILLE|RUEHBZ|CF|300|AF
E|BRIDGETOWN|RUEHWN|BB|700|WHA
E|BRUSSELS|RUEHBS|BE|1900|EUR
E|BUCHAREST|RUEHBM|RO|1500|EUR
E|BUDAPEST|RUEHUP|HU|1500|EUR
E|BUENOS AIRES|RUEHBU|AR|3000|WHA
E|BUJUMBURA|RUEHJB|BY|400|AF
E|CAIRO|RUEHEG|EG|4000|NEA
E|CANBERRA|RUEHBY|AS|1800|EAP
E|CARACAS|RUEHCV|VE|4000|WHA
E|CHISINAU|RUEHCH|MD|1400|EUR
E|COLOMBO|RUEHLM|CE|2100|SCA
E|CONAKRY|RUEHRY|GV|700|AF
E|COPENHAGEN|RUEHCP|DA|1200|EUR
E|COTONOU|RUEHCO|BN|400|AF
E|DAKAR|RUEHDK|SG|1100|AF
E|DAMASCUS|RUEHDM|SY|2500|NEA
E|DAR ES SALAAM|RUEHDR|TZ|1200|AF
E|DHAKA|RUEHKA|BG|2300|SCA
E|DILI|RUEHDT|TT|500|EAP
E|DJIBOUTI|RUEHDJ|DJ|600|AF
E|DOHA|RUEHDO|QA|1500|NEA
E|DUBLIN|RUEHDL|EI|800|EUR
E|DUSHANBE|RUEHDBU|TI|1300|SCA
E|FREETOWN|RUEHFN|SL|500|AF
E|GABORONE|RUEHOR|BC|700|AF
E|GEORGETOWN|RUEHGE|GY|600|WHA
E|GRENADA|RUEHGR|GJ|100|WHA
E|GUATEMALA CITY|RUEHGT|GT|1700|WHA|GUATEMALA
E|HANOI|RUEHHI|VM|2400|EAP
E|HARARE|RUEHSB|ZI|2200|AF
E|HELSINKI|RUEHHE|FI|1000|EUR
E|ISLAMABAD|RUEHIL|PK|3700|SCA
E|JAKARTA|RUEHJA|ID|3000|EAP
E|KABUL|RUEHBUL|AF|4100|SCA
E|KAMPALA|RUEHKM|UG|1200|AF
E|KATHMANDU|RUEHKT|NP|1700|SCA
E|KHARTOUM|RUEHKH|SU|2800|AF
E|KIGALI|RUEHLGB|RW|600|AF
E|KINGSTON|RUEHKG|JM|800|WHA
E|KINSHASA|RUEHKI|CG|1900|AF
E|KOLONIA|RUEHKN|FM|100|EAP
E|KOROR|RUEHKR|PS|100|EAP
E|KUALA LUMPUR|RUEHKL|MY|2100|EAP
E|KUWAIT|RUEHKU|KU|3100|NEA
E|KYIV|RUEHKV|UP|2300|EUR
E|LA PAZ|RUEHLP|BL|2100|WHA
E|LAGOS|RUEHOS|NI|700|AF
E|LIBREVILLE|RUEHLC|GB|400|AF
E|LILONGWE|RUEHLG|MI|600|AF
E|LIMA|RUEHPE|PE|2400|WHA
E|LISBON|RUEHLI|PO|1100|EUR
E|LJUBLJANA|RUEHLJ|SI|900|EUR
E|LOME|RUEHPC|TO|400|AF
E|LONDON|RUEHLO|UK|3300|EUR
E|LUANDA|RUEHLU|AO|700|AF
E|LUSAKA|RUEHLS|ZA|900|AF
E|LUXEMBOURG|RUEHLE|LU|400|EUR
E|MADRID|RUEHMD|SP|3400|EUR
E|MAJURO|RUEHMJ|RM|100|EAP
E|MALABO|RUEHMA|EK|200|AF
E|MANAGUA|RUEHMU|NU|1900|WHA
E|MANAMA|RUEHMK|BA|1500|NEA
E|MANILA|RUEHML|RP|2700|EAP
E|MAPUTO|RUEHTO|MZ|900|AF
E|MASERU|RUEHMR|LT|300|AF
E|MBABANE|RUEHMB|WZ|300|AF
E|MEXICO CITY|RUEHME|MX|3300|WHA|MEXICO
E|MINSK|RUEHSK|BO|1100|EUR
E|MONROVIA|RUEHMV|LI|900|AF
E|MONTEVIDEO|RUEHMN|UY|1300|WHA
E|MOSCOW|RUEHMO|RS|4100|EUR
E|MUSCAT|RUEHMS|MU|1100|NEA
E|NAIROBI|RUEHNR|KE|2400|AF
E|NASSAU|RUEHBH|BF|700|WHA
E|NDJAMENA|RUEHNJ|CD|800|AF
E|NEW DELHI|RUEHNE|IN|3600|SCA
E|NIAMEY|RUEHNM|NG|700|AF
E|NICOSIA|RUEHNC|CY|1200|EUR
E|NOUAKCHOTT|RUEHNK|MR|800|AF
E|OSLO|RUEHNY|NO|1100|EUR
E|OTTAWA|RUEHOT|CA|2500|WHA
E|OUAGADOUGOU|RUEHOU|UV|600|AF
E|PANAMA CITY|RUEHZP|PM|1500|WHA|PANAMA
E|PARAMARIBO|RUEHPO|NS|300|WHA
E|PARIS|RUEHFR|FR|3900|EUR
E|PHNOM PENH|RUEHPF|CB|1500|EAP
E|PODGORICA|RUEHPOD|MJ|500|EUR
E|PORT AU PRINCE|RUEHPU|HA|1900|WHA
E|PORT MORESBY|RUEHPB|PP|300|EAP
E|PORT OF SPAIN|RUEHSP|TD|700|WHA
E|PRAGUE|RUEHPG|EZ|1600|EUR
E|PRAIA|RUEHPA|CV|200|AF
E|PRETORIA|RUEHSA|SF|2500|AF
E|PRISTINA|RUEHPS|KV|1300|EUR
E|QUITO|RUEHQT|EC|1800|WHA
E|RABAT|RUEHRB|MO|1900|NEA
E|RANGOON|RUEHGO|BM|1800|EAP
E|REYKJAVIK|RUEHRK|IC|500|EUR
E|RIGA|RUEHRA|LG|900|EUR
E|RIYADH|RUEHRH|SA|2600|NEA
E|ROME|RUEHRO|IT|3100|EUR
E|SAN JOSE|RUEHSJ|CS|1200|WHA
E|SAN SALVADOR|RUEHSN|ES|1400|WHA
E|SANAA|RUEHYN|YM|2200|NEA
E|SANTIAGO|RUEHSG|CI|1900|WHA
E|SANTO DOMINGO|RUEHDG|DR|1600|WHA
E|SARAJEVO|RUEHVJ|BK|1700|EUR
E|SEOUL|RUEHUL|KS|3700|EAP
E|SINGAPORE|RUEHGP|SN|2000|EAP
E|SKOPJE|RUEHSQ|MK|1200|EUR
E|SOFIA|RUEHSF|BU|1500|EUR
E|STOCKHOLM|RUEHSM|SW|1200|EUR
E|SUVA|RUEHSV|FJ|400|EAP
E|TALLINN|RUEHTL|EN|900|EUR
E|TASHKENT|RUEHNT|UZ|1800|SCA
E|TBILISI|RUEHSI|GG|2200|EUR
E|TEGUCIGALPA|RUEHTG|HO|1400|WHA
E|TEL AVIV|RUEHTV|IS|3500|NEA
E|THE HAGUE|RUEHTC|NL|2000|EUR
E|TIRANA|RUEHTI|AL|900|EUR
E|TOKYO|RUEHKO|JA|5700|EAP
E|TRIPOLI|RUEHTRO|LY|900|NEA
E|TUNIS|RUEHTU|TS|1300|NEA
E|ULAANBAATAR|RUEHUM|MG|700|EAP
E|VALLETTA|RUEHVT|MT|500|EUR
E|VATICAN|RUEHROV|VT|400|EUR
E|VIENNA|RUEHVI|AU|1800|EUR
E|VIENTIANE|RUEHVN|LA|700|EAP
E|VILNIUS|RUEHVL|LH|900|EUR
E|WARSAW|RUEHWR|PL|1800|EUR
E|WELLINGTON|RUEHWL|NZ|900|EAP
E|WINDHOEK|RUEHWD|WA|500|AF
E|YAOUNDE|RUEHYD|CM|700|AF
E|YEREVAN|RUEHYE|AM|1500|EUR
E|ZAGREB|RUEHVB|HR|1400|EUR
C|ADANA|RUEHDA|TU|600|EUR
C|AMSTERDAM|RUEHAT|NL|200|EUR
C|AUCKLAND|RUEHNZ|NZ|150|EAP
C|BARCELONA|RUEHLA|SP|300|EUR
C|BELFAST|RUEHBL|UK|200|EUR
C|CALGARY|RUEHGA|CA|200|WHA
C|CAPE TOWN|RUEHTN|SF|400|AF
C|CASABLANCA|RUEHCL|MO|400|NEA
C|CHENGDU|RUEHCN|CH|700|EAP
C|CHENNAI|RUEHCG|IN|900|SCA
C|CHIANG MAI|RUEHCHI|TH|500|EAP
C|CIUDAD JUAREZ|RUEHCD|MX|300|WHA
C|CURACAO|RUEHAO|NT|300|WHA
C|DHAHRAN|RUEHDH|SA|500|NEA
C|DUBAI|RUEHDE|AE|800|NEA
C|DURBAN|RUEHDU|SF|300|AF
C|DUSSELDORF|RUEHDF|GM|300|EUR
C|EDINBURGH|RUEHED|UK|100|EUR
C|FLORENCE|RUEHFL|IT|150|EUR
C|FRANKFURT|RUEHFT|GM|900|EUR
C|FUKUOKA|RUEHFK|JA|300|EAP
C|GUADALAJARA|RUEHGD|MX|600|WHA
C|GUANGZHOU|RUEHGZ|CH|1200|EAP
C|GUAYAQUIL|RUEHGL|EC|600|WHA
C|HALIFAX|RUEHHA|CA|150|WHA
C|HAMBURG|RUEHAG|GM|300|EUR
C|HAMILTON|RUEHHT|BD|300|WHA
C|HERMOSILLO|RUEHHO|MX|300|WHA
C|HO CHI MINH CITY|RUEHHM|VM|1300|EAP
C|HONG KONG|RUEHHK|HK|2500|EAP
C|HYDERABAD|RUEHNEH|IN|300|SCA
C|ISTANBUL|RUEHIT|TU|1600|EUR
C|JEDDAH|RUEHJI|SA|900|NEA
C|JERUSALEM|RUEHJM|IS|2200|NEA
C|KARACHI|RUEHKP|PK|1200|SCA
C|KOLKATA|RUEHCI|IN|600|SCA
C|KRAKOW|RUEHKW|PL|300|EUR
C|LAHORE|RUEHLH|PK|900|SCA
C|LEIPZIG|RUEHLZ|GM|200|EUR
C|MARSEILLE|RUEHMRE|FR|200|EUR
C|MATAMOROS|RUEHRS|MX|300|WHA
C|MELBOURNE|RUEHBN|AS|300|EAP
C|MERIDA|RUEHRD|MX|200|WHA
C|MILAN|RUEHMIL|IT|500|EUR
C|MONTERREY|RUEHMC|MX|800|WHA
C|MONTREAL|RUEHMT|CA|300|WHA
C|MUMBAI|RUEHBI|IN|1300|SCA
C|MUNICH|RUEHMZ|GM|600|EUR
C|NAGOYA|RUEHDIR|JA|200|EAP
C|NAHA|RUEHNH|JA|400|EAP
C|NAPLES|RUEHNP|IT|300|EUR
C|NOGALES|RUEHNG|MX|200|WHA
C|NUEVO LAREDO|RUEHNL|MX|300|WHA
C|OSAKA KOBE|RUEHOK|JA|700|EAP
C|PERTH|RUEHPT|AS|200|EAP
C|PESHAWAR|RUEHPW|PK|800|SCA
C|PONTA DELGADA|RUEHPD|PO|200|EUR
C|QUEBEC|RUEHQU|CA|200|WHA
C|RECIFE|RUEHRG|BR|300|WHA
C|RIO DE JANEIRO|RUEHRI|BR|800|WHA
C|SAO PAULO|RUEHSO|BR|1600|WHA
C|SAPPORO|RUEHKSO|JA|300|EAP
C|SHANGHAI|RUEHGH|CH|1600|EAP
C|SHENYANG|RUEHSH|CH|800|EAP
C|ST PETERSBURG|RUEHLN|RS|500|EUR
C|STRASBOURG|RUEHSR|FR|200|EUR
C|SURABAYA|RUEHJS|ID|400|EAP
C|SYDNEY|RUEHDN|AS|600|EAP
C|THESSALONIKI|RUEHIK|GR|200|EUR
C|TIJUANA|RUEHTM|MX|400|WHA
C|TORONTO|RUEHON|CA|500|WHA
C|VANCOUVER|RUEHVC|CA|300|WHA
C|VLADIVOSTOK|RUEHVK|RS|300|EUR
C|YEKATERINBURG|RUEHYG|RS|400|EUR
"""

# Posts that are neither an embassy nor a consulate, written out in full.
_SPECIAL_POSTS = [
    Post(
        "STATE", "Secretary of State", "RUEHC", "SECSTATE WASHDC", "STATE", "", 8000, "DC"
    ),
    Post(
        "USUNNEWYORK", "USUN New York", "RUCNDT", "USMISSION USUN NEW YORK",
        "USUN NEW YORK", "", 2700, "IO",
    ),
    Post("USNATO", "Mission USNATO", "RUEHNO", "USMISSION USNATO", "USNATO", "", 2400, "IO"),
    Post(
        "USEUBRUSSELS", "USEU Brussels", "RUEHEU", "USEU BRUSSELS", "USEU BRUSSELS", "",
        2300, "IO",
    ),
    Post(
        "UNVIEVIENNA", "UNVIE", "RUEHUNV", "USMISSION UNVIE VIENNA", "UNVIE VIENNA", "",
        1300, "IO",
    ),
    Post(
        "USOSCE", "Mission USOSCE", "RUEHVEN", "USMISSION USOSCE", "USOSCE", "", 900, "IO"
    ),
    Post(
        "GENEVA", "Mission Geneva", "RUEHGV", "USMISSION GENEVA", "GENEVA", "SZ", 2100, "IO"
    ),
    Post(
        "CDGENEVA", "Mission CD Geneva", "RUEHGVC", "USMISSION CD GENEVA", "CD GENEVA", "SZ",
        300, "IO",
    ),
    Post(
        "UNROME", "Mission UN Rome", "RUEHRN", "USMISSION UN ROME", "UN ROME", "IT", 400, "IO"
    ),
    Post(
        "UNESCOPARISFR", "Mission UNESCO", "RUEHFRE", "USMISSION UNESCO PARIS",
        "UNESCO PARIS", "FR", 200, "IO",
    ),
    Post(
        "HAVANA", "US Interests Section Havana", "RUEHUB", "USINT HAVANA", "HAVANA", "CU",
        1200, "WHA",
    ),
    Post("TAIPEI", "AIT Taipei", "RUEHIN", "AIT TAIPEI", "TAIPEI", "TW", 2800, "EAP"),
    Post("KAOHSIUNG", "AIT Kaohsiung", "RUEHINK", "AIT KAOHSIUNG", "KAOHSIUNG", "TW", 100, "EAP"),
    Post("RPODUBAI", "Iran RPO Dubai", "RUEHNAG", "IRAN RPO DUBAI", "RPO DUBAI", "IR", 500, "NEA"),
    Post("BASRAH", "REO Basrah", "RUEHBC", "REO BASRAH", "BASRAH", "IZ", 700, "NEA"),
    Post("HILLAH", "REO Hillah", "RUEHIHL", "REO HILLAH", "HILLAH", "IZ", 400, "NEA"),
    Post(
        "USAUADDISABABA", "Mission USAU", "RUEHDSU", "USMISSION USAU ADDIS ABABA",
        "USAU ADDIS ABABA", "", 200, "IO",
    ),
]


def _title(words: str) -> str:
    return " ".join(w.capitalize() for w in words.split())


def _build_posts() -> list[Post]:
    posts: list[Post] = list(_SPECIAL_POSTS)
    seen = {p.code for p in posts}
    for line in _POSTS.strip().splitlines():
        fields = line.split("|")
        kind, city, ri, country, weight, region = fields[:6]
        code = fields[6] if len(fields) > 6 else city.replace(" ", "")
        if code in seen or int(weight) <= 0:
            continue
        seen.add(code)
        if kind == "E":
            origin, station = f"Embassy {_title(city)}", f"AMEMBASSY {city}"
        else:
            origin, station = f"Consulate {_title(city)}", f"AMCONSUL {city}"
        ref_name = city if code == city.replace(" ", "") else code
        posts.append(Post(code, origin, ri, station, ref_name, country, int(weight), region))
    return posts


POSTS: list[Post] = _build_posts()

# Addressees that are not posts: agencies and collectives seen in INFO lists.
AGENCIES = [
    "RUEAIIA/CIA WASHINGTON DC",
    "RHEHNSC/NSC WASHINGTON DC",
    "RUEKJCS/SECDEF WASHINGTON DC",
    "RUEKJCS/JOINT STAFF WASHINGTON DC",
    "RUEKDIA/DIA WASHINGTON DC",
    "RUEATRS/DEPT OF TREASURY WASHINGTON DC",
    "RUCPDOC/DEPT OF COMMERCE WASHINGTON DC",
    "RHEBAAA/DEPT OF ENERGY WASHINGTON DC",
    "RUEAWJA/DEPT OF JUSTICE WASHINGTON DC",
    "RUEHRC/DEPT OF AGRICULTURE USDA FAS WASHINGTON DC",
    "RUEIDN/DNI WASHINGTON DC",
    "RHMFISS/HQ USCENTCOM MACDILL AFB FL",
    "RHMFISS/HQ USEUCOM VAIHINGEN GE",
    "RHHMUNA/HQ USPACOM HONOLULU HI",
    "RHMFISS/HQ USSOUTHCOM MIAMI FL",
    "RHMFISS/HQ USAFRICOM STUTTGART GE",
    "RUEHZL/EUROPEAN POLITICAL COLLECTIVE",
    "RUEHXK/ARAB ISRAELI COLLECTIVE",
    "RUCNIRA/IRAN COLLECTIVE",
    "RUEHZK/ECOWAS COLLECTIVE",
    "RUEHZG/NATO EU COLLECTIVE",
    "RUEHWH/WESTERN HEMISPHERIC AFFAIRS DIPL POSTS",
    "RUEHZN/EAST ASIAN AND PACIFIC COLLECTIVE",
    "RUCNCIS/CIS COLLECTIVE",
    "RUEHGG/UN SECURITY COUNCIL COLLECTIVE",
    "RUCNMEM/EU MEMBER STATES COLLECTIVE",
    "RUEHZO/AFRICAN UNION COLLECTIVE",
    "RUEHIHL/REO HILLAH",
    "RUEHHE/HOMELAND SECURITY CENTER WASHINGTON DC",
]

# Subject TAGS, most common first (Zipf-weighted by rank).
SUBJECT_TAGS = (
    "PREL PGOV ECON ETRD PHUM EFIN MARR PTER KDEM SNAR EAID ENRG PINR SOCI EINV ELAB PINS "
    "KCRM MOPS CASC CVIS EPET SENV OVIP KNNP MASS OREP PARM ASEC AORC EAGR KPAO TSPL ECIN "
    "PREF SMIG KJUS KTIP KIRF KCOR KWMN KISL PBTS EIND AMGT APER EAIR SCUL OEXC OIIP KTFN "
    "KMDR KPAL KHIV KFLU KPKO TBIO ETTC EMIN ELTN EWWT ECPS MCAP MNUC PROP TSPA BEXP EFIS "
    "AEMR ABUD AFIN AMED ASIG CMGT CPAS BTIO KSCA KWBG KSUM KSEP KIPR KGHG KOLY KBTS KFRD"
).split()

ORG_TAGS = "NATO EUN UNSC IAEA UNGA OAS AU ASEAN OSCE WTO OPEC IMF APEC SADC ECOWAS".split()

PERSON_MARKERS = ["OVIP", "OREP", "CODEL"]

# Generic surnames and given names (common names, not particular officials).
SURNAMES = """
Garcia Rodriguez Lopez Martinez Silva Santos Pereira Costa Oliveira Ferreira Ivanov Petrov
Smirnov Popov Sokolov Volkov Yilmaz Kaya Demir Celik Sahin Ozturk Khan Ahmed Hussain Hassan
Ibrahim Rahman Aziz Karim Saleh Haddad Nasser Mansour Nguyen Tran Pham Hoang Wang Zhang Liu
Chen Yang Zhao Huang Park Choi Jung Kang Sato Suzuki Takahashi Watanabe Ito Muller Schmidt
Schneider Fischer Weber Wagner Becker Rossi Russo Ferrari Esposito Bianchi Romano Dubois
Bernard Moreau Laurent Lefebvre Girard Kowalski Nowak Wisniewski Horvat Kovac Jovanovic
Petrovic Nikolic Papadopoulos Georgiou Okafor Adeyemi Mensah Mwangi Otieno Banda Phiri Moyo
Ndlovu Dlamini Haile Tesfaye Kebede Sharma Singh Patel Gupta Kumar Perera Fernando Bandara
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson
White Harris Clark Lewis Walker Hall Young Wright Scott Green Baker Adams Nelson Hill Campbell
Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy
Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood
Watson Brooks Bennett Gray Hughes Price Sanders Myers Long Ross Foster Hansen Larsen Jensen
Nielsen Johansson Lindberg Virtanen Novak Horvath Nagy Popescu Ionescu Dimitrov Georgiev
Mendoza Castillo Vargas Rojas Morales Herrera Medina Aguilar Flores Ramirez Torres Gutierrez
""".split()

GIVEN_NAMES = """
John Michael David James Robert William Richard Thomas Mark Paul Steven Daniel Peter Andrew
Mary Susan Karen Linda Patricia Elizabeth Jennifer Anne Margaret Laura Carlos Jose Luis Juan
Maria Ana Pedro Miguel Jorge Ahmed Mohamed Ali Omar Hassan Youssef Khalid Fatima Leila Ivan
Sergei Dmitri Olga Elena Natalia Mehmet Mustafa Ayse Wei Li Ming Hiroshi Kenji Yuki Min-jun
Ji-hoon Hans Klaus Stefan Giovanni Marco Pierre Jean Francois Piotr Tomasz Jan Nikola Milan
Kwame Chinedu Amina Joseph Samuel Rajesh Anil Priya Sunil Nuwan Arjun Lars Erik Anders
""".split()

# FIPS country tag -> country name, for the countries posts are in (and a few others).
COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AF": "Afghanistan", "AG": "Algeria", "AJ": "Azerbaijan",
    "AL": "Albania", "AM": "Armenia", "AO": "Angola", "AR": "Argentina", "AS": "Australia",
    "AU": "Austria", "BA": "Bahrain", "BB": "Barbados", "BC": "Botswana", "BD": "Bermuda",
    "BE": "Belgium", "BF": "Bahamas", "BG": "Bangladesh", "BH": "Belize", "BK": "Bosnia",
    "BL": "Bolivia", "BM": "Burma", "BN": "Benin", "BO": "Belarus", "BR": "Brazil",
    "BU": "Bulgaria", "BX": "Brunei", "BY": "Burundi", "CA": "Canada", "CB": "Cambodia",
    "CD": "Chad", "CE": "Sri Lanka", "CF": "Congo", "CG": "Congo", "CH": "China",
    "CI": "Chile", "CM": "Cameroon", "CO": "Colombia", "CS": "Costa Rica", "CT": "Central Africa",
    "CU": "Cuba", "CV": "Cape Verde", "CY": "Cyprus", "DA": "Denmark", "DJ": "Djibouti",
    "DR": "Dominican Republic", "EC": "Ecuador", "EG": "Egypt", "EI": "Ireland",
    "EK": "Equatorial Guinea", "EN": "Estonia", "ER": "Eritrea", "ES": "El Salvador",
    "ET": "Ethiopia", "EZ": "Czech Republic", "FI": "Finland", "FJ": "Fiji", "FM": "Micronesia",
    "FR": "France", "GA": "Gambia", "GB": "Gabon", "GG": "Georgia", "GH": "Ghana",
    "GJ": "Grenada", "GM": "Germany", "GR": "Greece", "GT": "Guatemala", "GV": "Guinea",
    "GY": "Guyana", "HA": "Haiti", "HK": "Hong Kong", "HO": "Honduras", "HR": "Croatia",
    "HU": "Hungary", "IC": "Iceland", "ID": "Indonesia", "IN": "India", "IR": "Iran",
    "IS": "Israel", "IT": "Italy", "IV": "Cote d'Ivoire", "IZ": "Iraq", "JA": "Japan",
    "JM": "Jamaica", "JO": "Jordan", "KE": "Kenya", "KG": "Kyrgyzstan", "KN": "North Korea",
    "KS": "South Korea", "KU": "Kuwait", "KV": "Kosovo", "KZ": "Kazakhstan", "LA": "Laos",
    "LE": "Lebanon", "LG": "Latvia", "LH": "Lithuania", "LI": "Liberia", "LO": "Slovakia",
    "LT": "Lesotho", "LU": "Luxembourg", "LY": "Libya", "MA": "Madagascar", "MD": "Moldova",
    "MG": "Mongolia", "MI": "Malawi", "MJ": "Montenegro", "MK": "Macedonia", "ML": "Mali",
    "MO": "Morocco", "MR": "Mauritania", "MT": "Malta", "MU": "Oman", "MX": "Mexico",
    "MY": "Malaysia", "MZ": "Mozambique", "NG": "Niger", "NI": "Nigeria", "NL": "Netherlands",
    "NO": "Norway", "NP": "Nepal", "NS": "Suriname", "NT": "Netherlands Antilles",
    "NU": "Nicaragua", "NZ": "New Zealand", "PA": "Paraguay", "PE": "Peru", "PK": "Pakistan",
    "PL": "Poland", "PM": "Panama", "PO": "Portugal", "PP": "Papua New Guinea", "PS": "Palau",
    "QA": "Qatar", "RI": "Serbia", "RM": "Marshall Islands", "RO": "Romania",
    "RP": "Philippines", "RS": "Russia", "RW": "Rwanda", "SA": "Saudi Arabia", "SF": "South Africa",
    "SG": "Senegal", "SI": "Slovenia", "SL": "Sierra Leone", "SN": "Singapore", "SO": "Somalia",
    "SP": "Spain", "SU": "Sudan", "SW": "Sweden", "SY": "Syria", "SZ": "Switzerland",
    "TD": "Trinidad and Tobago", "TH": "Thailand", "TI": "Tajikistan", "TO": "Togo",
    "TS": "Tunisia", "TT": "Timor-Leste", "TU": "Turkey", "TW": "Taiwan", "TX": "Turkmenistan",
    "TZ": "Tanzania", "UG": "Uganda", "UK": "United Kingdom", "UP": "Ukraine",
    "US": "United States",
    "UV": "Burkina Faso", "UY": "Uruguay", "UZ": "Uzbekistan", "VE": "Venezuela", "VM": "Vietnam",
    "VT": "Holy See", "WA": "Namibia", "WE": "West Bank", "WS": "Samoa", "WZ": "Swaziland",
    "YM": "Yemen", "ZA": "Zambia", "ZI": "Zimbabwe",
}

# Countries that turn up as second country tags far more often than others.
HOT_COUNTRIES = "IR IZ AF PK RS CH KN IS WE SY LE SU SO VE CU US UK FR GM".split()

OFFICER_TITLES = [
    "Ambassador", "Charge d'Affaires", "DCM", "Political Counselor", "Pol/Econ Chief",
    "Deputy Chief of Mission", "Economic Counselor", "A/DCM", "PolOff", "Acting DCM",
    "Political Officer", "Consul General", "Principal Officer", "CDA", "Polmiloff",
]

OFFICE_SYMBOLS = [
    "EUR/CE", "EUR/RUS", "EUR/SE", "EUR/WE", "NEA/IR", "NEA/I", "NEA/ELA", "NEA/ARP", "SCA/A",
    "SCA/CEN", "SCA/PB", "SCA/INS", "AF/E", "AF/W", "AF/S", "AF/C", "WHA/AND", "WHA/BSC",
    "WHA/CEN", "WHA/MEX", "EAP/CM", "EAP/J", "EAP/K", "EAP/MLS", "INR/B", "INR/EAP", "DRL",
    "INL", "G/TIP", "ISN", "S/CT", "EEB", "PRM", "IO/UNP", "PM", "USAID", "L", "CA/VO",
]
