"""The one table that turns dataset variables into framework indicators and 0-3 severities, with the reason for each.

Read this file top to bottom to know what every imported assessment means. The methodology page renders it through
`dataset_mappings()`. Change a threshold or add a mapping only together with a new `MAPPING_VERSION`: every import
records the version it used, so old assessments stay explainable.

Dating rule (all country-year sources): a country-year value becomes an assessment observed on 31 December of that
year. Annual datasets describe the whole year and are published after it ends, so dating them earlier (e.g. mid-year)
would let a back-dated score "see" events before they happened.

Import window: years before `FIRST_YEAR` are read but not imported (counted in the import summary). 1946 is where the
UCDP/PRIO conflict record starts; older Polity5 rows describe a world the framework was not written for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MAPPING_VERSION = "2026.4"
FIRST_YEAR = 1946


@dataclass(frozen=True)
class Source:
    """A dataset the importers understand: what it is, how its countries are keyed, and how far we trust it."""

    name: str
    label: str
    citation: str
    country_key: str
    confidence: str
    confidence_reason: str
    analyst_may_upload: bool = False


@dataclass(frozen=True)
class Category:
    """A set of coded values that all mean one severity (for categorical variables such as regime-change codes)."""

    values: tuple[float, ...]
    severity: int
    label: str


@dataclass(frozen=True)
class VariableMapping:
    """One dataset variable -> one framework indicator, with 0-3 cut-offs (or categories) and the reason."""

    source: str
    variable: str
    label: str
    indicator: str
    reason: str
    # "higher_is_worse": severity = how many cut-offs the value reaches (value >= cut-off).
    # "lower_is_worse": severity = how many cut-offs the value falls below (value < cut-off).
    # "categories": the value's category; values in no category get `default_severity`.
    direction: str
    cutoffs: tuple[float, float, float] | None = None
    categories: tuple[Category, ...] = field(default_factory=tuple)
    default_severity: int | None = 0
    unit: str = ""

    def severity(self, value: float) -> int | None:
        """The 0-3 severity of one value, or None when the value carries no information (missing)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.direction == "higher_is_worse":
            return sum(1 for cutoff in self.cutoffs if value >= cutoff)
        if self.direction == "lower_is_worse":
            return sum(1 for cutoff in self.cutoffs if value < cutoff)
        for category in self.categories:
            if value in category.values:
                return category.severity
        return self.default_severity

    def rules(self) -> list[dict]:
        """The severity rules in words, lowest severity first."""
        if self.direction == "categories":
            rules = [
                {"severity": c.severity, "rule": f"{c.label} ({', '.join(_number(v) for v in c.values)})"}
                for c in self.categories
            ]
            if self.default_severity is not None:
                rules.append({"severity": self.default_severity, "rule": "any other value"})
            return sorted(rules, key=lambda rule: rule["severity"])
        unit = f" {self.unit}" if self.unit else ""
        c1, c2, c3 = (_number(c) for c in self.cutoffs)
        if self.direction == "higher_is_worse":
            bands = [f"below {c1}", f"{c1} to below {c2}", f"{c2} to below {c3}", f"{c3} or more"]
        else:
            bands = [f"{c1} or more", f"{c2} to below {c1}", f"{c3} to below {c2}", f"below {c3}"]
        return [{"severity": severity, "rule": band + unit} for severity, band in enumerate(bands)]


