"""Alert rules, alerts, escalations, trigger events, Atrocity Impact Assessments and response actions."""
