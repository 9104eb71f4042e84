"""Rebuild benchmarks/synth_vocab.txt from the real sample cables (development tool only).

    python benchmarks/build_synth_vocab.py tests/fixtures/corpus [--size 6000]

Counts the words of the cable bodies in `wikileaks-html/` and `raw-txt/` (all-caps cables are
skipped), keeps lower-case words, a hand-picked list of capitalised words (countries, months,
titles and institutions; no personal names) and common acronyms, and writes the most frequent
ones with their counts. synth.py reads only the resulting file, never the corpus.
"""

from __future__ import annotations

import argparse
import collections
import html
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent / "synth_vocab.txt"

# Capitalised words that may appear in generated text (no personal names on purpose).
CAPITALISED = set(
    """
    President Minister Ambassador Embassy Ministry Secretary General Director Deputy Prime
    Affairs Department Council Parliament Court Army Cabinet Committee Union Congress Governor
    Senator Agency Commission Assembly Counselor Chairman Commander Republic Convention Treaty
    League Bank Special Federal Central Supreme Interior Finance Defense Justice Foreign National
    Party Police Office Security Advisor Vice Charge Post Poloff Econoff Article Summary Comment
    Washington Government Mission Consulate Consul Minister's President's Ministry's Senate
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Islamic Muslim Christian Catholic
    Orthodox Arab European African Asian American Western Eastern Northern Southern North South
    East West Middle Gulf Pacific Atlantic Baltic Balkan Caribbean Latin Kurdish Shia Sunni
    Iranian Iraqi Afghan Pakistani Indian Chinese Russian French German British Spanish Italian
    Turkish Israeli Palestinian Syrian Lebanese Egyptian Saudi Yemeni Libyan Algerian Moroccan
    Tunisian Sudanese Somali Kenyan Nigerian Brazilian Argentine Venezuelan Colombian Mexican
    Cuban Bolivian Peruvian Chilean Canadian Japanese Korean Ukrainian Georgian Serbian Kosovar
    Bosnian Croatian Polish Czech Romanian Bulgarian Greek Swedish Norwegian Danish Dutch Belgian
    Austrian Swiss Irish Portuguese Uzbek Kazakh Turkmen Tajik Kyrgyz Azerbaijani Armenian
    Burmese Thai Indonesian Malaysian Filipino Vietnamese Australian Emirati Qatari Kuwaiti
    Omani Jordanian Ethiopian Eritrean Zimbabwean Angolan Congolese Haitian Nicaraguan
    Salvadoran Honduran Guatemalan Panamanian Paraguayan Uruguayan Ecuadorian Estonian Latvian
    Lithuanian Moldovan Hungarian Slovak Slovenian Macedonian Albanian Mongolian Taiwanese
    Embassy's Government's Parliament's Party's Defense's Council's Army's
    Deputies Ministers Ambassadors Secretaries Governors Senators Presidents Directors
    Navy Coast Guard Forces Force Military Border Customs Immigration Trade Economic Energy
    Health Education Agriculture Labor Transport Commerce Industry Investment Development
    Human Rights Democratic Liberal Socialist Conservative Popular Social Movement Front
    Alliance Coalition Opposition Revolutionary Islamist Constitutional Electoral Election
    Elections Chamber Deputies Board Unit Division Bureau Service Staff Guard Guards
    Attorney Prosecutor Judge Tribunal Administration Directorate Authority Initiative Program
    Conference Summit Forum Group Organization Institute Foundation University Center Council's
    Free Trade Agreement Plan Strategy Framework Action Task Working Joint Provincial Regional
    Municipal District State States United Nations Kingdom Emirates Arabia Federation
    """.split()
)

ACRONYMS = set(
    """
    USG EU NATO UN UK PM MFA UAE DPRK USD IAEA MOD NSC UNSC CODEL USAID IMF UNSCR ISAF GCC INR
    GDP ICRC MOU CIA NGO NGOs FBI PRC DHS FTA CEO FY OSCE WMD NPT OAS DCM AU ASEAN WTO OECD
    NGO's ODA HIV AIDS WFP UNHCR UNDP UNICEF CT DOD DOJ DOE DEA TIP MOI MOF MOJ GOI GOP GOT GOK
    GOB GOC GOA GOM GOL GOE GOS GOU GOR GON GOF GOZ HMG EUR NEA WHA EAP SCA AF IO ISN DRL INL
    PRM EEB USTR DAS SRSG UNGA LNG FDI GDP TV BBC VOA RSO DATT POLAD CDA NSA CENTCOM EUCOM
    PACOM AFRICOM SOUTHCOM USEU USUN ROK IDF ANSF ANA ANP PRT FARC ETA AKP ANC ICJ ICC ICTY
    UNIFIL UNMIK EULEX MEPP QME HEU MTCR CFE SOFA MANPADS IED IEDs MP MPs VP DG DPM FM
    """.split()
)

EXCLUDE = set(
    """
    REF SUBJECT SIPDIS TAGS SECTION AMEMBASSY AMCONSUL PASS EO DECL PRIORITY NOFORN CONFIDENTIAL
    SECRET UNCLAS UNCLASSIFIED SECSTATE WASHDC INFO ZZH ZNR ZNY XXXXXXXXXXXX NOTAL
    """.split()
)


def cable_bodies(corpus: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((corpus / "wikileaks-html").glob("*.html")):
        page = path.read_text(encoding="utf-8")
        page = page[page.find("<table class='cable'>") :]
        blocks = re.findall(r"<code><pre>(.*?)</pre></code>", page, re.S)
        if blocks:
            body = re.sub(r"<[^>]+>", "", blocks[-1].replace("&#x000A;", "\n"))
            texts.append(html.unescape(body))
    for path in sorted((corpus / "raw-txt").glob("*.txt")):
        texts.append(path.read_bytes().decode("latin-1"))
    return texts


def count_words(texts: list[str]) -> collections.Counter[str]:
    forms: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    totals: collections.Counter[str] = collections.Counter()
    for text in texts:
        letters = [c for c in text if c.isalpha()]
        if not letters or sum(c.isupper() for c in letters) > 0.5 * len(letters):
            continue
        text = text.replace("\u2019", "'").replace("U.S.", " USX ")
        previous = "."
        for token in re.findall(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|[.!?]", text):
            if token in ".!?":
                previous = "."
                continue
            key = token.lower()
            totals[key] += 1
            if previous != ".":  # the form at the start of a sentence says nothing about case
                forms[key][token] += 1
            previous = token
    counts: collections.Counter[str] = collections.Counter()
    for key, total in totals.items():
        if key == "usx":
            counts["U.S."] = total
            continue
        if not forms[key]:
            continue
        form = forms[key].most_common(1)[0][0]
        if form in EXCLUDE or (len(form) == 1 and form not in ("a", "I")):
            continue
        if form.islower() or form in CAPITALISED or form in ACRONYMS:
            counts[form] = total
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the shared corpus folder")
    parser.add_argument("--size", type=int, default=6000, help="number of words to keep")
    args = parser.parse_args()
    counts = count_words(cable_bodies(args.corpus))
    rows = counts.most_common(args.size)
    with OUT.open("w", encoding="utf-8") as out:
        out.write("# word<TAB>count, from the sample cables; generated by build_synth_vocab.py\n")
        for word, count in rows:
            out.write(f"{word}\t{count}\n")
    print(f"wrote {len(rows)} words to {OUT}")


if __name__ == "__main__":
    main()