def _number(value: float) -> str:
    return f"{value:g}"


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            name="ucdp_country_year",
            label="UCDP Organized Violence within Country Borders (country-year)",
            citation="Uppsala Conflict Data Program, organizedviolencecy v25.1 (CC BY 4.0)",
            country_key="Gleditsch-Ward code (country_id_cy), year-aware",
            confidence="high",
            confidence_reason="Event-based counts of fatalities with published coding rules; we use the best estimate.",
        ),
        Source(
            name="ucdp_conflict",
            label="UCDP/PRIO Armed Conflict Dataset (conflict-year)",
            citation="UCDP/PRIO Armed Conflict Dataset v25.1 (CC BY 4.0)",
            country_key="Gleditsch-Ward codes of the conflict location (gwno_loc, may list several), year-aware",
            confidence="high",
            confidence_reason="The reference list of armed conflicts since 1946, coded from fatality thresholds.",
        ),
        Source(
            name="vdem",
            label="V-Dem Country-Year v14 (subset)",
            citation="V-Dem Institute, Country-Year dataset v14, via the vdemlite package (CC BY-SA 4.0)",
            country_key="country_text_id (ISO-3-like), year-aware for dissolved and V-Dem-only units",
            confidence="medium",
            confidence_reason="Expert-coded latent estimates with wide uncertainty intervals; good for levels, "
            "coarse for year-to-year change.",
        ),
        Source(
            name="pts",
            label="Political Terror Scale 2024",
            citation="Political Terror Scale (Gibney et al.), PTS-2024 (1976-2023)",
            country_key="COW code (COW_Code_N), else World Bank code (WordBank_Code_A), year-aware",
            confidence="medium",
            confidence_reason="Standards-based coding of annual human-rights reports; reports differ in coverage.",
        ),
        Source(
            name="polity5",
            label="Polity5 regime transitions",
            citation="Center for Systemic Peace, Polity5 (1800-2018), via democracyData",
            country_key="Gleditsch-Ward code (GWn), year-aware",
            confidence="medium",
            confidence_reason="Well-documented regime coding, but yearly and ended in 2018.",
        ),
        Source(
            name="wgi",
            label="World Bank Worldwide Governance Indicators: Voice and Accountability",
            citation="World Bank WGI, Voice and Accountability estimate (1996-2023), via democracyData",
            country_key="World Bank code (wb_code), including older codes, year-aware",
            confidence="low",
            confidence_reason="A composite of perception surveys with standard errors often near a third of the range.",
        ),
        Source(
            name="ewp_predictors",
            label="Early Warning Project model predictors",
            citation="Early Warning Project (USHMM), Statistical Risk Assessment predictors 1960-2010",
            country_key="EWP ccode (Gleditsch-Ward except 255 Germany, 679 Yemen), year-aware",
            confidence="medium",
            confidence_reason="Curated from EPR and EWP's own mass-killing episode list; yearly and coarse.",
        ),
        Source(
            name="ewp_forecasts",
            label="Early Warning Project 2025 forecasts (2024 predictor values)",
            citation="Early Warning Project (USHMM), forecasts 2025-26 from 2024 data",
            country_key="EWP ccode, year-aware",
            confidence="medium",
            confidence_reason="Same curated predictors as ewp_predictors, for 2024. The forecast probability itself "
            "is NOT turned into an assessment: it is a model output built from the same predictors, so scoring it "
            "would count them twice and make the comparison with EWP circular. It is kept as a reference ranking "
            "(compare_rankings).",
        ),
        Source(
            name="csv",
            label="Generic assessment CSV",
            citation="Whatever the uploader names in each row's source column",
            country_key="iso3 column (ISO-3 code of a tracked country)",
            confidence="as given",
            confidence_reason="Each row states its own confidence.",
            analyst_may_upload=True,
        ),
    )
}

FATALITY_CUTOFFS = (1.0, 25.0, 1000.0)
FATALITY_REASON_SUFFIX = (
    " Cut-offs: any death is a signal (1), 25 deaths a year is UCDP's threshold for an active conflict (2), "
    "1,000 deaths a year is UCDP's threshold for war and EWP's threshold for a mass killing (3)."
)
# V-Dem measurement-model estimates: roughly standard-normal across all country-years, higher = more freedom. The
# cut-offs sit near the boundaries of V-Dem's ordinal answer scales (4 fully respected ... 0 not respected).
VDEM_LATENT_CUTOFFS = (1.0, 0.0, -1.5)

