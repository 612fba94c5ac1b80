-- The numbers of GET /api/reports/skills/ for the whole organisation (HR), in one
-- hand-written statement over the projection of current levels: shown beside the
-- endpoint by bench/bench.py, measurement (b), to tell the statement's time from the
-- request's. The gap rows are every active person's gap role's expectations of active
-- skills, with the current level of the projection (none: unassessed).
WITH gap_rows AS (
    SELECT e.skill_id, e.level AS expected, c.level AS current
    FROM people_person p
    JOIN skills_expectation e ON e.role_id = COALESCE(p.target_role_id, p.role_id)
    JOIN skills_skill s ON s.id = e.skill_id AND NOT s.retired
    LEFT JOIN assessments_currentlevel c ON c.person_id = p.id AND c.skill_id = e.skill_id
    WHERE p.is_active
)
SELECT s.key,
       COUNT(g.skill_id) AS expected,
       COUNT(*) FILTER (WHERE g.current IS NOT NULL AND g.expected > g.current) AS below,
       COUNT(*) FILTER (WHERE g.current IS NOT NULL AND g.expected <= g.current) AS meeting,
       COUNT(*) FILTER (WHERE g.skill_id IS NOT NULL AND g.current IS NULL) AS unassessed,
       AVG(GREATEST(g.expected - COALESCE(g.current, 0), 0)) AS average_gap
FROM skills_skill s
LEFT JOIN gap_rows g ON g.skill_id = s.id
WHERE NOT s.retired
GROUP BY s.id, s.key
ORDER BY s.key;
