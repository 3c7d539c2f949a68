-- placeholder, filled in by its issue-7 work
SELECT 1;
