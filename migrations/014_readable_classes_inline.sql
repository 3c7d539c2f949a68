-- lgb_readable_classes (migration 013) aggregated over lgb_may_read, which made it a SQL
-- function PostgreSQL cannot inline: its body was planned again on every statement, and the
-- InitPlan that was meant to be free cost about 15 % of a district tile (pgbench, z12 tile,
-- prepared: 1,897 tps as the owner, 1,563 under row-level security). As one expression
-- without FROM it is inlined; measured after: 1,790–1,843 against 1,741–1,762 (3–4 %).
-- The classes each kind of organisation reads are now written here once, and lgb_may_read
-- is defined by them (the mapping mirrors layers.Principal.Clearance).
CREATE OR REPLACE FUNCTION lgb_readable_classes() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE lgb_caller_kind()
           WHEN 'police' THEN ARRAY['open', 'internal', 'restricted']
           WHEN 'municipality' THEN ARRAY['open', 'internal']
           WHEN 'region' THEN ARRAY['open', 'internal']
           WHEN 'housing' THEN ARRAY['open', 'internal']
           ELSE ARRAY['open']
         END
$$;

CREATE OR REPLACE FUNCTION lgb_may_read(class text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT class = ANY (lgb_readable_classes()) $$;
