-- Row-level security (migration 009) keeps the planner from using an index for a condition
-- whose function is not LEAKPROOF: such a condition must wait until the policy has filtered
-- the rows, so `geom_3857 && tile` became a sequential scan of every row (measured: district
-- tiles 419 req/s instead of about 3,500), and a spatial join such as ST_Intersects(d.geom,
-- o.geom) a scan per outer row. PostGIS marks none of its spatial predicates leakproof.
--
-- LEAKPROOF promises that a function reveals nothing about its arguments except through its
-- result: no error that names them. It matters where a caller could write its own conditions
-- to probe rows it may not see. Here no caller writes SQL — every statement is the server's,
-- with request values only as parameters — and for these functions on the columns they meet
-- the promise holds: the bounding-box operators (&&, @, ~) compare boxes; the predicates'
-- only errors are mixed SRIDs (fixed by every column's type), a negative distance (a
-- parameter, refused before) and GEOS topology errors on invalid geometries (every stored
-- geometry is CHECKed valid). Marking them lets && and the && that ST_Intersects, ST_DWithin,
-- ST_Contains and the others add through their support functions use the GiST indexes again.
-- Built-in comparisons (=, <, >=, ANY) are leakproof already.
--
-- Only a superuser may mark a function LEAKPROOF. A deployment migrating as a non-superuser
-- owner gets a warning and must have the DBA run these statements once (and again after
-- `ALTER EXTENSION postgis UPDATE`, which recreates the functions).
DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'geometry_overlaps(geometry, geometry)', 'geometry_within(geometry, geometry)',
    'geometry_contains(geometry, geometry)', 'st_intersects(geometry, geometry)',
    'st_contains(geometry, geometry)', 'st_within(geometry, geometry)', 'st_covers(geometry, geometry)',
    'st_coveredby(geometry, geometry)', 'st_touches(geometry, geometry)',
    'st_dwithin(geometry, geometry, double precision)']
  LOOP
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
      EXECUTE format('ALTER FUNCTION %s LEAKPROOF', f);
    ELSE
      RAISE WARNING 'lagesbild: spatial conditions cannot use indexes under row-level security until a superuser runs: ALTER FUNCTION % LEAKPROOF', f;
    END IF;
  END LOOP;
END;
$$;
