-- Choosing pilot districts (issue 4): each organisation's weighting of the need index
-- (scenarios), the inputs of the separate feasibility score, Statistics Sweden's area types,
-- and settings of the analysis. The computation is in geo/composite and geo/rank; these
-- tables only hold what planners configure.
--
-- Indicator keys are not foreign keys: the defaults below ship before any indicator is
-- loaded (the catalogue comes with the demo load or an import). The API refuses unknown keys
-- when a scenario is written, and reports stored keys missing from the catalogue as warnings.

CREATE TABLE priority_scenarios (
    id            text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_-]{0,63}$'),
    name_sv       text NOT NULL CHECK (length(name_sv) BETWEEN 1 AND 200),
    name_en       text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    organisation  text NOT NULL CHECK (length(organisation) BETWEEN 1 AND 100),
    rationale     text NOT NULL DEFAULT '' CHECK (length(rationale) <= 4000),
    -- 'scb': Statistics Sweden's socio-economic index, (V1 + V2 + V3)/3 of raw shares, with
    -- area types; NULL: a weighted composite as configured below.
    preset        text CHECK (preset IN ('scb')),
    normalisation text NOT NULL DEFAULT 'zscore' CHECK (normalisation IN ('zscore', 'minmax', 'rank', 'raw')),
    aggregation   text NOT NULL DEFAULT 'arithmetic' CHECK (aggregation IN ('arithmetic', 'geometric')),
    winsor        double precision NOT NULL DEFAULT 0 CHECK (winsor >= 0 AND winsor < 0.5),
    min_coverage  double precision NOT NULL DEFAULT 0.6 CHECK (min_coverage BETWEEN 0 AND 1),
    -- theme → weight; a theme's weight is split among its chosen indicators in proportion to
    -- their own weights. Themes not named weigh 1.
    theme_weights jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(theme_weights) = 'object'),
    builtin       boolean NOT NULL DEFAULT false,
    illustrative  boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE priority_scenario_weights (
    scenario_id   text NOT NULL REFERENCES priority_scenarios (id) ON DELETE CASCADE,
    indicator_key text NOT NULL CHECK (indicator_key ~ '^[a-z][a-z0-9_]{0,63}$'),
    weight        double precision NOT NULL CHECK (weight >= 0 AND weight < 'Infinity'),
    PRIMARY KEY (scenario_id, indicator_key)
);

