-- Demo rows keep their identity across demo loads (issue 14, point 1). A demo load used to
-- delete every illustrative row and insert the demo again, so every load renumbered places,
-- observations and interventions: saved links (/collections/places/items/4,
-- /analysis/followup/3) became 404, stored plans pointed at places that were now others, and
-- an edit made to a demo intervention through the API was thrown away. Now the load matches
-- each demo row to the row it loaded before by a natural key and updates it in place: places
-- by name, observations by (source, source_id), districts by code, indicators by key,
-- indicator values by (district, indicator, year), vulnerable areas by (name, year).
--
-- Interventions have no natural key a user cannot change (a user may retitle one, or make one
-- with a demo title), so the demo's own key (its title in the generator) is recorded here with
-- the id it got. There is deliberately no foreign key: the entry outlives an intervention a
-- user deleted through the API, so the next load knows not to bring it back.
CREATE TABLE demo_interventions (
    demo_key        text PRIMARY KEY CHECK (length(demo_key) BETWEEN 1 AND 200),
    intervention_id bigint NOT NULL UNIQUE
);

-- Databases loaded before this migration: the demo's titles are unique, so the illustrative
-- interventions in place are the demo's, under their titles (the lowest id should one repeat).
INSERT INTO demo_interventions (demo_key, intervention_id)
SELECT DISTINCT ON (title) title, id FROM interventions WHERE illustrative ORDER BY title, id;
