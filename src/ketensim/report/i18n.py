"""The report's words in English and Dutch: every label key has both (tested).

``translator(lang)`` gives a function key -> text; a missing key raises KeyError, so a
missing translation fails the tests instead of showing up in a report. Dates are written
with ``date_text`` (Dutch month names without depending on the system locale).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

LANGS = ("en", "nl")

TEXT: dict[str, tuple[str, str]] = {
    # page
    "report.title": ("ketensim report", "ketensim-rapport"),
    "report.sub": ("Scenario <b>{name}</b>{against}: {reps} replications, ISO weeks {a} to {b} ({first} to {last}). "
                   "Generated {now} by ketensim {version}.",
                   "Scenario <b>{name}</b>{against}: {reps} replicaties, ISO-weken {a} tot en met {b} ({first} tot "
                   "en met {last}). Gemaakt {now} met ketensim {version}."),
    "report.against": (" compared with <b>{base}</b>", " vergeleken met <b>{base}</b>"),
    "report.failed": ("{n} replication(s) failed and are left out; their errors are in manifest.json.",
                      "{n} replicatie(s) mislukt en weggelaten; de fouten staan in manifest.json."),
    # sections
    "sec.headline": ("What changed most", "Wat het meest veranderde"),
    "sec.changes": ("What this scenario changes", "Wat dit scenario verandert"),
    "sec.figures": ("Key figures", "Kerncijfers"),
    "sec.targets": ("The letter's figures", "De cijfers uit de brief"),
    "sec.plots": ("Plots", "Grafieken"),
    "sec.pressure": ("Reception pressure", "Druk op de opvang"),
    "press.none": ("No reception-network metrics in these results.",
                   "Geen uitkomsten van het opvangnetwerk in deze resultaten."),
    "press.mean": ("mean", "gemiddelde"),
    "press.peak": ("peak", "piek"),
    "press.places_mean": ("places (mean)", "plaatsen (gemiddelde)"),
    "press.places_peak": ("places (peak)", "plaatsen (piek)"),
    "press.caption": ("Occupancy by stage against its places (COL: the agreed limit); mean over the run and peak "
                      "week, mean [95% interval] over replications.",
                      "Bezetting per fase tegen de plaatsen (COL: de afgesproken grens); gemiddelde over de run en "
                      "piekweek, gemiddelde [95%-interval] over de replicaties."),
    "press.row.registration centre (COL)": ("registration centre (COL)", "centrale ontvangstlocatie (COL)"),
    "press.row.process reception (POL)": ("process reception (POL)", "proces-opvanglocatie (POL)"),
    "press.row.AZC": ("AZC", "AZC"),
    "press.row.crisis reception": ("crisis reception", "crisisnoodopvang"),
    "press.row.persons above the COL limit (week end)": ("persons above the COL limit (week end)",
                                                         "personen boven de COL-grens (eind van de week)"),
    "press.row.person-nights above the COL limit / week": ("person-nights above the COL limit / week",
                                                           "persoonsnachten boven de COL-grens / week"),
    "press.row.waiting for a POL or AZC place": ("waiting for a POL or AZC place", "wachtend op een POL- of AZC-plek"),
    "press.row.permit holders waiting > 14 weeks": ("permit holders waiting > 14 weeks",
                                                    "statushouders die > 14 weken wachten"),
    "sec.capacity": ("Required capacity", "Benodigde capaciteit"),
    "cap.none": ("No occupancy metrics in these results.", "Geen bezettingscijfers in deze resultaten."),
    "cap.intro": ("Places needed per week at P{p}{plus}: in at least {share} of the replications this many places "
                  "would have sufficed (week-end persons needing a place; quarantine includes those left "
                  "unplaced).",
                  "Benodigde plaatsen per week bij P{p}{plus}: in ten minste {share} van de replicaties waren zoveel "
                  "plaatsen genoeg geweest (personen die aan het eind van de week een plek nodig hebben; quarantaine "
                  "inclusief wie geen plek kreeg)."),
    "cap.plus": (" plus {b}", " plus {b}"),
    "cap.fan_caption": ("Band: P10-P90 of the demand over replications; line: median; dashed: the need at the "
                        "chosen certainty; black: capacity in place.",
                        "Band: P10-P90 van de vraag over de replicaties; lijn: mediaan; gestreept: de behoefte bij "
                        "de gekozen zekerheid; zwart: de aanwezige capaciteit."),
    "cap.bands_title": ("COA occupancy by inflow band", "COA-bezetting per instroomband"),
    "cap.bands": ("Two sources of spread in COA occupancy over the last 13 weeks: the inflow band (an assumption, "
                  "sampled per replication) {b} of the variance, replication noise {n}.",
                  "Twee bronnen van spreiding in de COA-bezetting over de laatste 13 weken: de instroomband (een "
                  "aanname, per replicatie getrokken) {b} van de variantie, ruis tussen replicaties {n}."),
    "cap.bands_caption": ("One line per inflow band (mean); the shaded band around it is the 10-90% spread of its "
                          "replications.",
                          "Eén lijn per instroomband (gemiddelde); de band eromheen is de 10-90%-spreiding van de "
                          "replicaties."),
    "sec.parts": ("Every metric, by part of the chain", "Alle uitkomsten, per deel van de keten"),
    "sec.assumptions": ("Assumptions", "Aannames"),
    "sec.provenance": ("Provenance", "Herkomst"),
    # headline
    "head.intro": ("The figures that changed most against <b>{base}</b>, ranked by the size of the paired "
                   "difference relative to its 95% interval ({window_note}):",
                   "De cijfers die het meest veranderden ten opzichte van <b>{base}</b>, gerangschikt naar de "
                   "grootte van het gepaarde verschil ten opzichte van het 95%-interval ({window_note}):"),
    "head.row": ("<b>{figure}</b>, {window}: {base} → {alt} ({diff})",
                 "<b>{figure}</b>, {window}: {base} → {alt} ({diff})"),
    "head.none": ("No figure differs from the baseline in these windows (every paired difference is 0 or within "
                  "its interval around 0).",
                  "Geen enkel cijfer verschilt van de basislijn in deze perioden (elk gepaard verschil is 0 of "
                  "ligt binnen het interval rond 0)."),
    "head.nobase": ("No baseline given (<code>--baseline DIR</code>): the key figures of this scenario are below.",
                    "Geen basislijn opgegeven (<code>--baseline DIR</code>): de kerncijfers van dit scenario staan "
                    "hieronder."),
    "head.binding": ("What binds", "Wat begrenst"),
    "head.windows": ("windows: {names}", "perioden: {names}"),
    # changes
    "chg.nobase": ("No baseline given (<code>--baseline DIR</code>): the policy timeline of this scenario.",
                   "Geen basislijn opgegeven (<code>--baseline DIR</code>): de beleidstijdlijn van dit scenario."),
    "chg.relative": ("Relative to the baseline <b>{base}</b>:", "Ten opzichte van de basislijn <b>{base}</b>:"),
    "chg.same": ("The two resolved scenarios are the same (only name or replications differ).",
                 "De twee scenario's zijn gelijk (alleen naam of aantal replicaties verschillen)."),
    "chg.params": ("Parameters (before any phase changes them)", "Parameters (voordat een fase ze wijzigt)"),
    "chg.timeline": ("Policy timeline", "Beleidstijdlijn"),
    "chg.dated": ("Dated changes (ahead of the phases while they hold)",
                  "Gedateerde wijzigingen (gaan voor de fasen zolang ze gelden)"),
    "col.from": ("from", "vanaf"),
    "col.until": ("until", "tot en met"),
    "col.phase": ("phase", "fase"),
    "col.changes": ("changes (cumulative)", "wijzigingen (cumulatief)"),
    "col.note": ("note", "toelichting"),
    "col.parameter": ("parameter", "parameter"),
    "col.value": ("value", "waarde"),
    "col.baseline": ("baseline", "basislijn"),
    "col.scenario": ("scenario", "scenario"),
    "col.figure": ("figure", "cijfer"),
    "col.window": ("window", "periode"),
    "col.difference": ("difference", "verschil"),
    "col.id": ("id", "id"),
    "col.letter": ("letter", "brief"),
    "col.simulated": ("simulated (95% interval)", "gesimuleerd (95%-interval)"),
    "col.error": ("error", "afwijking"),
    "col.tolerance": ("tolerance", "marge"),
    "col.within": ("within", "binnen marge"),
    "end.horizon": ("end of the horizon", "einde van de horizon"),
    "phase.only_in": ("phase only in {which}", "fase alleen in {which}"),
    "start": ("start", "start"),
    "unchanged": ("unchanged", "ongewijzigd"),
    "yes": ("yes", "ja"),
    "no": ("no", "nee"),
    # key figures
    "fig.note": ("Mean over replications of the {stat} in each window, ± the half-width of its 95% interval. "
                 "A window partly outside the simulated weeks is computed over the weeks it covers and marked "
                 "partial.",
                 "Gemiddelde over de replicaties van het {stat} in elke periode, ± de halve breedte van het "
                 "95%-interval. Een periode die deels buiten de gesimuleerde weken valt, is berekend over de weken "
                 "die erin vallen en gemarkeerd als gedeeltelijk."),
    "fig.paired": ("Difference = scenario - baseline, with the 95% interval of the paired per-replication "
                   "differences: both runs use the same seeds (common random numbers).",
                   "Verschil = scenario - basislijn, met het 95%-interval van de gepaarde verschillen per "
                   "replicatie: beide runs gebruiken dezelfde seeds (common random numbers)."),
    "fig.none": ("No window lies inside the simulated weeks.", "Geen periode valt binnen de gesimuleerde weken."),
    "fig.zero_hidden": ("{n} rows whose difference is exactly 0 are hidden.",
                        "{n} rijen met een verschil van precies 0 zijn verborgen."),
    "fig.show_all": ("show all {n} rows", "toon alle {n} rijen"),
    # targets
    "tg.none": ("No targets file.", "Geen doelwaardenbestand."),
    "tg.outside": ("None of the letter's targets lies inside the simulated weeks.",
                   "Geen van de doelwaarden uit de brief valt binnen de gesimuleerde weken."),
    "tg.source": ("Source: {source}. The letter describes 2020 as it happened: the baseline should match it, a "
                  "what-if may rightly differ.",
                  "Bron: {source}. De brief beschrijft 2020 zoals het ging: de basislijn hoort ermee te "
                  "kloppen, een wat-als mag er terecht van afwijken."),
    "tg.left_out": ("Targets outside the simulated weeks: {ids}.", "Doelwaarden buiten de gesimuleerde weken: {ids}."),
    # plots
    "plot.caption": ("Line: mean over replications; band: the central 90% of replications{base}; black line or "
                     "diamond: the letter's figure over its window; dotted lines with numbers: policy phases and "
                     "dated changes (key below).",
                     "Lijn: gemiddelde over de replicaties; band: de middelste 90% van de replicaties{base}; zwarte "
                     "lijn of ruit: het cijfer uit de brief over de periode; gestippelde lijnen met nummers: "
                     "beleidsfasen en gedateerde wijzigingen (legenda hieronder)."),
    "plot.caption_base": ("; one colour per scenario, the baseline first",
                          "; één kleur per scenario, de basislijn eerst"),
    "plot.phase_key": ("Phases and dated changes in the plots", "Fasen en gedateerde wijzigingen in de grafieken"),
    "plot.occupancy_caption": ("COA occupancy at week end (mean, 90% band) against the places available{base}.",
                               "COA-bezetting aan het eind van de week (gemiddelde, 90%-band) tegen de beschikbare "
                               "plaatsen{base}."),
    "plot.occupancy_base": ("; the baseline's occupancy dashed", "; de bezetting van de basislijn gestreept"),
    "plot.chain_caption": ("Band widths proportional to mean persons per week over {window} ({why}); stocks at the "
                           "window's end. Forced departures include Dublin transfers carried out by force.",
                           "Bandbreedtes evenredig met het gemiddelde aantal personen per week in {window} ({why}); "
                           "voorraden aan het eind van de periode. Gedwongen vertrek omvat gedwongen "
                           "Dublinoverdrachten."),
    "plot.chain_why_diff": ("the window where the scenarios differ most", "de periode waarin de scenario's het "
                            "meest verschillen"),
    "plot.chain_why_chosen": ("chosen", "gekozen"),
    "plot.chain_why_last": ("the last window", "de laatste periode"),
    "plot.chain_base": ("The same for the baseline.", "Hetzelfde voor de basislijn."),
    "plot.mean": ("mean of replications", "gemiddelde van de replicaties"),
    "plot.band": ("{band} of replications", "{band} van de replicaties"),
    "plot.scenario_band": ("{name} (mean, {band} band)", "{name} (gemiddelde, {band}-band)"),
    "plot.letter": ("letter of 5 Oct 2020", "brief van 5 okt 2020"),
    "plot.occupancy": ("occupancy (mean)", "bezetting (gemiddelde)"),
    "plot.occupancy_of": ("occupancy: {name}", "bezetting: {name}"),
    "plot.places": ("places", "plaatsen"),
    "plot.emergency": ("in emergency locations", "in noodopvang"),
    "plot.occupancy_title": ("COA reception: occupancy against places", "COA-opvang: bezetting tegen plaatsen"),
    "plot.chain_title": ("The chain: mean persons per week over {span} (±95% interval)",
                         "De keten: gemiddeld aantal personen per week in {span} (±95%-interval)"),
    "plot.chain_span": ("weeks {a} to {b}", "weken {a} tot en met {b}"),
    "plot.chain_all": ("the whole run", "de hele run"),
    "plot.stock": ("stock", "voorraad"),
    "plot.baseline_prefix": ("Baseline ({name}): ", "Basislijn ({name}): "),
    # the SVG charts of the report (charts.py)
    "chart.occupancy": ("occupancy (mean, 90% band)", "bezetting (gemiddelde, 90%-band)"),
    "chart.limit": ("limit", "grens"),
    "chart.no_values": ("no value in any week", "in geen enkele week een waarde"),
    "chart.above_limit": ("above the limit", "boven de grens"),
    "chart.median_p10_p90": ("median, P10-P90 over replications", "mediaan, P10-P90 over de replicaties"),
    "chart.need": ("need at P{p}{extra}", "benodigd bij P{p}{extra}"),
    "chart.buffer": (" + {b} buffer", " + {b} buffer"),
    "chart.capacity": ("capacity in place", "aanwezige capaciteit"),
    "chart.required": ("needed: {what}", "benodigd: {what}"),
    "need.reception": ("reception places (COA, all stages)", "opvangplaatsen (COA, alle fasen)"),
    "need.reception.col": ("registration centre (COL) places", "plaatsen in de centrale ontvangstlocatie (COL)"),
    "need.reception.pol": ("process reception (POL) places", "plaatsen in de proces-opvanglocatie (POL)"),
    "need.reception.azc": ("AZC places", "AZC-plaatsen"),
    "need.quarantine": ("isolation/quarantine places", "isolatie-/quarantaineplaatsen"),
    "need.detention": ("detention places", "plaatsen in vreemdelingenbewaring"),
    # chain nodes and flows
    "node.applications": ("Asylum applications", "Asielaanvragen"),
    "node.nareis": ("Family reunification", "Nareis"),
    "node.resettlement": ("Resettlement", "Hervestiging"),
    "node.ind": ("IND procedure", "IND-procedure"),
    "node.dublin": ("Dublin claims", "Dublinclaims"),
    "node.permit": ("Permit holders in COA", "Statushouders in COA"),
    "node.dtv": ("DT&V caseload", "DT&V-caseload"),
    "node.housed": ("Housed in municipalities", "Gehuisvest in gemeenten"),
    "node.transferred": ("Dublin transfer", "Dublinoverdracht"),
    "node.lapsed": ("Dublin deadline lapsed", "Dublintermijn verlopen"),
    "node.independent": ("Independent departure", "Zelfstandig vertrek"),
    "node.forced": ("Forced departure", "Gedwongen vertrek"),
    "node.mob": ("Left without supervision (MOB)", "Vertrokken zonder toezicht (MOB)"),
    "node.detention": ("Detention", "Vreemdelingenbewaring"),
    "flow.applications": ("applications", "aanvragen"),
    "flow.family": ("family members", "gezinsleden"),
    "flow.resettled": ("resettled", "hervestigd"),
    "flow.claims": ("Dublin claims", "Dublinclaims"),
    "flow.grants": ("grants", "inwilligingen"),
    "flow.rejections": ("rejections", "afwijzingen"),
    "flow.transfers": ("transfers", "overdrachten"),
    "flow.lapsed": ("lapsed", "verlopen"),
    "flow.housed": ("housed", "gehuisvest"),
    "flow.independent": ("independent", "zelfstandig"),
    "flow.forced": ("forced", "gedwongen"),
    "flow.mob": ("MOB", "MOB"),
    "flow.detention": ("placed in detention", "in bewaring gesteld"),
    # parts
    "part.ind": ("IND asylum procedure", "IND-asielprocedure"),
    "part.coa": ("COA reception", "COA-opvang"),
    "part.dtv": ("DT&V departures", "DT&V-vertrek"),
    "part.dublin": ("Dublin", "Dublin"),
    "part.detention": ("Detention", "Vreemdelingenbewaring"),
    "part.nareis": ("Family reunification (nareis)", "Nareis"),
    "part.resettlement": ("Resettlement", "Hervestiging"),
    "part.health": ("Epidemic in reception", "Epidemie in de opvang"),
    "part.chain": ("Whole chain", "Hele keten"),
    "part.mvv": ("MVV (regular migration)", "Mvv (reguliere migratie)"),
    "part.alt": ("all metrics of {part}", "alle uitkomsten van {part}"),
    # assumptions
    "ass.reps": ("Every figure comes from {reps} replications of a stochastic simulation of individual persons "
                 "and households; intervals show the uncertainty of the mean over those replications, bands the "
                 "spread between them. More replications give narrower intervals.",
                 "Elk cijfer komt uit {reps} replicaties van een stochastische simulatie van individuele "
                 "personen en huishoudens; intervallen tonen de onzekerheid van het gemiddelde over die "
                 "replicaties, banden de spreiding ertussen. Meer replicaties geven smallere intervallen."),
    "ass.inputs": ("Inflows, capacities and rates are inputs of the scenario (see below); the baseline is "
                   "calibrated to the letter of 5 October 2020. A what-if changes only what the scenario says.",
                   "Instroom, capaciteiten en kansen zijn invoer van het scenario (zie hieronder); de basislijn is "
                   "gekalibreerd op de brief van 5 oktober 2020. Een wat-als verandert alleen wat het scenario "
                   "zegt."),
    "ass.weeks": ("Weeks are ISO weeks; stocks are counted at the end of a week, flows over the week; a week's "
                  "value is drawn in the middle of its week.",
                  "Weken zijn ISO-weken; voorraden worden aan het eind van de week geteld, stromen over de week; de "
                  "waarde van een week staat in het midden van die week."),
    "ass.yaml": ("The full resolved scenario (YAML)", "Het volledige scenario (YAML)"),
    # provenance
    "prov.scenario": ("scenario", "scenario"),
    "prov.hash": ("scenario hash", "scenario-hash"),
    "prov.seed": ("root seed", "basisseed"),
    "prov.reps": ("replications", "replicaties"),
    "prov.failed": ("{n} failed", "{n} mislukt"),
    "prov.version": ("ketensim version", "ketensim-versie"),
    "prov.python": ("Python", "Python"),
    "prov.started": ("started at", "gestart op"),
    "prov.wall": ("wall time", "verstreken tijd"),
    "prov.wall_value": ("{s:.1f} s on {w} worker(s)", "{s:.1f} s op {w} worker(s)"),
    "prov.cpu": ("CPU time per replication", "rekentijd per replicatie"),
    "prov.folder": ("results folder", "resultatenmap"),
    "prov.point": ("sweep design point", "ontwerppunt van de sweep"),
    # statistics
    "stat.mean": ("weekly mean", "weekgemiddelde"),
    "stat.sum": ("sum", "totaal"),
    "stat.end": ("last week", "laatste week"),
    "stat.max": ("peak week", "piekweek"),
    "stat.min": ("lowest week", "laagste week"),
    "stat.quantile": ("{q}th percentile week", "{q}e percentiel week"),
    "partial": ("partial", "gedeeltelijk"),
    # the letter's windows
    "win.W01-11 pre": ("W01-11 pre", "W01-11 voor covid"),
    "win.W12-17 lockdown": ("W12-17 lockdown", "W12-17 lockdown"),
    "win.W18-26 restart": ("W18-26 restart", "W18-26 herstart"),
    "win.W27-37 recovery": ("W27-37 recovery", "W27-37 herstel"),
    "win.W38-53 2nd wave": ("W38-53 2nd wave", "W38-53 tweede golf"),
    # binding constraints
    "binding.sentence": ("--set {lever} does not change {output} from {start}: the {limit} bind ({value} {unit}"
                         "{detail}). {why}",
                         "--set {lever} verandert {output} niet vanaf {start}: de {limit} begrenzen ({value} "
                         "{unit}{detail}). {why}"),
    "binding.ind_video_rooms": ("IND-side video rooms", "videoruimtes aan IND-zijde"),
    "binding.coa_video_rooms": ("COA-side video rooms", "videoruimtes aan COA-zijde"),
    "binding.physical_rooms": ("usable physical hearing rooms", "bruikbare fysieke gehoorruimtes"),
    "binding.video_why": ("A video hearing needs a room on the IND side and one on the COA side at once.",
                          "Een gehoor per video vraagt tegelijk een ruimte aan IND-zijde en een aan COA-zijde."),
    "binding.physical_why": ("Usable rooms are the offices' rooms times the distancing factor, rounded.",
                             "Bruikbare ruimtes zijn de ruimtes van de kantoren maal de afstandsfactor, afgerond."),
    "binding.weekly": ("{metric} (the part's own weekly record), weeks in which each binds: {parts}.",
                       "{metric} (volgens het deel zelf), weken waarin elk begrenst: {parts}."),
    "unit.rooms": ("rooms", "ruimtes"),
    # sweep overview
    "sweep.title": ("ketensim sweep overview", "ketensim-sweepoverzicht"),
    "sweep.sub": ("Sweep <b>{name}</b>: {points} design points x {reps} replications, common random numbers "
                  "across points (seed {seed}). Store: {store}.",
                  "Sweep <b>{name}</b>: {points} ontwerppunten x {reps} replicaties, common random numbers over "
                  "de punten (seed {seed}). Opslag: {store}."),
    "sweep.outcomes": ("Outcomes by design point", "Uitkomsten per ontwerppunt"),
    "sweep.by_lever": ("Outcome by lever (mean, 95% interval)", "Uitkomst per hefboom (gemiddelde, 95%-interval)"),
    "sweep.heatmap": ("{outcome} by {a} and {b} (mean over replications)",
                      "{outcome} naar {a} en {b} (gemiddelde over de replicaties)"),
    "sweep.point_hint": ("One point's report: <code>ketensim report {store} --point N [--baseline-point M]</code>.",
                         "Rapport van één punt: <code>ketensim report {store} --point N [--baseline-point M]</code>."),
    "col.point": ("point", "punt"),
    "col.runs": ("runs", "runs"),
}

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
}
MONTHS_LONG = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
}


class Translator:
    """``tr(key)`` -> the text in ``lang``; a missing key is a KeyError."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
        self.lang = lang
        self._i = LANGS.index(lang)

    def __call__(self, key: str) -> str:
        return TEXT[key][self._i]

    def date(self, d: dt.date) -> str:
        return date_text(d, self.lang)

    def num(self, text: str) -> str:
        """Numbers as the language writes them: '1,234.5' -> '1.234,5' in Dutch."""
        if self.lang != "nl":
            return text
        text = re.sub(r"(?<=\d),(?=\d{3})", "\x00", text)  # thousands separators
        text = re.sub(r"(?<=\d)\.(?=\d)", ",", text)       # decimal points
        return text.replace("\x00", ".")

    def month(self, i: int) -> str:
        return MONTHS[self.lang][i - 1]

    def stat(self, stat: str) -> str:
        if stat.startswith("p"):
            return self("stat.quantile").format(q=stat[1:])
        return self(f"stat.{stat}")


def translator(lang: str = "en") -> Translator:
    return Translator(lang)


def date_text(d: dt.date, lang: str = "en") -> str:
    """'5 October 2020' / '5 oktober 2020'."""
    return f"{d.day} {MONTHS_LONG[lang][d.month - 1]} {d.year}"


Tr = Callable[[str], str]