-- The defaults are ILLUSTRATIVE starting points for each organisation's conversation, drawn
-- from what the joint report says each one is responsible for; each organisation replaces
-- them with its own agreed weighting through the API.
INSERT INTO priority_scenarios (id, name_sv, name_en, organisation, rationale, normalisation, aggregation, winsor, min_coverage, theme_weights, builtin, illustrative) VALUES
 ('polisen', 'Polisens perspektiv', 'Police perspective', 'Polisen',
  'Vinna slaget: brottslighet och otrygghet i offentlig miljö väger tyngst, sedan tilliten som gör att brott anmäls och klaras upp (upptäcktsrisken), och arbetslöshet som rekryteringsgrund.',
  'zscore', 'arithmetic', 0.05, 0.6, '{"crime": 3, "safety": 2, "trust": 1.5, "labour": 1, "economy": 0.5}', true, true),
 ('buf', 'Barn- och utbildningsförvaltningen', 'Children and education (BUF)', 'BUF',
  'Vinna kriget: förskolans inskrivning, gymnasiebehörighet och föräldrarnas delaktighet i skolan är det förvaltningen kan påverka; låg utbildningsnivå och barnfattigdom är barnens utgångsläge.',
  'zscore', 'arithmetic', 0.05, 0.6, '{"education": 3, "participation": 2, "future": 1.5, "housing": 0.5}', true, true),
 ('iff', 'Individ- och familjeförvaltningen', 'Individual and family services (IFF)', 'IFF',
  'Vinna kriget: långvarigt ekonomiskt bistånd, barnfattigdom och barn utan förvärvsarbetande förälder visar var familjer behöver stöd; andelen som tackar ja till frivilligt stöd visar om stödet når fram.',
  'zscore', 'arithmetic', 0.05, 0.6, '{"future": 3, "labour": 2, "trust": 1, "housing": 1}', true, true),
 ('kiff', 'Kultur-, idrotts- och fritidsförvaltningen', 'Culture, sport and leisure (KIFF)', 'KIFF',
  'Bygga freden: svagt föreningsliv, lågt valdeltagande och otrygghet visar var mötesplatser och arenor med civilsamhället behövs mest.',
  'zscore', 'arithmetic', 0.05, 0.6, '{"participation": 3, "safety": 1.5, "future": 1}', true, true),
 ('mimer', 'Mimer (allmännyttan)', 'Mimer (municipal housing company)', 'Mimer',
  'Livet mellan husen: trångboddhet och otrygghet i bostadsområdet, hyresgästernas ekonomi och brottsligheten runt husen.',
  'zscore', 'arithmetic', 0.05, 0.6, '{"housing": 3, "safety": 2, "economy": 1.5, "crime": 1}', true, true),
 ('scb', 'SCB:s socioekonomiska index', 'Statistics Sweden socio-economic index', 'SCB',
  'Den nationella referensen bakom RegSO-områdestyperna (Segregationsbarometern): medelvärdet av andelen med låg ekonomisk standard (V1), låg utbildning 20–64 år (V2) och långvarigt bistånd och/eller arbetslöshet 20–64 år (V3), 0–100, högre är sämre.',
  'raw', 'arithmetic', 0, 1, '{}', true, false);
UPDATE priority_scenarios SET preset = 'scb' WHERE id = 'scb';

INSERT INTO priority_scenario_weights (scenario_id, indicator_key, weight) VALUES
 ('polisen', 'reported_crimes_per_1000', 1), ('polisen', 'perceived_safety', 1),
 ('polisen', 'propensity_to_report', 1), ('polisen', 'clearance_rate', 0.5),
 ('polisen', 'unemployment', 1), ('polisen', 'low_economic_standard', 1),
 ('buf', 'preschool_enrolment', 1.5), ('buf', 'school_completion', 1.5), ('buf', 'low_education', 1),
 ('buf', 'parents_school_talks', 1), ('buf', 'child_poverty', 1), ('buf', 'overcrowding', 1),
 ('iff', 'income_support_long_term', 1.5), ('iff', 'child_poverty', 1.5), ('iff', 'children_working_parent', 1),
 ('iff', 'long_term_assistance_unemployment', 1), ('iff', 'voluntary_support_acceptance', 1), ('iff', 'overcrowding', 1),
 ('kiff', 'association_members', 2), ('kiff', 'voter_turnout', 1), ('kiff', 'perceived_safety', 1),
 ('kiff', 'child_poverty', 1), ('kiff', 'preschool_enrolment', 0.5),
 ('mimer', 'overcrowding', 1), ('mimer', 'perceived_safety', 1), ('mimer', 'low_economic_standard', 1),
 ('mimer', 'reported_crimes_per_1000', 1),
 ('scb', 'low_economic_standard', 1), ('scb', 'low_education', 1), ('scb', 'long_term_assistance_unemployment', 1);

-- Feasibility ("where the chance of success is high"), scored separately from need: min–max
-- normalised inputs, arithmetic mean, higher = better conditions. Sources: an indicator, the
-- meeting places (public places of the listed kinds) per 1,000 residents, or the interventions
-- with status 'active' targeting the district. A partner layer such as Mimer's share of
-- dwellings is added as an indicator once it is loaded.
CREATE TABLE priority_feasibility_inputs (
    key           text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    source        text NOT NULL CHECK (source IN ('indicator', 'meeting_places', 'interventions')),
    indicator_key text CHECK (indicator_key ~ '^[a-z][a-z0-9_]{0,63}$'),
    place_kinds   text[] NOT NULL DEFAULT '{}',
    direction     text NOT NULL CHECK (direction IN ('higher_is_better', 'higher_is_worse')),
    weight        double precision NOT NULL CHECK (weight >= 0 AND weight < 'Infinity'),
    rationale     text NOT NULL DEFAULT '',
    CHECK ((source = 'indicator') = (indicator_key IS NOT NULL))
);

