-- Deployment planner and dose logging (issue 6): actor types with what they act on, stored
-- plans (so delivered dose can be compared with planned), and the visits actually made.
-- The model is documented in geo/allocate and the README ("Deployment planner").
--
-- No table here holds a person: an actor type is a kind of capacity (police patrol hours,
-- night-walker evenings), a dose is logged by actor type and at most a unit code (a patrol
-- or team designation such as "P12" or "NV-3", which must contain a digit), never a name.

-- Actor types. capacity_unit says what a request's capacity counts: hours per week, evenings
-- per week (each evening hours_per_unit hours), or units (mobile cameras, placed for a week;
-- one unit counts as dose_minutes of presence at its target). The shift fields say when the
-- visits are scheduled (local time, Europe/Stockholm). categories are the observation
-- categories the actor type acts on; the defaults are ILLUSTRATIVE, with their rationale.
CREATE TABLE deployment_actor_types (
    id             text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,31}$'),
    name_sv        text NOT NULL CHECK (length(name_sv) BETWEEN 1 AND 100),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    capacity_unit  text NOT NULL CHECK (capacity_unit IN ('hours', 'evenings', 'units')),
    hours_per_unit double precision CHECK (hours_per_unit > 0 AND hours_per_unit <= 24),
    dose_minutes   double precision CHECK (dose_minutes > 0 AND dose_minutes <= 10080),
    shift_days     smallint[] NOT NULL CHECK (shift_days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[] AND cardinality(shift_days) > 0),
    shift_start    time NOT NULL,
    shift_hours    double precision NOT NULL CHECK (shift_hours > 0 AND shift_hours <= 24),
    categories     text[] NOT NULL CHECK (cardinality(categories) > 0 AND categories <@ ARRAY['open_drug_dealing', 'drug_handling',
                       'drug_use', 'gathering_insecurity', 'violence', 'shooting', 'vandalism', 'littering',
                       'insecurity_report', 'theft', 'disorder']),
    rationale      text NOT NULL,
    illustrative   boolean NOT NULL DEFAULT false,
    CHECK ((capacity_unit = 'evenings') = (hours_per_unit IS NOT NULL)),
    CHECK ((capacity_unit = 'units') = (dose_minutes IS NOT NULL))
);

INSERT INTO deployment_actor_types (id, name_sv, name_en, capacity_unit, hours_per_unit, dose_minutes,
                                    shift_days, shift_start, shift_hours, categories, rationale, illustrative) VALUES
    ('police', 'Polisen', 'Police patrol', 'hours', NULL, NULL, '{1,2,3,4,5,6,7}', '16:00', 8,
     '{open_drug_dealing,drug_handling,drug_use,violence,shooting,theft}',
     'Raises the risk of detection for crimes: open dealing and drug handling, violence and shootings, theft. Only the police can search, arrest and seize; the hot-spot trials measured police presence.', true),
    ('night_walkers', 'Nattvandrare', 'Night walkers', 'evenings', 4, NULL, '{4,5,6}', '20:00', 4,
     '{gathering_insecurity,insecurity_report,littering,vandalism,disorder}',
     'Adult presence on weekend evenings: calms gatherings of young people, reduces insecurity, vandalism and disorder; no powers, so not sent to act on dealing or violence.', true),
    ('security_guards', 'Ordningsvakter', 'Security guards', 'hours', NULL, NULL, '{1,2,3,4,5,6,7}', '12:00', 8,
     '{vandalism,theft,disorder,gathering_insecurity,littering,drug_use}',
     'Guards commissioned for public order (ordningsvakter) can intervene against disorder and drug use in their area and deter theft and vandalism; they do not investigate dealing.', true),
    ('mobile_cameras', 'Mobila kameror', 'Mobile cameras', 'units', NULL, 120, '{1}', '08:00', 1,
     '{open_drug_dealing,violence,vandalism}',
     'A camera placed for a week at one place deters open dealing, violence and vandalism there and helps investigation. Assumption: a camera-week counts as 120 minutes of presence.', true);

-- A stored plan: the resolved request (parameters) and the whole answer (document, as the
-- API returned it), so a plan reads back exactly as it was made.
CREATE TABLE deployment_plans (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at         timestamptz NOT NULL DEFAULT now(),
    week_start         date NOT NULL CHECK (extract(isodow FROM week_start) = 1),
    weeks              smallint NOT NULL CHECK (weeks BETWEEN 1 AND 52),
    expected_reduction double precision NOT NULL CHECK (expected_reduction >= 0),
    parameters         jsonb NOT NULL,
    document           jsonb NOT NULL
);

-- The targets of a plan: a public place or a given point, with its risk per category.
CREATE TABLE deployment_plan_targets (
    plan_id    bigint NOT NULL REFERENCES deployment_plans (id) ON DELETE CASCADE,
    target_id  text NOT NULL CHECK (target_id ~ '^[A-Za-z0-9:_.-]{1,64}$'),
    place_id   bigint REFERENCES places (id) ON DELETE SET NULL,
    name       text NOT NULL,
    risk       jsonb NOT NULL,
    risk_total double precision NOT NULL CHECK (risk_total >= 0),
    geom       geometry(Point, 3006) NOT NULL,
    PRIMARY KEY (plan_id, target_id)
);

-- Planned visits per week, actor type and target.
CREATE TABLE deployment_plan_items (
    plan_id            bigint NOT NULL,
    week               smallint NOT NULL CHECK (week BETWEEN 1 AND 52),
    actor_type         text NOT NULL REFERENCES deployment_actor_types (id),
    target_id          text NOT NULL,
    visits             integer NOT NULL CHECK (visits > 0),
    minutes            double precision NOT NULL CHECK (minutes > 0),
    PRIMARY KEY (plan_id, week, actor_type, target_id),
    FOREIGN KEY (plan_id, target_id) REFERENCES deployment_plan_targets (plan_id, target_id) ON DELETE CASCADE
);

-- Visits actually made, as field staff log them.
CREATE TABLE deployment_doses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id     bigint NOT NULL,
    target_id   text NOT NULL,
    actor_type  text NOT NULL REFERENCES deployment_actor_types (id),
    unit_code   text CHECK (unit_code ~ '^[A-Z0-9][A-Z0-9-]{0,15}$' AND unit_code ~ '[0-9]'),
    started_at  timestamptz NOT NULL,
    minutes     double precision NOT NULL CHECK (minutes > 0 AND minutes <= 240),
    tactic      text NOT NULL CHECK (tactic IN ('foot_patrol', 'vehicle_patrol', 'stationary_presence', 'dialogue',
                                                 'checks', 'camera_placement')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (plan_id, target_id) REFERENCES deployment_plan_targets (plan_id, target_id) ON DELETE CASCADE
);
CREATE INDEX deployment_doses_plan_idx ON deployment_doses (plan_id, target_id, started_at);