MAPPINGS: tuple[VariableMapping, ...] = (
    # UCDP organized violence, country-year ------------------------------------------------------------------------
    VariableMapping(
        source="ucdp_country_year",
        variable="sb_total_deaths_best_cy",
        label="State-based armed conflict deaths in the country (best estimate)",
        indicator="1.1",
        direction="higher_is_worse",
        cutoffs=FATALITY_CUTOFFS,
        unit="deaths",
        reason="State-based conflict (a government is a party) is exactly the framework's 'armed conflict' "
        "indicator." + FATALITY_REASON_SUFFIX,
    ),
    VariableMapping(
        source="ucdp_country_year",
        variable="ns_total_deaths_best_cy",
        label="Non-state conflict deaths (organised groups fighting each other)",
        indicator="1.5",
        direction="higher_is_worse",
        cutoffs=FATALITY_CUTOFFS,
        unit="deaths",
        reason="Fighting between armed groups without the state is instability from armed opposition and power "
        "disputes, not state-based conflict, so it goes to 1.5 rather than 1.1." + FATALITY_REASON_SUFFIX,
    ),
    VariableMapping(
        source="ucdp_country_year",
        variable="os_any_govt_killings_best_cy",
        label="One-sided killings of civilians by any government",
        indicator="2.1",
        direction="higher_is_worse",
        cutoffs=FATALITY_CUTOFFS,
        unit="civilians killed",
        reason="Deliberate killing of civilians by a government is a serious violation of human rights and "
        "humanitarian law by definition." + FATALITY_REASON_SUFFIX,
    ),
    VariableMapping(
        source="ucdp_country_year",
        variable="os_total_deaths_best_cy",
        label="One-sided killings of civilians by any organised actor (governments and armed groups)",
        indicator="11.1",
        direction="higher_is_worse",
        cutoffs=FATALITY_CUTOFFS,
        unit="civilians killed",
        reason="Crimes against humanity need a State OR organisational policy, so for 11.1 (patterns of violence "
        "against civilians) we count one-sided killings by armed groups as well as by governments; government "
        "killings alone already feed 2.1." + FATALITY_REASON_SUFFIX,
    ),
    # UCDP/PRIO armed conflict, conflict-year (aggregated per location country and year) --------------------------
    VariableMapping(
        source="ucdp_conflict",
        variable="intensity_level",
        label="Highest intensity of any armed conflict over a claim of the country's government (gwno_loc) that year",
        indicator="1.1",
        direction="categories",
        categories=(
            Category(
                (0.0,),
                0,
                "before 1989, none listed the year after a listed one and no conflict names the country as a party",
            ),
            Category((1.0,), 2, "minor conflict: 25-999 battle deaths"),
            Category((2.0,), 3, "war: 1,000 or more battle deaths"),
        ),
        default_severity=None,
        reason="The armed-conflict record back to 1946; the UCDP country-year file only starts in 1989. A conflict "
        "counts for the country whose government has a primary claim to the issue in dispute (gwno_loc), which is not "
        "always where the fighting was. The list holds every state-based conflict with 25 or more battle deaths in a "
        "year, so a country it stops listing had no such conflict over its government's claims: the year after its "
        "last listed one is recorded as 0 (mapping 2026.3), ending the conflict's assessment instead of letting it "
        "count as current for up to 36 more months; since 2026.4 only before 1989, and not when a conflict of that "
        "year names the country as a primary or secondary party. From 1989 the country-year file records every "
        "year's fighting on the country's soil, 0 included, so the list records no 0 of its own: on v25.1 such "
        "zeros would have contradicted 88 country-years with state-based deaths (9 with 25 or more; 65 and 4 with "
        "the party rule alone), and the 148 kept contradict none. Countries never listed are not assessed (the list "
        "does not say which states existed).",
    ),
    VariableMapping(
        source="ucdp_conflict",
        variable="onset",
        label="A conflict or a new episode of one over a claim of the country's government started that year "
        "(start_date2), by intensity",
        indicator="8.1",
        direction="categories",
        categories=(
            Category((0.0,), 0, "no conflict or episode started: the country's conflicts continued or ended"),
            Category((1.0,), 2, "onset of a minor conflict"),
            Category((2.0,), 3, "onset at war intensity"),
        ),
        default_severity=None,
        reason="The start of armed hostilities is the framework's trigger 8.1; an episode restarting after a year "
        "of inactivity counts, because it is the same sudden escalation. A trigger is an event of its year: a year "
        "the country is listed without a new conflict or episode, and the year after its last listed one (no "
        "conflict over its government's claims reached 25 deaths, so none started), are 0 (mapping 2026.3 on), as "
        "V-Dem's coup count is 0 in a year without a coup (8.4), so an onset does not count as a current trigger "
        "for 36 months.",
    ),
    # V-Dem ----------------------------------------------------------------------------------------------------------
    VariableMapping(
        source="vdem",
        variable="v2x_clphy",
        label="Physical violence index (freedom from political killings and torture), 0-1",
        indicator="2.1",
        direction="lower_is_worse",
        cutoffs=(0.8, 0.6, 0.3),
        reason="V-Dem's own aggregation of v2clkill (political killings) and v2cltort (torture), so one assessment "
        "per country-year instead of two that could disagree. Below 0.3 means killings and torture are practised "
        "systematically or widely.",
    ),
    VariableMapping(
        source="vdem",
        variable="v2xpe_exlsocgr",
        label="Exclusion by social group index, 0-1 (higher = more exclusion)",
        indicator="9.1",
        direction="higher_is_worse",
        cutoffs=(0.25, 0.5, 0.75),
        reason="Exclusion from public services, state jobs, business and political power by social group (caste, "
        "ethnicity, language, race, religion) is the discriminatory practice 9.1 describes. Quartiles of the 0-1 "
        "scale.",
    ),
    VariableMapping(
        source="vdem",
        variable="v2csreprss",
        label="CSO repression (latent scale, higher = less repression)",
        indicator="6.2",
        direction="lower_is_worse",
        cutoffs=VDEM_LATENT_CUTOFFS,
        reason="A repressed civil society is the missing mitigating factor 6.2 names. Cut-offs near V-Dem's answer "
        "categories: 1.0 ~ 'weakly repressed', 0 ~ 'moderately', -1.5 ~ 'substantially or severely'.",
    ),
    VariableMapping(
        source="vdem",
        variable="v2mecenefm",
        label="Government censorship effort in the media (latent scale, higher = less censorship)",
        indicator="7.6",
        direction="lower_is_worse",
        cutoffs=VDEM_LATENT_CUTOFFS,
        reason="Direct or indirect censorship of print and broadcast media is control of communication channels "
        "(7.6). Same latent cut-offs as CSO repression.",
    ),
    VariableMapping(
        source="vdem",
        variable="e_pt_coup",
        label="Successful coups d'etat that year (Powell and Thyne, as carried in V-Dem: a count)",
        indicator="8.4",
        direction="categories",
        categories=(
            Category((0.0,), 0, "no successful coup"),
            Category((1.0, 2.0, 3.0, 4.0), 3, "one or more successful coups"),
        ),
        default_severity=None,
        reason="A successful coup is the clearest abrupt, irregular transfer of power (trigger 8.4). V-Dem carries "
        "Powell and Thyne's count of successful coups only (Turkey 2016, a failed attempt, is 0), so failed attempts "
        "cannot be scored from it. Updated to 2023, unlike Polity5.",
    ),
    # Political Terror Scale -------------------------------------------------------------------------------------------
    VariableMapping(
        source="pts",
        variable="pts_worst",
        label="Political Terror Scale, worst of the Amnesty, HRW and State Department scores (1 best - 5 worst)",
        indicator="2.1",
        direction="higher_is_worse",
        cutoffs=(2.0, 3.0, 4.0),
        reason="PTS measures state-perpetrated killings, torture, disappearances and political imprisonment. We "
        "take the worst available report, because under-reporting is the usual error. 1 (secure rule of law) -> "
        "0; 2 -> 1; 3 (extensive political imprisonment) -> 2; 4-5 (murders and disappearances common or "
        "population-wide) -> 3.",
    ),
    # Polity5 ----------------------------------------------------------------------------------------------------------
    VariableMapping(
        source="polity5",
        variable="regime_change",
        label="Regime transition code (regtrans) and interruption codes of the polity score",
        indicator="1.4",
        direction="categories",
        categories=(
            Category(
                (-2.0, -77.0, 96.0),
                3,
                "adverse regime transition, collapse of central authority or state disintegration",
            ),
            Category(
                (-1.0, -66.0, -88.0, 98.0),
                2,
                "minor adverse change, foreign interruption, transition period or state demise",
            ),
            Category(
                (0.0, 1.0, 2.0, 3.0, 97.0, 99.0),
                1,
                "other regime change (including democratic transitions and state creation or transformation)",
            ),
        ),
        default_severity=0,
        reason="1.4 is instability from abrupt or irregular regime change. An adverse transition or a collapse is "
        "the serious case; even a democratic transition is a period of instability, so it is low, not none. A "
        "year with no regtrans code and a normal polity score is 'no transition' (0).",
    ),
    # WGI ------------------------------------------------------------------------------------------------------------
    VariableMapping(
        source="wgi",
        variable="Estimate",
        label="Voice and Accountability estimate (about -2.5 to 2.5, higher = more voice)",
        indicator="1.6",
        direction="lower_is_worse",
        cutoffs=(0.5, -0.5, -1.25),
        reason="Voice and Accountability summarises free elections, expression, association and media: its low "
        "end is autocratic rule with severe political repression (1.6). Civil-society repression itself comes from "
        "V-Dem (6.2), so WGI is not counted there twice.",
    ),
    # Early Warning Project (predictors file 1960-2010 and the 2024 values in the forecasts file) --------------------
    *(
        mapping
        for source in ("ewp_predictors", "ewp_forecasts")
        for mapping in (
            VariableMapping(
                source=source,
                variable="discrimpop",
                label="Share of the population subject to state-led political discrimination (EPR), 0-1",
                indicator="9.1",
                direction="higher_is_worse",
                cutoffs=(0.001, 0.05, 0.2),
                reason="Ethnic Power Relations codes groups excluded by law or practice; the share of people in "
                "them measures discriminatory practices against protected groups (9.1). Any discriminated group -> "
                "1; 5% of the population -> 2; a fifth or more -> 3.",
            ),
            VariableMapping(
                source=source,
                variable="mass_killing",
                label="EWP mass-killing record: ongoing episode this year, or any episode since 1945",
                indicator="2.2",
                direction="categories",
                categories=(
                    Category((2.0,), 3, "a mass-killing episode is ongoing"),
                    Category((1.0,), 2, "a mass-killing episode happened since 1945, none ongoing"),
                    Category((0.0,), 0, "no mass-killing episode since 1945"),
                ),
                default_severity=None,
                reason="EWP's episode list (1,000+ civilians deliberately killed by an armed group) is a record of "
                "past or present atrocity crimes (2.2), the strongest single predictor in EWP's own model.",
            ),
        )
    ),
)


def mappings_for(source: str) -> tuple[VariableMapping, ...]:
    """The mappings one source applies, in table order."""
    return tuple(mapping for mapping in MAPPINGS if mapping.source == source)


def dataset_mappings() -> list[dict]:
    """Every source with its mappings as plain dicts, for the methodology page and the API."""
    return [
        {
            "source": source.name,
            "label": source.label,
            "citation": source.citation,
            "country_key": source.country_key,
            "confidence": source.confidence,
            "confidence_reason": source.confidence_reason,
            "mapping_version": MAPPING_VERSION,
            "dating": "31 December of the data year" if source.name != "csv" else "the row's date",
            "first_year": FIRST_YEAR if source.name != "csv" else None,
            "mappings": [
                {
                    "variable": mapping.variable,
                    "label": mapping.label,
                    "indicator": mapping.indicator,
                    "rules": mapping.rules(),
                    "reason": mapping.reason,
                }
                for mapping in mappings_for(source.name)
            ],
        }
        for source in SOURCES.values()
    ]
