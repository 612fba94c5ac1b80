-- The numbers of GET /api/reports/skills/ for the whole organisation (HR), in one
-- statement: what the endpoint is compared with in bench/run, measurement (b).
WITH latest AS (
    SELECT DISTINCT ON (a.person_id, a.kind, r.skill_id)
           a.person_id, a.kind, r.skill_id, r.level
    FROM assessments_rating r
    JOIN assessments_assessment a ON a.id = r.assessment_id
    WHERE a.status = 'submitted'
    ORDER BY a.person_id, a.kind, r.skill_id, a.submitted_at DESC, a.id DESC
),
current_level AS (
    SELECT person_id, skill_id,
           COALESCE(MAX(level) FILTER (WHERE kind = 'manager'),
                    MAX(level) FILTER (WHERE kind = 'self')) AS level
    FROM latest
    GROUP BY person_id, skill_id
),
gap_rows AS (
    SELECT e.skill_id, e.level AS expected, c.level AS current
    FROM people_person p
    JOIN skills_expectation e ON e.role_id = COALESCE(p.target_role_id, p.role_id)
    LEFT JOIN current_level c ON c.person_id = p.id AND c.skill_id = e.skill_id
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
