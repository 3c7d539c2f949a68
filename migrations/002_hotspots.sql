-- Harm weights for hotspot analysis (issue 5): how much one observation of a category counts
-- when the analysis is weighted by harm instead of by count or severity.
--
-- The defaults are ILLUSTRATIVE, in the spirit of the Swedish Crime Harm Index (Kärrholm,
-- Neyroud & Smaaland 2020), which weights an offence type by the average actual sentence in
-- days of imprisonment it draws in Swedish courts (fines converted to days). They are round
-- orders of magnitude chosen for the demo, not values taken from the index: categories that
-- are not offences (insecure gatherings, insecurity reports, littering) get a small nominal
-- weight so they still count. A municipality replaces them with its own agreed table:
--   UPDATE harm_weights SET weight = 1200, rationale = '…' WHERE category = 'shooting';
-- Every category of observations must have a row; the analysis refuses to run otherwise.

CREATE TABLE harm_weights (
    category  text PRIMARY KEY CHECK (category IN ('open_drug_dealing', 'drug_handling', 'drug_use',
                                                   'gathering_insecurity', 'violence', 'shooting', 'vandalism',
                                                   'littering', 'insecurity_report', 'theft', 'disorder')),
    weight    double precision NOT NULL CHECK (weight >= 0 AND weight < 'Infinity'),
    rationale text NOT NULL DEFAULT '',
    illustrative boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO harm_weights (category, weight, rationale, illustrative) VALUES
    ('shooting',             1500, 'Firearm discharge in a public place: gross weapons offence or attempted murder; sentences of years.', true),
    ('violence',               60, 'Assault in a public place: average sentence about two months, most cases lighter.', true),
    ('open_drug_dealing',      90, 'Drug sale in the open: drug offence (supply), sentences of months; draws recruitment of young people.', true),
    ('drug_handling',          30, 'Drug handling short of open dealing: drug offence, weeks to months.', true),
    ('theft',                  10, 'Theft: mostly fines or short sentences.', true),
    ('vandalism',               5, 'Criminal damage: mostly fines.', true),
    ('drug_use',                3, 'Petty drug offence (own use): day-fines.', true),
    ('disorder',                2, 'Disorderly conduct: fines.', true),
    ('gathering_insecurity',    1, 'Not an offence in itself; nominal weight for the insecurity it causes.', true),
    ('insecurity_report',       1, 'Not an offence; nominal weight for reported insecurity.', true),
    ('littering',             0.5, 'Littering: at most a fine; nominal weight.', true);
