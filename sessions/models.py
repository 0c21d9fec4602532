# Appointment, SessionPlan, Feedback and Notification arrive with later issues.
