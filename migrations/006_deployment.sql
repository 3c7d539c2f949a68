-- Deployment planner and dose logging (issue 6): filled in by the work on the planner.
SELECT 1;