INSERT INTO priority_feasibility_inputs (key, source, indicator_key, place_kinds, direction, weight, rationale) VALUES
 ('perceived_safety', 'indicator', 'perceived_safety', '{}', 'higher_is_better', 1,
  'Residents who feel safe take part in joint work; a base of trust to build on.'),
 ('propensity_to_report', 'indicator', 'propensity_to_report', '{}', 'higher_is_better', 1,
  'Willingness to report crime: trust in the police, needed to raise the risk of detection.'),
 ('voluntary_support_acceptance', 'indicator', 'voluntary_support_acceptance', '{}', 'higher_is_better', 1,
  'Families accept the social services'' voluntary support: preventive work reaches them.'),
 ('association_members', 'indicator', 'association_members', '{}', 'higher_is_better', 1,
  'An active association life: civil society partners that can run meeting places and arenas.'),
 ('meeting_places', 'meeting_places', NULL, '{youth_centre,sports_ground}', 'higher_is_better', 1,
  'Youth centres and sports grounds per 1,000 residents: places where promotive work can start.'),
 ('interventions_running', 'interventions', NULL, '{}', 'higher_is_better', 0.5,
  'Interventions already running: partnerships and presence to build on (the report: start where the chance of success is high).');

-- Statistics Sweden's five area types, by standard deviations of the socio-economic index
-- from a reference mean (index − mean)/sd: [min_sd, max_sd), NULL = unbounded. The brief and
-- the seed report say only "by standard deviations from the mean"; these symmetric 1 and 2 SD
-- cut points are an ASSUMPTION to be checked against the Delmos/SCB method description
-- ("Områdestyper", 2021) and replaced here if they differ.
CREATE TABLE priority_area_types (
    area_type smallint PRIMARY KEY CHECK (area_type BETWEEN 1 AND 5),
    name_sv   text NOT NULL,
    name_en   text NOT NULL,
    min_sd    double precision,
    max_sd    double precision,
    source    text NOT NULL DEFAULT '',
    CHECK (min_sd IS NULL OR max_sd IS NULL OR min_sd < max_sd)
);

INSERT INTO priority_area_types (area_type, name_sv, name_en, min_sd, max_sd, source) VALUES
 (1, 'Områden med stora socioekonomiska utmaningar', 'Major socio-economic challenges', 2, NULL, 'assumed cut point, see comment'),
 (2, 'Områden med socioekonomiska utmaningar', 'Socio-economic challenges', 1, 2, 'assumed cut point, see comment'),
 (3, 'Socioekonomiskt blandade områden', 'Socio-economically mixed', -1, 1, 'assumed cut point, see comment'),
 (4, 'Områden med goda socioekonomiska förutsättningar', 'Good socio-economic conditions', -2, -1, 'assumed cut point, see comment'),
 (5, 'Områden med mycket goda socioekonomiska förutsättningar', 'Very good socio-economic conditions', NULL, -2, 'assumed cut point, see comment');

-- Settings: the SCB reference mean and standard deviation (NULL: computed over the areas
-- evaluated, a local reference; set the national RegSO figures for the national types).
CREATE TABLE priority_settings (
    key   text PRIMARY KEY CHECK (key IN ('scb_reference_mean', 'scb_reference_sd')),
    value double precision CHECK (value IS NULL OR value > '-Infinity' AND value < 'Infinity'),
    note  text NOT NULL DEFAULT ''
);
INSERT INTO priority_settings (key, value, note) VALUES
 ('scb_reference_mean', NULL, 'NULL: the mean of the areas evaluated'),
 ('scb_reference_sd', NULL, 'NULL: the population standard deviation of the areas evaluated');
