"""REST API v1 for the indicators app: countries, framework, scores, assessments, score runs, methodology."""
