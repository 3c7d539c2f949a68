-- Interventions register writes (issue 6): filled in by the work on the register.
SELECT 1;
